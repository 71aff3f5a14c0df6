// Models chosen by the kind of source (issue #11, search/analysis/source.ts): forum posts and news
// keep the all-corpora model, social platforms get the Weibo-only one, and the label keeps its shape.
import { expect } from 'chai';
import { analyze, parseSourceKind, sourceKindOf } from '../../search/analysis';
import { normalizeText } from '../../search/analysis/normalize';
import { zhModelFor } from '../../search/analysis/sentiment';
import { scoreZhTokens, zhModel, zhSocialModel } from '../../search/analysis/sentiment-zh';
import { lexNormalized } from '../../search/analysis/tokenize';

const tokensOf = (text: string) => lexNormalized(normalizeText(text)).sentimentTokens;

describe('sentiment by kind of source', () => {
  it('maps source ids to kinds: forum and nothing are community, social platforms social, the rest general', () => {
    expect(sourceKindOf(undefined)).to.equal('community');
    expect(sourceKindOf('forum')).to.equal('community');
    for (const s of ['weibo', 'wechat', 'douyin', 'xiaohongshu']) expect(sourceKindOf(s), s).to.equal('social');
    for (const s of ['news', 'other', 'zhihu']) expect(sourceKindOf(s), s).to.equal('general');
    expect(parseSourceKind('social')).to.equal('social');
    expect(parseSourceKind('weibo')).to.equal('social');
    expect(parseSourceKind('general')).to.equal('general');
  });

  it('scores social sources with the committed Weibo-only model, the others with the all-corpora one', () => {
    expect(zhSocialModel()).to.not.equal(zhModel());
    expect(zhSocialModel().model.info?.corpus).to.equal('weibo2018_train.tsv');
    expect(zhModelFor('social')).to.equal(zhSocialModel());
    expect(zhModelFor('community')).to.equal(zhModel());
    expect(zhModelFor('general')).to.equal(zhModel());
  });

  it('takes the side of a social text from the Weibo model and the rest from the all-corpora pipeline', () => {
    const texts = ['今天天气真好，出去玩了一整天，开心', '排了两个小时的队，心累', '这手机太卡了，垃圾', '又加班到十点，累死了'];
    let differs = 0;
    for (const text of texts) {
      const social = analyze(text, { source: 'weibo' }).sentiment;
      const weibo = scoreZhTokens(tokensOf(text), zhSocialModel());
      // Polar labels follow the Weibo model's calibrated side; probabilities still sum to 1.
      if (social.label !== 'neutral') expect(social.label, text).to.equal(weibo.score >= 0 ? 'positive' : 'negative');
      expect(Math.sign(social.score), text).to.equal(Math.sign(weibo.score));
      const p = social.probabilities;
      expect(p.negative + p.neutral + p.positive).to.be.closeTo(1, 1e-3);
      expect(social.reasons.length, text).to.be.greaterThan(0);
      const community = analyze(text, { source: 'forum' }).sentiment;
      expect(community).to.deep.equal(analyze(text).sentiment);
      if (community.score !== social.score) differs++;
    }
    expect(differs).to.be.greaterThan(0);
    const news = analyze('今天天气真好', { source: 'news' }).sentiment;
    expect(Math.sign(news.score)).to.equal(Math.sign(scoreZhTokens(tokensOf('今天天气真好'), zhModel()).score));
  });

  it('keeps crisis posts negative whatever the source', () => {
    for (const source of ['forum', 'weibo', 'news']) {
      const a = analyze('充电的时候电池起火了，差点烧到车库', { source });
      expect(a.sentiment.label, source).to.equal('negative');
      expect(a.crisis, source).to.not.equal(undefined);
    }
  });
});
