// The community cues and the three-way layer of issue #11 (search/analysis/cues-zh.ts, cues-en.ts,
// three-way.ts): each mechanism fires on its kind of text, and every label carries three probabilities.
import { expect } from 'chai';
import { analyze } from '../../search/analysis';
import { EN_CUE_NAMES, enCues } from '../../search/analysis/cues-en';
import { ZH_CUE_NAMES } from '../../search/analysis/cues-zh';
import { normalizeText } from '../../search/analysis/normalize';
import { zhThreeWayFeatures } from '../../search/analysis/sentiment';
import { scoreEn } from '../../search/analysis/sentiment-en';
import { argmax3, checkThreeWayModel, threeWay, type ThreeWayModel } from '../../search/analysis/three-way';
import { lexNormalized } from '../../search/analysis/tokenize';

function zh(text: string): Record<string, number> {
  const normalized = normalizeText(text);
  const v = zhThreeWayFeatures(normalized, lexNormalized(normalized).sentimentTokens);
  return Object.fromEntries(ZH_CUE_NAMES.map((n, i) => [n, v[i]]));
}
function en(text: string): Record<string, number> {
  const normalized = normalizeText(text);
  const v = enCues(normalized, scoreEn(normalized));
  return Object.fromEntries(EN_CUE_NAMES.map((n, i) => [n, v[i]]));
}

describe('community cues (zh)', () => {
  it('scores the clause after a turn apart from the one before it, with or without a turn word', () => {
    const turned = zh('本来以为很难用，结果特别好用');
    expect(turned.has_turn).to.equal(1);
    expect(turned.z_tail).to.be.greaterThan(turned.z_head);
    const expectation = zh('一开始担心质量很差，用了半年，很满意');
    expect(expectation.has_turn).to.equal(1);
    expect(expectation.z_tail).to.be.greaterThan(0);
    expect(zh('质量很好').has_turn).to.equal(0);
  });

  it('scores clauses about another product apart from the rest', () => {
    const c = zh('别家的系统很卡，这个很流畅');
    expect(c.z_rival).to.be.lessThan(0);
    expect(c.z_rest_if_rival).to.be.greaterThan(c.z_rival);
    expect(zh('系统很流畅').z_rival).to.equal(0);
  });

  it('tells rhetorical and question complaints from genuine questions', () => {
    expect(zh('售后电话是摆设吗？').rhetorical).to.equal(1);
    expect(zh('充电口烫得摸不了，这正常吗？').rhetorical).to.equal(1);
    const genuine = zh('请问保修期一般多久？');
    expect(genuine.genuine_question).to.equal(1);
    expect(genuine.question).to.equal(1);
    expect(genuine.rhetorical).to.equal(0);
  });

  it('sees irony cues: praise in quotes, stickers, thanks next to a problem', () => {
    expect(zh('这服务真是“贴心”，等了三个小时没人理').quote_pos).to.be.greaterThan(0);
    expect(zh('好棒哦，又断连了[微笑]').sticker).to.equal(1);
    expect(zh('谢谢你们，洗衣机修了三次还是坏的').thanks_neg).to.be.greaterThan(0);
    expect(zh('谢谢你们').thanks_neg).to.equal(0);
  });

  it('flags notices and schedules, and counts mild praise and negated praise', () => {
    const notice = zh('【公告】门店装修，3月5日至12日暂停营业');
    expect(notice.notice).to.equal(1);
    expect(notice.schedule).to.equal(1);
    expect(zh('值了，下次还买，靠谱').mild_praise).to.equal(3);
    expect(zh('不太满意').negated_praise).to.equal(1);
    expect(zh('不是不好').negated_praise).to.equal(0);
  });
});

describe('community cues (en)', () => {
  it('scores the part after "but" / "turned out" apart and flags question complaints', () => {
    const c = en('I was worried about the range, but it turned out great');
    expect(c.has_turn).to.equal(1);
    expect(c.z_tail).to.be.greaterThan(c.z_head);
    expect(en('The charging port gets too hot to touch, is this normal?').rhetorical).to.equal(1);
    expect(en('How do I pair the watch?').genuine_question).to.equal(1);
  });
});

describe('three-way layer', () => {
  const model: ThreeWayModel = { version: 1, lang: 'zh', features: ['a', 'b'], weights: [[0, -1, 0], [0, 0, 1], [0, 1, 0]] };

  it('gives probabilities that sum to 1, the likelier label, and the cues that pushed it', () => {
    const r = threeWay(model, [2, 0]);
    expect(r.probabilities.reduce((s, p) => s + p, 0)).to.be.closeTo(1, 1e-9);
    expect(r.label).to.equal('positive');
    expect(r.cues[0].name).to.equal('a');
    expect(threeWay(model, [0, 2]).label).to.equal('neutral');
  });

  it('lets neutral win only by the margin', () => {
    expect(argmax3([0.3, 0.36, 0.34], 0)).to.equal(1);
    expect(argmax3([0.3, 0.36, 0.34], 0.05)).to.equal(2);
  });

  it('refuses a model trained on other features', () => {
    expect(() => checkThreeWayModel(model, ['a', 'c'])).to.throw(/retrain/);
  });

  it('gives every analysis three probabilities matching its label, crisis posts at least 0.9 negative', () => {
    for (const text of ['值了，下次还买', '请问保修期一般多久？', '售后电话是摆设吗？', 'The app keeps crashing, great job', '', '👍']) {
      const s = analyze(text).sentiment;
      const p = s.probabilities;
      expect(p.negative + p.neutral + p.positive, text).to.be.closeTo(1, 1e-3);
      for (const v of Object.values(p)) expect(v, text).to.be.within(0, 1);
      expect(s.reasons, text).to.be.an('array');
    }
    const crisis = analyze('充电的时候电池鼓包冒烟了');
    expect(crisis.crisis).to.not.equal(undefined);
    expect(crisis.sentiment.probabilities.negative).to.be.at.least(0.9);
  });

  it('explains a label moved by a cue', () => {
    const s = analyze('本来以为要排很久，结果半小时就办完了，省心').sentiment;
    expect(s.reasons.some((r) => r.startsWith('cue:'))).to.equal(true);
  });
});
