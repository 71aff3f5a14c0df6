/**
 * The alert rules on crafted items and event sequences, including the quiet cases that must
 * not alert: a calm announcement, a question, praise, a low-reach mild complaint, a normal daily
 * rhythm, a single noisy minute, a low-volume chapter.
 */
import { expect } from 'chai';
import {
  flagRule,
  itemCaseKey,
  kolNegativeRule,
  negativePostRule,
  readsAsQuestion,
  slaMinutesFor,
  spikeRule,
  watchwordRule,
  DEFAULT_THRESHOLDS,
  type AuthorStanding,
  type RuleItem,
} from '../../search/alerts/rules';
import { SpikeSeries } from '../../search/alerts/series';
import { compileWatchwords } from '../../search/alerts/watchwords';
import { analyze } from '../../search/analysis';

const nobody: AuthorStanding = { kol: false, influence: null, trend: [] };
const item = (over: Partial<RuleItem> = {}): RuleItem => ({ kind: 'post', id: 1, label: 'negative', score: -0.9, confidence: 0.9, complaint: null, threadId: 10, source: 'forum', followers: null, ...over });
/** An item as the pipeline would judge this text (the real analyser, the real matcher). */
function judged(text: string, over: Partial<RuleItem> = {}) {
  const a = analyze(text);
  return {
    item: item({ label: a.sentiment.label, score: a.sentiment.score, confidence: a.sentiment.confidence, question: readsAsQuestion(text), ...over }),
    watch: compileWatchwords().match(a.tokens),
  };
}

