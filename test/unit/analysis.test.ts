import { expect } from 'chai';
import { addUserWords, analyze, segmentForIndex, type Analysis, type SentimentLabel } from '../../search/analysis';
import { detectLanguage } from '../../search/analysis/language';
import { isStopword } from '../../search/analysis/stopwords';
import { analyzeSentiment, NOT_A_NUMBER_REASON } from '../../search/analysis/sentiment';
import { lexNormalized } from '../../search/analysis/tokenize';
import { englishCheckSet } from './fixtures/english-check-set';
import { PROTOTYPE_TEXT_EN, PROTOTYPE_TEXT_ZH, PROTOTYPE_WORDS } from '../support/prototype-words';

const labelOf = (text: string): SentimentLabel => analyze(text).sentiment.label;

function expectWellFormed(a: Analysis): void {
  expect(a.sentiment.score).to.be.within(-1, 1);
  expect(a.sentiment.confidence).to.be.within(0, 1);
  expect(a.keywords.length).to.be.at.most(8);
  expect(['zh', 'en', 'mixed', 'other']).to.include(a.lang);
}

describe('analysis: language detection', () => {
  const cases: [string, string][] = [
    ['这款手机的续航真的太差了', 'zh'],
    ['华为Mate60遥遥领先，续航真香', 'zh'],
    ['The battery life on this phone is terrible', 'en'],
    ['I love it 😍', 'en'],
    ['The new phone 续航很差 but the camera is great', 'mixed'],
    ['これはとても良い製品です', 'other'],
    ['Это очень хороший телефон', 'other'],
    ['😡😡😡', 'other'],
    ['', 'other'],
    ['12345 !!!', 'other'],
  ];
  for (const [text, lang] of cases) {
    it(`${JSON.stringify(text)} -> ${lang}`, () => {
      expect(detectLanguage(text)).to.equal(lang);
      expect(analyze(text).lang).to.equal(lang);
    });
  }
});

describe('analysis: segmentation', () => {
  it('keeps dictionary slang and product words whole', () => {
    expect(segmentForIndex('华为遥遥领先')).to.include('遥遥领先');
    const tokens = segmentForIndex('续航很拉胯');
    expect(tokens).to.include('续航');
    expect(tokens).to.include('拉胯');
    expect(segmentForIndex('车机死机闪退，发热掉帧')).to.include.members(['车机', '死机', '闪退', '发热', '掉帧']);
    expect(segmentForIndex('这就是智商税，割韭菜')).to.include.members(['智商税', '割韭菜']);
  });

  it('yields words, not single characters, lowercased and without punctuation or spaces', () => {
    const tokens = segmentForIndex('这款iPhone的售后服务真的很差！！ 大家避雷。');
    expect(tokens).to.include('iphone');
    expect(tokens).to.include('售后服务');
    expect(tokens).to.include('避雷');
    for (const t of tokens) expect(t).to.match(/[\p{L}\p{N}]/u);
    expect(tokens.filter((t) => t.length > 1).length).to.be.greaterThan(tokens.length / 2);
  });

  it('folds full-width forms so documents and queries match', () => {
    expect(segmentForIndex('ＩＰＨＯＮＥ１５')).to.deep.equal(segmentForIndex('iphone15'));
  });

  it('is the tokenisation used by analyze()', () => {
    const text = '小米SU7的车机系统还是有点卡顿';
    expect(analyze(text).tokens).to.deep.equal(segmentForIndex(text));
  });

  it('addUserWords extends the dictionary at run time', () => {
    const word = '蹦迪星球仪';
    expect(segmentForIndex(`我买了${word}`)).to.not.include(word);
    addUserWords([word]);
    expect(segmentForIndex(`我买了${word}`)).to.include(word);
  });
});

