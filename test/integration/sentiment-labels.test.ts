/** People's sentiment labels (desk feedback) and the community retrain, on a real SQLite server. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';
import { communitySlang } from '../unit/fixtures/community-slang';
import { Analysis, AuditEntry, Mention, SentimentLabel } from '../../server/models';
import { withTransaction } from '../../server/db';
import { deleteAccount } from '../../server/services/privacy';
import { updateProfile } from '../../server/services/accounts';
import { ingestMentions } from '../../server/services/mentions';
import { communityModelOverride, exportLabels, labelFromFeedback, labelledExamples, listSentimentLabels, recordSentimentLabel, zhModelOverride } from '../../server/services/sentimentLabels';
import { committedCommunityModel, communityModel, communityModelFile, useCommunityModel, useCommunityModelFile } from '../../search/analysis/community-model';
import { communityKeys } from '../../search/train/community-keys';
import { parseRetrainArgs, refitCommunityWords, retrainDefaults, retrainZh, type RetrainResult } from '../../server/commands/retrain';
import { analyze } from '../../search/analysis';
import { useZhModelFile, zhModel, zhModelFile } from '../../search/analysis/sentiment-zh';
import { corporaAvailable } from '../../search/train/sentiment-data';

describe('sentiment labels', function () {
  this.timeout(60_000);
  let server: TestServer;
  let moderator: BuiltUser;
  let pr: BuiltUser;
  before(async () => {
    server = await startServer();
    moderator = await buildUser({ role: 'moderator' });
    pr = await buildUser({ role: 'pr' });
  });
  after(() => server?.close());

  it('maps the desk buttons: confirmed negative is negative, not negative is neutral unless the annotator says positive', () => {
    expect(labelFromFeedback('confirmed_negative')).to.equal('negative');
    expect(labelFromFeedback('not_negative')).to.equal('neutral');
    expect(labelFromFeedback('not_negative', 'positive')).to.equal('positive');
  });

  it('stores the text and the model’s judgement as they were, replaces the same annotator’s label, and audits each', async () => {
    const { post } = await buildThread({ body: '车机又卡死了，不愧是遥遥领先' });
    await server.resonance.dispatcher.drain();
    const analysis = (await Analysis.findByPk(`post:${post.id}`))!;
    const first = await recordSentimentLabel(moderator.actor, { itemKind: 'post', itemId: post.id, label: 'neutral', source: 'alert', alertId: 41 });
    expect(first).to.include({ itemKind: 'post', itemId: String(post.id), text: '车机又卡死了，不愧是遥遥领先', lang: 'zh', label: 'neutral', source: 'alert', alertId: '41', labelledBy: String(moderator.user.id) });
    expect(first.predicted).to.deep.equal({ label: analysis.label, score: analysis.score });

    // The same moderator changes their mind: one label of theirs remains. Another annotator adds theirs.
    await recordSentimentLabel(moderator.actor, { itemKind: 'post', itemId: post.id, label: 'negative', source: 'alert', alertId: 41 });
    await withTransaction((t) => recordSentimentLabel(pr.actor, { itemKind: 'post', itemId: post.id, label: 'negative', source: 'console' }, t));
    const rows = await SentimentLabel.findAll({ where: { itemKind: 'post', itemId: post.id }, order: [['userId', 'ASC']] });
    expect(rows.map((r) => [r.userId, r.label])).to.deep.equal([[moderator.user.id, 'negative'], [pr.user.id, 'negative']].sort((a, b) => Number(a[0]) - Number(b[0])));

    const audits = await AuditEntry.findAll({ where: { action: 'sentiment.label', subjectType: 'post', subjectId: String(post.id) }, order: [['id', 'ASC']] });
    expect(audits.map((a) => [a.actorId, (a.data as { label: string }).label, (a.data as { replaced: string | null }).replaced])).to.deep.equal([
      [moderator.user.id, 'neutral', null],
      [moderator.user.id, 'negative', 'neutral'],
      [pr.user.id, 'negative', null],
    ]);
    const listed = await listSentimentLabels(moderator.actor, { itemKind: 'post', itemId: post.id });
    expect(listed).to.have.length(2);
    expect(await exportLabels()).to.include(`${JSON.stringify({ text: '车机又卡死了，不愧是遥遥领先', label: 'negative', lang: 'zh' })}\n`);
  });

  it('is for staff only, and checks what it is given', async () => {
    const member = await buildUser();
    const { post } = await buildThread({ body: '原厂脚垫卖880，配件刺客实锤了' });
    const rejects = async (p: Promise<unknown>, code: string) => {
      try {
        await p;
      } catch (err) {
        expect((err as { code?: string }).code).to.equal(code);
        return;
      }
      expect.fail(`expected ${code}`);
    };
    await rejects(recordSentimentLabel(member.actor, { itemKind: 'post', itemId: post.id, label: 'negative', source: 'alert' }), 'forbidden');
    await rejects(listSentimentLabels(member.actor), 'forbidden');
    await rejects(recordSentimentLabel(moderator.actor, { itemKind: 'post', itemId: 99_999_999, label: 'negative', source: 'alert' }), 'not_found');
    await rejects(recordSentimentLabel(moderator.actor, { itemKind: 'post', itemId: post.id, label: 'angry' as 'negative', source: 'alert' }), 'validation_failed');
  });

  it('leaves out authors who withdrew analytics consent, and forgets a deleted account’s posts in the same transaction', async () => {
    const author = await buildUser();
    const { thread, post } = await buildThread({ author, body: '会员年费又涨了，割韭菜没完没了' });
    const second = await buildPost({ thread, author, body: '真的会谢，预约的试驾到了店里说车不在' });
    await ingestMentions([{ source: 'weibo', externalId: `labels-${Date.now()}`, author: { handle: 'someone' }, text: '一个充电转接头要599，周边刺客名不虚传', publishedAt: new Date().toISOString() }]);
    await server.resonance.dispatcher.drain();
    const mention = (await Mention.findOne({ where: { text: '一个充电转接头要599，周边刺客名不虚传' } }))!;
    await recordSentimentLabel(moderator.actor, { itemKind: 'post', itemId: post.id, label: 'negative', source: 'alert' });
    await recordSentimentLabel(pr.actor, { itemKind: 'post', itemId: second.post.id, label: 'negative', source: 'console' });
    await recordSentimentLabel(moderator.actor, { itemKind: 'mention', itemId: mention.id, label: 'negative', source: 'alert' });
    const texts = async () => (await labelledExamples()).map((e) => e.text);
    expect(await texts()).to.include.members(['会员年费又涨了，割韭菜没完没了', '一个充电转接头要599，周边刺客名不虚传']);

    await updateProfile(author.user.id, { analyticsConsent: false });
    expect(await texts()).to.not.include('会员年费又涨了，割韭菜没完没了');
    try {
      await recordSentimentLabel(moderator.actor, { itemKind: 'post', itemId: post.id, label: 'neutral', source: 'alert' });
      expect.fail('labelled a post of an author who opted out');
    } catch (err) {
      expect((err as { code?: string }).code).to.equal('conflict');
    }
    await updateProfile(author.user.id, { analyticsConsent: true });

    await deleteAccount(author.actor, author.password);
    expect(await SentimentLabel.count({ where: { itemKind: 'post', itemId: [post.id, second.post.id] } })).to.equal(0);
    expect(await texts()).to.not.include.members(['会员年费又涨了，割韭菜没完没了']);
    // Mentions are not the member's, and stay.
    expect(await SentimentLabel.count({ where: { itemKind: 'mention', itemId: mention.id } })).to.equal(1);
  });

  describe('resonance retrain', function () {
    let result: RetrainResult;
    before(async function () {
      if (!corporaAvailable()) {
        console.warn('  [retrain] SKIPPED: corpora not found (set SENTIMENT_DATA_DIR or put ../shared/datasets/sentiment beside the repo)');
        if (process.env.CI) throw new Error('sentiment corpora not found: CI must run this suite (see .ci/run)');
        this.skip();
      }
      // The fixture goes in as members write it and moderators label it: posts, analysis, labels.
      const { thread } = await buildThread({ body: '车友们都来说说这次更新' });
      const author = await buildUser();
      for (const line of communitySlang) {
        const { post } = await buildPost({ thread, author, body: line.text });
        (line as { postId?: number }).postId = post.id;
      }
      await server.resonance.dispatcher.drain();
      for (const line of communitySlang) {
        await recordSentimentLabel(moderator.actor, { itemKind: 'post', itemId: (line as { postId?: number }).postId!, label: line.label, source: 'console' });
      }
      // Everything labelled so far, as the command reads it (earlier tests labelled some of these texts too).
      // The retrain refits the corpus model; the community word model (committed, trained on written
      // posts) would answer part of this slang before and after alike, so it is left out of both
      // measurements: the figures are the corpus model's own learning.
      const examples = await labelledExamples();
      useCommunityModel('zh', null);
      try {
        result = retrainZh(examples, { ...retrainDefaults(), quick: true });
      } finally {
        useCommunityModel('zh', undefined);
      }
    });

    it('learns the community’s language: better on its held-out labels, general language kept', () => {
      const { before, after, labels } = result.report;
      expect(labels.usedForZh).to.be.at.least(communitySlang.length);
      expect(labels.distinctTexts, 'the same text labelled twice is one example').to.be.below(labels.usedForZh);
      expect(labels.heldOut.negative + labels.heldOut.neutral + labels.heldOut.positive, 'held out').to.be.at.least(15);
      // The committed model reads sarcastic 遥遥领先 and 刺客 as praise or says nothing.
      expect(after.community.accuracy, JSON.stringify({ before: before.community, after: after.community })).to.be.above(before.community.accuracy + 0.2);
      expect(after.community.negRecall).to.be.above(before.community.negRecall);
      // --quick trains on 15% of the corpora: a few points lower, never a collapse.
      expect(after.base.accuracy, JSON.stringify({ before: before.base, after: after.base })).to.be.at.least(before.base.accuracy - 0.05);
      expect(after.base.macroF1).to.be.at.least(0.85);
    });

    it('adds the labels to the committed word model’s counts (not to an earlier retrain’s), the crisis columns untouched', () => {
      const committed = committedCommunityModel('zh')!;
      const rows = [{ text: '这车机卡得像PPT，售后还说正常', label: 'negative' as const }, { text: '提车一个月，底盘扎实，值了', label: 'positive' as const }];
      const [key] = communityKeys('zh', rows[0].text).filter((k) => committed.counts[k]);
      expect(key, 'a key the committed model knows').to.be.a('string');
      // An earlier retrain's model in use (its counts of the key far off): the refit starts from the committed counts.
      const earlier = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-words-')), 'community-zh.json');
      fs.writeFileSync(earlier, JSON.stringify({ ...committed, counts: { ...committed.counts, [key]: committed.counts[key].map((n) => n + 100) } }));
      useCommunityModelFile('zh', earlier);
      let words;
      try {
        words = refitCommunityWords(rows, 2)!;
      } finally {
        useCommunityModelFile('zh', null);
      }
      const before = committed.counts[key];
      const after = words.counts[key];
      const inBoth = communityKeys('zh', rows[1].text).includes(key) ? 2 : 0;
      expect(after[0], 'negative: +2 for the negative label').to.equal(before[0] + 2);
      expect(after[2], 'positive').to.equal(before[2] + inBoth);
      expect(after.slice(3), 'the desk says nothing of crisis').to.deep.equal(before.slice(3));
      const fresh = communityKeys('zh', '这车机卡得像PPT').find((k) => !committed.counts[k] && words.counts[k]);
      if (fresh) expect(words.counts[fresh][0]).to.equal(2);
      expect(words.info).to.include({ labels: 2, wordWeight: 2 });
      expect(refitCommunityWords(rows, 0), 'weight 0: not refitted').to.equal(null);
    });

    it('with the word model: learns the community’s language on its held-out labels, and says how', () => {
      const examples = labelledExamples();
      return examples.then((ex) => {
        const withWords = retrainZh(ex, { ...retrainDefaults(), quick: true });
        const { before, after, parameters } = withWords.report;
        expect(withWords.words, 'the word model refitted').to.not.equal(null);
        expect(parameters).to.include({ wordWeight: 1 });
        // Both sides read the slang through a word model: the committed one before, the refitted one after.
        expect(after.community.accuracy, JSON.stringify({ before: before.community, after: after.community })).to.be.above(before.community.accuracy);
        expect(after.community.negRecall).to.be.at.least(before.community.negRecall);
        expect(communityModel('zh'), 'the evaluation put the model in use back').to.not.equal(null);
        expect(communityModelFile('zh')).to.match(/search[/\\]models[/\\]community-zh\.json$/);
      });
    });

    it('writes nothing without --write and refuses to write a --quick model', () => {
      const dataDir = path.join(os.tmpdir(), 'resonance-retrain-args');
      expect(parseRetrainArgs(['--weight=5'], { dataDir }).write).to.equal(undefined);
      expect(parseRetrainArgs(['--weight=5'], { dataDir }).options.communityWeight).to.equal(5);
      expect(parseRetrainArgs(['--write'], { dataDir }).write).to.equal(path.join(dataDir, 'models', 'sentiment-zh.json'));
      expect(() => parseRetrainArgs(['--write', '--quick'], { dataDir })).to.throw(/not written/);
      expect(() => parseRetrainArgs(['--holdout=1'], { dataDir })).to.throw(/out of range/);
      expect(result.model.info).to.include({ trainedBy: 'resonance retrain (server/commands/retrain.ts)' });
    });
  });
});

describe('a retrained model in DATA_DIR', function () {
  this.timeout(30_000);
  let dataDir: string;
  let server: TestServer | undefined;
  const file = () => path.join(dataDir, 'models', 'sentiment-zh.json');
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-retrained-'));
    expect(zhModelOverride({ dataDir }), 'no file, no override').to.equal(null);
    // The committed model under another name stands in for a `resonance retrain --write` output.
    const model = JSON.parse(fs.readFileSync(zhModelFile(), 'utf8')) as { info?: Record<string, unknown> };
    model.info = { ...model.info, trainedBy: 'resonance retrain (test)' };
    fs.mkdirSync(path.dirname(file()));
    fs.writeFileSync(file(), JSON.stringify(model));
  });
  after(async () => {
    await server?.close();
    // Every other test in this process scores with the committed models.
    useZhModelFile(null);
    useCommunityModelFile('zh', null);
  });

  it('loads a retrained word model only beside a retrained sentiment model', () => {
    const words = path.join(dataDir, 'models', 'community-zh.json');
    const committedWords = committedCommunityModel('zh')!;
    fs.writeFileSync(words, JSON.stringify({ ...committedWords, info: { ...committedWords.info, retrainedBy: 'resonance retrain (test)' } }));
    expect(communityModelOverride({ dataDir })).to.equal(words);
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-words-alone-'));
    fs.mkdirSync(path.join(elsewhere, 'models'));
    fs.copyFileSync(words, path.join(elsewhere, 'models', 'community-zh.json'));
    expect(communityModelOverride({ dataDir: elsewhere }), 'no sentiment model beside it').to.equal(null);
  });

  it('is loaded at start instead of the committed one', async () => {
    const committed = zhModelFile();
    server = await startServer({ DATA_DIR: dataDir });
    expect(zhModelFile()).to.equal(file());
    expect((zhModel().model.info as { trainedBy?: string }).trainedBy).to.equal('resonance retrain (test)');
    expect(analyze('车机又卡死了').sentiment.label).to.equal('negative');
    expect(communityModelFile('zh')).to.equal(path.join(dataDir, 'models', 'community-zh.json'));
    expect((communityModel('zh')!.model.info as { retrainedBy?: string }).retrainedBy).to.equal('resonance retrain (test)');
    useZhModelFile(null);
    useCommunityModelFile('zh', null);
    expect(zhModelFile()).to.equal(committed);
    expect(communityModelFile('zh')).to.match(/search[/\\]models[/\\]community-zh\.json$/);
  });
});