describe('alert rules', () => {
  describe('negative_post', () => {
    it('fires on a strong negative post, with reasons and score parts; severity grows with reach', () => {
      const plain = negativePostRule(item(), nobody)!;
      expect(plain.kind).to.equal('negative_post');
      expect(plain.reasons[0]).to.equal('sentiment -0.9');
      expect(plain.parts).to.include({ score: -0.9, reach: 0 });
      const famous = negativePostRule(item(), { ...nobody, influence: 90 })!;
      expect(famous.severity).to.be.greaterThan(plain.severity);
      const bigAccount = negativePostRule(item({ kind: 'mention', followers: 2_000_000 }), nobody)!;
      expect(bigAccount.severity).to.be.greaterThan(plain.severity);
      expect(bigAccount.caseKey).to.equal('mention:1');
      // A graph score of 0 (an outside account nobody in the forum interacts with) does not hide its followers.
      expect(negativePostRule(item({ kind: 'mention', followers: 2_000_000 }), { ...nobody, influence: 0 })!.severity).to.equal(bigAccount.severity);
    });

    it('stays quiet on neutral and positive posts, mild low-reach grumbles and questions', () => {
      expect(negativePostRule(item({ label: 'neutral', score: -0.1 }), nobody)).to.equal(null);
      expect(negativePostRule(item({ label: 'positive', score: 0.8 }), nobody)).to.equal(null);
      expect(negativePostRule(item({ score: -0.35, confidence: 0.5 }), nobody)).to.equal(null);
      // The same strength as a question is worry, not a grievance: damped below the threshold.
      const asked = item({ score: -0.9, confidence: 0.9 });
      expect(negativePostRule(asked, nobody), 'as a statement').to.not.equal(null);
      expect(negativePostRule({ ...asked, question: true }, nobody), 'as a question').to.equal(null);
    });

    it('the threshold is the admins’: raising it silences what fired', () => {
      const fired = negativePostRule(item(), nobody)!;
      expect(negativePostRule(item(), nobody, { ...DEFAULT_THRESHOLDS, negativeMinSeverity: fired.severity + 1 })).to.equal(null);
    });
  });

  describe('kol_negative', () => {
    it('fires when a KOL writes negatively, and not for anyone else', () => {
      expect(kolNegativeRule(item(), nobody)).to.equal(null);
      const s = kolNegativeRule(item(), { kol: true, influence: 80, trend: [] })!;
      expect(s.kind).to.equal('kol_negative');
      expect(s.severity).to.be.at.least(6);
    });

    it('fires when a KOL’s daily sentiment turns, even on a neutral post; a steady KOL does not', () => {
      const turned: AuthorStanding = { kol: true, influence: 70, trend: [{ day: '2026-11-28', avg: 0.5, n: 6 }, { day: '2026-11-29', avg: 0.4, n: 4 }, { day: '2026-11-30', avg: -0.4, n: 3 }] };
      const s = kolNegativeRule(item({ label: 'neutral', score: -0.1 }), turned)!;
      expect(s.reasons.some((r) => r.startsWith('kol trend'))).to.equal(true);
      const steady: AuthorStanding = { kol: true, influence: 70, trend: [{ day: '2026-11-29', avg: 0.3, n: 4 }, { day: '2026-11-30', avg: 0.2, n: 3 }] };
      expect(kolNegativeRule(item({ label: 'neutral', score: 0 }), steady)).to.equal(null);
      // One grumpy post is not a turn: the day needs two items.
      const once: AuthorStanding = { ...turned, trend: [...turned.trend.slice(0, 2), { day: '2026-11-30', avg: -0.8, n: 1 }] };
      expect(kolNegativeRule(item({ label: 'neutral', score: -0.1 }), once)).to.equal(null);
    });
  });

  describe('watchword', () => {
    it('fires on a crisis term in calm words, which the sentiment model may call neutral', () => {
      const { item: it, watch } = judged('今天下午地库里有台车的电池起火了，消防已经到场。');
      const s = watchwordRule(it, watch)!;
      expect(s.kind).to.equal('watchword');
      expect(s.severity).to.be.at.least(8);
      expect(s.reasons).to.include('watchword 起火 (safety)');
    });

    it('does not fire on a term inside other words, a positive media mention, or an ordinary post', () => {
      expect(watchwordRule(...Object.values(judged('周末一起火锅聚餐，欢迎同城车友。')) as [RuleItem, never])).to.equal(null);
      expect(watchwordRule(...Object.values(judged('感谢媒体朋友们来参加我们的发布会，非常开心！')) as [RuleItem, never])).to.equal(null);
      expect(watchwordRule(...Object.values(judged('新版本更新以后车机流畅多了，点赞！')) as [RuleItem, never])).to.equal(null);
    });

    it('a question about a crisis term is still raised, lower', () => {
      const told = judged('电池鼓包了，还在冒烟。');
      const asked = judged('这款电池会不会鼓包？');
      const a = watchwordRule(asked.item, asked.watch)!;
      expect(a, 'asked').to.not.equal(null);
      expect(a.severity).to.be.lessThan(watchwordRule(told.item, told.watch)!.severity);
    });

    it('admins’ watch lists match too, under their list name', () => {
      const matcher = compileWatchwords([{ key: '召回', terms: ['召回'] }]);
      const a = analyze('听说这批车要召回了');
      const s = watchwordRule(item({ label: 'neutral', score: 0 }), matcher.match(a.tokens))!;
      expect(s.reasons).to.include('watchword 召回 (召回)');
    });
  });

  describe('flag', () => {
    it('one report is minor; several on one post escalate it', () => {
      const one = flagRule({ flagId: 1, postId: 5, threadId: 9, reason: '广告', openReports: 1 });
      const three = flagRule({ flagId: 3, postId: 5, threadId: 9, reason: '广告', openReports: 3 });
      expect(one.severity).to.be.lessThan(7);
      expect(three.severity).to.be.at.least(7);
      expect(one.caseKey).to.equal(three.caseKey);
      expect(one.dedupeKey).to.not.equal(three.dedupeKey);
    });
  });

  it('groups by thread for posts, by item for mentions, by series for spikes', () => {
    expect(itemCaseKey({ kind: 'post', id: 3, threadId: 7 })).to.equal('thread:7');
    expect(itemCaseKey({ kind: 'mention', id: 3, threadId: null })).to.equal('mention:3');
    const s = spikeRule('chapter:4', { minute: 100, shape: 'sudden', observed: 20, expected: 2, z: 8, share: 0.6, baselineShare: 0.15 });
    expect(s.caseKey).to.equal('spike:chapter:4');
    expect(s.severity).to.be.at.least(8);
  });

  it('SLA by severity band', () => {
    const sla = { critical: 15, high: 60, normal: 240 };
    expect([slaMinutesFor(9, sla), slaMinutesFor(6, sla), slaMinutesFor(3, sla)]).to.deep.equal([15, 60, 240]);
  });

  it('reads questions', () => {
    for (const q of ['冬天续航多少？', '这车会不会自燃', '是不是所有批次都这样呢', 'Does it overheat?']) expect(readsAsQuestion(q), q).to.equal(true);
    for (const s of ['电池起火了！', '售后太差了。', 'It caught fire.', 'This item broke after a week, terrible.', '你们是不是觉得消费者好欺负？我要起诉！', '你们是不是觉得消费者好欺负，我要起诉！']) expect(readsAsQuestion(s), s).to.equal(false);
  });
});