describe('analysis: Chinese sentiment', () => {
  const clear: [string, SentimentLabel][] = [
    ['质量太差了，用了两天就坏，再也不买了', 'negative'],
    ['客服态度很差，退款拖了一个月都没处理', 'negative'],
    ['非常满意，物流很快，包装完好，推荐购买', 'positive'],
    ['这家店的菜很好吃，服务也热情，下次还来', 'positive'],
    ['续航很拉胯，一天三充', 'negative'],
    ['华为Mate60遥遥领先，真香', 'positive'],
    ['踩雷了，纯纯智商税', 'negative'],
    ['这手机绝绝子，yyds', 'positive'],
  ];
  for (const [text, label] of clear) {
    it(`${text} -> ${label}`, () => {
      const a = analyze(text);
      expectWellFormed(a);
      expect(a.sentiment.label).to.equal(label);
    });
  }

  it('handles negation: 不太满意 and 一点也不好 are negative, 不满意 below 满意', () => {
    expect(labelOf('不太满意')).to.equal('negative');
    expect(labelOf('一点也不好')).to.equal('negative');
    expect(analyze('不满意').sentiment.score).to.be.lessThan(analyze('满意').sentiment.score - 0.5);
  });

  it('handles double negation: 不是不好 is not negative and scores above 不好', () => {
    expect(labelOf('不是不好')).to.not.equal('negative');
    expect(analyze('不是不好').sentiment.score).to.be.greaterThan(analyze('不好').sentiment.score + 0.2);
  });

  it('handles degree words: 太差 and 非常满意 are stronger than 差 and 满意', () => {
    expect(labelOf('太差')).to.equal('negative');
    expect(analyze('质量太差').sentiment.score).to.be.lessThan(analyze('质量差').sentiment.score);
    expect(analyze('非常满意').sentiment.score).to.be.greaterThan(analyze('满意').sentiment.score);
    expect(analyze('有点失望').sentiment.score).to.be.greaterThan(analyze('非常失望').sentiment.score);
  });

  it('handles surprise: 没想到这么好 is positive', () => {
    expect(labelOf('没想到这么好')).to.equal('positive');
  });

  it('reads Weibo emoticons and emoji', () => {
    expect(labelOf('又加班到十点[怒][抓狂]')).to.equal('negative');
    expect(labelOf('收到礼物啦[哈哈][心]')).to.equal('positive');
    expect(labelOf('今天的快递又丢了😡')).to.equal('negative');
    expect(labelOf('👍')).to.equal('positive');
    expect(labelOf('😭😭')).to.equal('negative');
    expect(analyze('好吃[赞]').sentiment.score).to.be.greaterThan(analyze('好吃').sentiment.score);
  });

  it('explains its judgement with the contributing terms', () => {
    const s = analyze('质量太差了').sentiment;
    expect(s.reasons.length).to.be.greaterThan(0);
    expect(s.reasons.some((r) => r.startsWith('太差('))).to.equal(true);
    const negated = analyze('一点也不满意').sentiment;
    expect(negated.reasons.some((r) => r.includes('+满意') && r.includes('negated'))).to.equal(true);
    const slang = analyze('续航拉胯').sentiment;
    expect(slang.reasons.some((r) => r.startsWith('拉胯(-'))).to.equal(true);
  });
});

describe('analysis: English sentiment', () => {
  it('handles negation, intensifiers and "never again"', () => {
    expect(labelOf('This is not good.')).to.equal('negative');
    expect(labelOf("Honestly, it isn't bad.")).to.equal('positive');
    expect(labelOf('Never again.')).to.equal('negative');
    expect(analyze('really good').sentiment.score).to.be.greaterThan(analyze('good').sentiment.score);
    expect(labelOf('Terrible support 😡')).to.equal('negative');
  });

  it(`reaches >= 0.85 accuracy on the hand-labelled check set (${englishCheckSet.length} sentences)`, () => {
    expect(englishCheckSet.length).to.be.at.least(60);
    const wrong = englishCheckSet.filter(({ text, label }) => labelOf(text) !== label);
    const accuracy = 1 - wrong.length / englishCheckSet.length;
    expect(accuracy, `wrong: ${wrong.map((w) => w.text).join(' | ')}`).to.be.at.least(0.85);
  });

  it('combines both scorers for mixed text', () => {
    const a = analyze('这个新手机 battery life is terrible, 太失望了');
    expect(a.lang).to.equal('mixed');
    expect(a.sentiment.label).to.equal('negative');
  });
});

describe('analysis: neutral', () => {
  const neutral = [
    '请问这个手机什么时候发货？',
    '有没有人知道新版本什么时候推送',
    '【公告】本周六晚10点论坛维护，敬请谅解',
    '活动报名：周日下午线下见面会，地点见置顶帖',
    'How do I reset the network settings on this model?',
    'Announcement: the forum will be down for maintenance on Sunday.',
    '我昨天买了256G的版本',
  ];
  for (const text of neutral) {
    it(`${text} -> neutral`, () => {
      const a = analyze(text);
      expectWellFormed(a);
      expect(a.sentiment.label).to.equal('neutral');
    });
  }

  it('still labels an angry question as negative', () => {
    expect(labelOf('为什么质量这么差？客服也不理人，垃圾！')).to.equal('negative');
  });
});

describe('analysis: extraction', () => {
  const text =
    '@小米客服 @user_01 我的订单号：2024051812345678 还没发货，电话13812345678 或 139-1234-5678，' +
    '邮件 someone@example.com #小米SU7# #售后 详情 https://weibo.com/123?x=1。';
  const a = analyze(text);

  it('finds mentions, stopping at whitespace and punctuation', () => {
    expect(a.mentions).to.deep.equal(['小米客服', 'user_01']);
  });

  it('finds Weibo #话题# and #tag hashtags', () => {
    expect(a.hashtags).to.include('小米SU7');
    expect(a.hashtags).to.include('售后');
  });

  it('finds URLs without trailing punctuation', () => {
    expect(a.urls).to.deep.equal(['https://weibo.com/123?x=1']);
  });

  it('finds phone numbers, order numbers and emails', () => {
    expect(a.entities).to.deep.include({ kind: 'order', value: '2024051812345678' });
    expect(a.entities).to.deep.include({ kind: 'phone', value: '13812345678' });
    expect(a.entities).to.deep.include({ kind: 'phone', value: '13912345678' });
    expect(a.entities).to.deep.include({ kind: 'email', value: 'someone@example.com' });
    // The order number is not also reported as a phone number, nor the email as a mention.
    expect(a.entities.filter((e) => e.kind === 'phone')).to.have.length(2);
    expect(a.mentions).to.not.include('example');
  });

  it('reads English order numbers and ignores numbers that are not phones', () => {
    const e = analyze('Order no. AB12345678CD arrived broken; call 12345678901 or 1381234567').entities;
    expect(e).to.deep.equal([{ kind: 'order', value: 'AB12345678CD' }]);
  });
});