describe('spike series (minute buckets over many series)', () => {
  /** A deterministic pseudo-random stream (the detector's own tests use fixed data too). */
  function rng(seed: number) {
    let x = seed;
    return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  }
  /** Feed `minutes` of traffic: per minute `total(t)` items of which `negative(t)` negative. */
  function run(series: SpikeSeries, key: string, from: number, minutes: number, total: (t: number) => number, negative: (t: number) => number) {
    const fired: number[] = [];
    for (let t = from; t < from + minutes; t++) {
      const n = total(t);
      const neg = Math.min(n, negative(t));
      for (let i = 0; i < n; i++) series.add([key], t, i < neg);
      for (const f of series.advance(t + 1)) fired.push(f.signal.minute);
    }
    return fired;
  }
  const DAY = 1440;
  const rhythm = (t: number) => 0.5 + 0.5 * Math.sin(((t % DAY) / DAY) * 2 * Math.PI); // quiet nights, busy evenings

  it('a normal daily rhythm over three days raises nothing', () => {
    const r = rng(1);
    const s = new SpikeSeries();
    const fired = run(s, 'chapter:1', 0, 3 * DAY, (t) => Math.round(20 * rhythm(t) + r() * 4), (t) => Math.round((20 * rhythm(t) + r() * 4) * 0.15 * (0.7 + r() * 0.6)));
    expect(fired).to.deep.equal([]);
  });

  it('a single noisy minute raises nothing; a sustained surge does, within minutes', () => {
    const r = rng(2);
    const s = new SpikeSeries();
    const base = (t: number) => Math.round(10 + r() * 4);
    const negBase = () => Math.round(1 + r() * 2);
    expect(run(s, 'chapter:2', 0, 180, base, negBase), 'warm-up').to.deep.equal([]);
    expect(run(s, 'chapter:2', 180, 1, () => 30, () => 25), 'one noisy minute').to.deep.equal([]);
    expect(run(s, 'chapter:2', 181, 60, base, negBase), 'after the noise').to.deep.equal([]);
    const surge = run(s, 'chapter:2', 241, 30, () => 40, () => 30);
    expect(surge.length).to.equal(1);
    expect(surge[0] - 241).to.be.at.most(3);
  });

  it('a low-volume chapter’s occasional burst of 2–3 negatives raises nothing', () => {
    const r = rng(3);
    const s = new SpikeSeries();
    const fired = run(s, 'chapter:3', 0, 2 * DAY, (t) => (r() < 0.3 ? 1 : 0) + (t % 300 === 0 ? 3 : 0), (t) => (t % 300 === 0 ? 3 : 0));
    expect(fired).to.deep.equal([]);
  });

  it('keeps series apart: a spike in one chapter fires for that chapter only', () => {
    const s = new SpikeSeries();
    const fired: string[] = [];
    for (let t = 0; t < 200; t++) {
      for (let i = 0; i < 10; i++) s.add(['chapter:a', 'source:forum'], t, i === 0);
      for (let i = 0; i < 10; i++) s.add(['chapter:b', 'source:forum'], t, t >= 150 ? i < 8 : i === 0);
      for (const f of s.advance(t + 1)) fired.push(f.series);
    }
    expect(fired).to.include('chapter:b');
    expect(fired).to.not.include('chapter:a');
  });

  it('counts an item that arrives for a minute already closed in the open minute (nothing is lost)', () => {
    const s = new SpikeSeries();
    s.add(['x'], 10, true);
    s.advance(20);
    s.add(['x'], 5, true); // late
    expect(s.pending('x'), 'counted in the open minute').to.equal(1);
    s.advance(21);
    expect(s.pending('x'), 'fed to the detector').to.equal(0);
  });
});