describe('analysis: keywords', () => {
  it('returns content words, free of stopwords and numbers', () => {
    const a = analyze('这款手机的续航真的太差了，我们用了2天就没电了，而且车机系统经常死机，售后也不管，我们真的很失望');
    expect(a.keywords.length).to.be.within(1, 8);
    expect(a.keywords).to.include('续航');
    for (const k of a.keywords) {
      expect(isStopword(k), k).to.equal(false);
      expect(k).to.not.match(/^\d+$/);
    }
  });

  it('uses term frequency for English', () => {
    const a = analyze('The battery drains fast. Battery life is the worst, and the battery gets hot.');
    expect(a.keywords[0]).to.equal('battery');
    expect(a.keywords).to.not.include('the');
  });
});

describe('analysis: complaint category', () => {
  const cases: [string, string][] = [
    ['车机死机闪退，OTA升级以后更卡了，太垃圾', 'software'],
    ['刹车失灵差点出事故，太可怕了', 'safety'],
    ['买了两周就降价，价保也不给，背刺老用户', 'price'],
    ['快递一个星期都没送到，物流信息也不更新，差评', 'delivery'],
    ['客服态度恶劣，打电话推诿，根本不解决问题', 'service'],
    ['做工很差，到手就有划痕，质量堪忧', 'quality'],
    ['app偷偷读取通讯录，个人信息泄露，隐私没保障', 'privacy'],
  ];
  for (const [text, category] of cases) {
    it(`${text} -> ${category}`, () => {
      const a = analyze(text);
      expect(a.complaint?.category).to.equal(category);
      expect(a.complaint?.reasons.length).to.be.greaterThan(0);
    });
  }

  it('does not file praise as a complaint', () => {
    expect(analyze('质量很好，物流也很快，客服态度热情').complaint).to.equal(undefined);
  });

  it('files an explicit complaint even when the wording is calm', () => {
    expect(analyze('我要投诉，订单一直没有发货').complaint?.category).to.equal('delivery');
  });
});

describe('analysis: robustness', () => {
  it('is deterministic', () => {
    const text = '@小米 续航很拉胯 #吐槽# https://x.cn 😡 订单号1234567890AB';
    expect(analyze(text)).to.deep.equal(analyze(text));
  });

  it('does not throw on empty, huge, emoji-only or symbol-only input', () => {
    const empty = analyze('');
    expect(empty.sentiment.label).to.equal('neutral');
    expect(empty.tokens).to.deep.equal([]);
    const huge = '这款手机续航很差，售后也不理人。Battery is bad! '.repeat(400).slice(0, 10_000);
    expect(huge.length).to.equal(10_000);
    expectWellFormed(analyze(huge));
    expectWellFormed(analyze('a'.repeat(10_000)));
    expectWellFormed(analyze('😀😡❤️👍🏻🎉'));
    expectWellFormed(analyze('。。。！！！？？？###@@@'));
    expect(analyze('🎉🎉🎉').tokens).to.deep.equal([]);
  });
});

describe('analysis: words that are Object.prototype property names', () => {
  const texts = [PROTOTYPE_TEXT_EN, PROTOTYPE_TEXT_ZH, ...PROTOTYPE_WORDS, ...PROTOTYPE_WORDS.map((w) => `我的${w}坏了`), ...PROTOTYPE_WORDS.map((w) => `[${w}]`)];
  it('gives finite scores, a label and string reasons for every one of them, in en and zh', () => {
    for (const text of texts) {
      const a = analyze(text);
      expect(Number.isFinite(a.sentiment.score), text).to.equal(true);
      expect(Number.isFinite(a.sentiment.confidence), text).to.equal(true);
      expectWellFormed(a);
      for (const r of a.sentiment.reasons) expect(r, text).to.be.a('string').and.not.match(/NaN|function/);
    }
  });

  it('keeps the sentiment of the words around them', () => {
    expect(analyze(`${PROTOTYPE_TEXT_EN} terrible, awful, broken`).sentiment.label).to.equal('negative');
  });
});

describe('analysis: a scorer that yields no number', () => {
  it('falls back to a neutral, finite score and says why', () => {
    // A NaN share blends the two scorers into NaN: the same shape as a lookup that found a function.
    const s = analyzeSentiment('the new phone 续航很差', lexNormalized('the new phone 续航很差').sentimentTokens, 'mixed', Number.NaN);
    expect(s.label).to.equal('neutral');
    expect(s.score).to.equal(0);
    expect(s.confidence).to.equal(0.5);
    expect(s.reasons).to.include(NOT_A_NUMBER_REASON);
  });
});
