/**
 * Community cues for Chinese posts (issue #11): what the review-trained model cannot see in a
 * fan community's register. Each cue is a general mechanism, not a phrase of any one set:
 *  - turns: the clause after 但是/结果/不过/没想到 is scored apart from the one before it, and an
 *    expectation clause (本来/以为/一开始/虽然) counts as the "before" even without a turn word;
 *  - comparisons: clauses about another product (别家/隔壁/之前那台/同价位) are scored apart, so
 *    criticism of a rival can read as praise of us;
 *  - irony: praise words in quotes, sticker irony ([微笑] [doge] [狗头]), thanks and emphatic
 *    markers (真是/可真/不愧是) next to negative evidence;
 *  - questions: rhetorical and question-complaint patterns (这正常吗/是摆设吗/有人管吗) versus
 *    genuine questions (请问/一般多久/有没有人);
 *  - notices and logistics (公告/须知/流程/dates and times), and mild colloquial praise (值了/靠谱/回购).
 * The values feed the three-way layer (three-way.ts), which learned their weights; each fired cue
 * is named so the label can say why.
 */
import { NEGATORS } from './features-zh';
import { zhLexiconPolarity } from './lexicon-zh';
import { zhModel, zhSpanLogit, type LoadedZhModel, type SpanLogit } from './sentiment-zh';
import { lexNormalized, type SentimentToken } from './tokenize';
import { COMMUNITY_CUE_NAMES, communityCues, type CommunityScores } from './community-model';

/** The cue features, in the order of the vector (the three-way model stores the same list). */
export const ZH_CUE_NAMES = [
  'z_all', 'pos_all', 'neg_all', 'has_turn', 'z_head', 'z_tail', 'z_rival', 'z_rest_if_rival',
  'question', 'question_neg', 'question_pos', 'genuine_question', 'rhetorical', 'rhetorical_neg',
  'notice', 'schedule', 'header', 'notice_abs',
  'quote', 'quote_pos', 'sticker', 'sticker_pos', 'thanks_neg', 'emphatic_neg', 'emphatic_pos',
  'mild_praise', 'problem', 'problem_pos', 'exclaim', 'length', 'no_evidence', 'z_all_long', 'z_tail_long', 'negated_praise', 'double_negated_praise',
  'c_neg', 'c_neu', 'c_pos', 'c_crisis',
] as const;
export type ZhCueName = (typeof ZH_CUE_NAMES)[number];
const INDEX = new Map<string, number>(ZH_CUE_NAMES.map((n, i) => [n, i]));

// Turn words: the opinion is in what follows them.
const TURN = new Set(['但', '但是', '可是', '不过', '然而', '却', '结果', '没想到', '谁知', '谁知道', '哪知', '哪知道', '想不到', '才发现',
  '后来', '现在', '终于', '其实', '反而', '倒是', 'but']);
// Expectation words: the clause holding them is the one the turn overrides, turn word or not.
const EXPECT = new Set(['本来', '本以为', '原本', '原以为', '以为', '一开始', '刚开始', '开始', '起初', '之前', '虽然', '虽', '尽管', '担心',
  '怕', '本来以为']);
// Another product or an earlier one: a clause about it is compared against, not about us.
const RIVAL = new Set(['别家', '隔壁', '别人家', '别人', '别的', '其他', '其它', '友商', '同价位', '别家的', '旧的', '以前', '之前', '原来',
  '老款', '上一代', '竞品', '同事', '朋友', '人家', '比起', '相比', '对比', '比']);

/**
 * Counts non-overlapping occurrences of any of a list of words, longest first at each position, in
 * one pass over the text: a regex alternation of seventy words tried every word at every position.
 */
export class LiteralCounter {
  private readonly byFirst = new Map<number, string[]>();
  // Which code units start a word: most characters of a text start none, and skip the Map.
  private readonly starts = new Uint8Array(0x10000);

  constructor(words: readonly string[]) {
    for (const w of [...words].sort((a, b) => b.length - a.length)) {
      this.starts[w.charCodeAt(0)] = 1;
      const list = this.byFirst.get(w.charCodeAt(0));
      if (list) list.push(w);
      else this.byFirst.set(w.charCodeAt(0), [w]);
    }
  }

  private longestAt(text: string, i: number): string | undefined {
    for (const w of this.byFirst.get(text.charCodeAt(i))!) if (text.startsWith(w, i)) return w;
    return undefined;
  }

  /** How many times the words occur in text, up to cap. */
  count(text: string, cap: number): number {
    let n = 0;
    for (let i = 0; i < text.length && n < cap; ) {
      const hit = this.starts[text.charCodeAt(i)] === 0 ? undefined : this.longestAt(text, i);
      if (hit === undefined) i++;
      else { n++; i += hit.length; }
    }
    return n;
  }
}

const QUESTION_RE = /[?？]|吗\s*[。.!！~～…]*\s*$|呢\s*$/;
const GENUINE_Q_RE = /请问|求问|求助|求推荐|有没有人|有人知道|有人.{0,6}吗|大家|一般|多久|多少|怎么[设弄用办操]|如何|哪个|哪款|哪里|哪儿|能不能|可不可以|是否|需要.{0,8}吗|建议/;
const RHETORICAL_RE = /到底|难道|凭什么|什么意思|摆设|有人管|没人管|正常吗|正常[?？]|合理吗|合理[?？]|就这[?？]|这就是.{0,14}[?？]|是不是.{0,12}[?？]|怎么回事|搞什么|咋回事|谁来|为什么要|为啥要|为什么.{0,24}[?？]|为啥.{0,24}[?？]|好意思|在哪[里儿]?[?？]|还要.{0,8}[?？]|有用吗|管用吗|是.{1,10}的吗[?？]?|吧[?？]/;
const NOTICE_RE = /【|】|通知|公告|须知|说明[:：]|提醒[:：]|流程|报名|敬请|请勿|请于|请在|请提前|请.{0,6}联系|如遇|如有|即日起|暂停|恢复|→|规则|步骤|方式[:：]|注意事项|温馨提示|欢迎|开放|上线|截止|预约|时间[:：]|地址[:：]/;
const SCHEDULE_RE = /\d+月\d+日|\d+[:：]\d\d|\d+号|周[一二三四五六日末]|星期[一二三四五六日天]|今晚|明晚|本周|下周|每周|工作日|\d+[-–~至到]\d+/;
const HEADER_RE = /^[^，。！？,.!?]{2,14}[:：]/;
const QUOTE_RE = /[“"「『‘']([^”"」』’']{1,12})[”"」』’']/gu;
const STICKER_RE = /\[(?:微笑|doge|狗头|呵呵|吃瓜|白眼|摊手|允悲|二哈|笑cry|阴险|拜拜)\]|🙂|🙃|😅|🤡|😓|🐶/u;
const THANKS_RE = /谢谢|感谢|多谢|谢了|感恩/;
const EMPHATIC_RE = /真是|可真|真行|不愧是|果然|确实|简直|真的是|好棒哦|真棒|厉害了|服了|绝了|666|哦[，。！!~～]?$|喔[，。！!~～]?$/;
// Mild colloquial praise that review corpora underweight ("值了", "靠谱", "下次还买").
const MILD_PRAISE = new LiteralCounter([
  '值了', '值得', '靠谱', '靠得住', '回购', '还买', '再买', '还会买', '下次还', '下回还', '会再来', '省心', '省事', '抵买', '不亏', '可以入', '闭眼入', '离不开', '踏实', '真香', '没毛病', '挑不出', '没得说', '没话说', '够用', '买对了', '放心', '顺手', '跟手', '稳稳', '很稳', '稳多了', '安静', '干净', '准时', '麻利', '利索', '窝心', '贴心', '专业', '耐心', '认真', '负责', '到位', '用心', '必备', '又买', '推荐', '安利', '好正', '搞掂', '挺好', '还不错', '不错', '还可以', '没问题', '好用', '好吃', '好喝', '好闻', '划算', '实惠', '吊打', '完胜',
]);
// Something went wrong: repeated or unresolved problems ("又", "还没", "三天两头").
const PROBLEM = new LiteralCounter([
  '又', '还是', '一直', '总是', '老是', '三天两头', '再也不', '没人', '不理', '没反应', '不亮', '不动', '坏', '修了', '返修', '返厂', '等了', '还没', '至今', '只能', '根本', '完全不', '用不了', '打不开', '连不上', '断连', '卡', '吵', '异响', '响', '漏', '烫', '疼', '痛', '痒', '肿', '过敏', '难受', '后悔', '骗', '坑', '涨价', '乱收费', '套路', '扯皮', '推诿', '敷衍', '失望', '无语', '离谱', '智商税', '白花', '白交', '白买', '贵', '慢', '差', '退款', '投诉',
]);

const EN_NOTICE_RE = /\b(?:notice|announcement|reminder|maintenance|registration|sign up|how to|steps?|faq|schedule)\b|^[^.!?]{2,24}:/;

/** Whether a text reads as a notice, rules or logistics (Chinese or English markers): crisis words there are not a report. */
export function isNotice(normalized: string): boolean {
  return NOTICE_RE.test(normalized) || EN_NOTICE_RE.test(normalized);
}

function spanOf(tokens: SentimentToken[], from: number, to: number, m: LoadedZhModel): SpanLogit {
  return zhSpanLogit(from === 0 && to === tokens.length ? tokens : tokens.slice(from, to), m);
}

/**
 * The cue vector of one normalised Chinese text: `logit`, `evidence` and `whole` (its positive and
 * negative evidence) are the corpus model's on the whole text, `tokens` its sentiment tokens. Clauses are scored with the same model.
 */
export function zhCues(normalized: string, tokens: SentimentToken[], logit: number, evidence: number, whole: SpanLogit, m: LoadedZhModel = zhModel(), community?: CommunityScores): Float64Array {
  const v = new Float64Array(ZH_CUE_NAMES.length);
  const set = (name: ZhCueName, x: number): void => { v[INDEX.get(name)!] = x; };
  set('z_all', clip(logit, 8));
  set('pos_all', Math.min(8, whole.positive));
  set('neg_all', Math.min(8, whole.negative));
  set('no_evidence', evidence === 0 ? 1 : 0);
  // Clause boundaries, the last turn word and the first expectation clause.
  const clauseStart: number[] = [0];
  let turnAt = -1;
  let expectClause = -1;
  let clause = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'break') {
      if (i + 1 < tokens.length) { clauseStart.push(i + 1); clause++; }
      continue;
    }
    if (t.kind !== 'word') continue;
    if (TURN.has(t.text) && i > 0) turnAt = i;
    else if (expectClause < 0 && EXPECT.has(t.text)) expectClause = clause;
  }
  clauseStart.push(tokens.length);
  let headEnd = -1;
  if (turnAt > 0) headEnd = turnAt;
  else if (expectClause >= 0 && expectClause + 1 < clauseStart.length - 1) headEnd = clauseStart[expectClause + 1];
  if (headEnd > 0 && headEnd < tokens.length) {
    const head = spanOf(tokens, 0, headEnd, m);
    const tail = spanOf(tokens, headEnd, tokens.length, m);
    set('has_turn', 1);
    set('z_head', clip(head.positive - head.negative, 8));
    set('z_tail', clip(tail.positive - tail.negative, 8));
  }
  // Clauses about a rival or an earlier product, against the rest (only the rival clauses are scored again).
  let rival = 0;
  let rivalSeen = false;
  for (let c = 0; c + 1 < clauseStart.length; c++) {
    let isRival = false;
    for (let i = clauseStart[c]; i < clauseStart[c + 1]; i++) if (tokens[i].kind === 'word' && RIVAL.has(tokens[i].text)) { isRival = true; break; }
    if (!isRival) continue;
    const s = spanOf(tokens, clauseStart[c], clauseStart[c + 1], m);
    rival += s.positive - s.negative;
    rivalSeen = true;
  }
  if (rivalSeen) {
    set('z_rival', clip(rival, 8));
    set('z_rest_if_rival', clip(whole.positive - whole.negative - rival, 8));
  }
  const squash = (x: number) => Math.tanh(x / 2);
  const question = QUESTION_RE.test(normalized) ? 1 : 0;
  set('question', question);
  set('question_neg', question * squash(whole.negative));
  set('question_pos', question * squash(whole.positive));
  set('genuine_question', GENUINE_Q_RE.test(normalized) ? 1 : 0);
  const rhetorical = RHETORICAL_RE.test(normalized) ? 1 : 0;
  set('rhetorical', rhetorical);
  set('rhetorical_neg', rhetorical * squash(whole.negative));
  const notice = NOTICE_RE.test(normalized) ? 1 : 0;
  set('notice', notice);
  set('schedule', SCHEDULE_RE.test(normalized) ? 1 : 0);
  set('header', HEADER_RE.test(normalized) ? 1 : 0);
  set('notice_abs', notice * squash(Math.abs(logit)));
  // Praise words in quotes: the quoted span's positive evidence.
  let quote = 0;
  let quotePos = 0;
  if (normalized.includes('“') || normalized.includes('"') || normalized.includes('「') || normalized.includes('『') || normalized.includes('‘') || normalized.includes("'")) {
    for (const q of normalized.matchAll(QUOTE_RE)) {
      quote = 1;
      const s = zhSpanLogit(lexNormalized(q[1]).sentimentTokens, m);
      quotePos = Math.max(quotePos, s.positive - s.negative);
    }
  }
  set('quote', quote);
  set('quote_pos', squash(Math.max(0, quotePos)));
  const sticker = STICKER_RE.test(normalized) ? 1 : 0;
  set('sticker', sticker);
  set('sticker_pos', sticker * squash(whole.positive));
  set('thanks_neg', THANKS_RE.test(normalized) ? squash(whole.negative) : 0);
  const emphatic = EMPHATIC_RE.test(normalized) ? 1 : 0;
  set('emphatic_neg', emphatic * squash(whole.negative));
  set('emphatic_pos', emphatic * squash(whole.positive));
  set('mild_praise', MILD_PRAISE.count(normalized, 3));
  const problem = PROBLEM.count(normalized, 4);
  set('problem', problem);
  set('problem_pos', Math.min(problem, 2) * squash(whole.positive));
  set('exclaim', /[!！]/.test(normalized) ? 1 : 0);
  set('length', Math.log1p(normalized.length) / 5);
  const [negatedP, doubleNegatedP] = negatedPraise(tokens);
  set('negated_praise', negatedP);
  set('double_negated_praise', doubleNegatedP);
  // Long texts (reviews) are what the corpus model was trained on: let its score count more there.
  const long = Math.min(1, normalized.length / 120);
  set('z_all_long', long * v[INDEX.get('z_all')!]);
  set('z_tail_long', long * v[INDEX.get('z_tail')!]);
  // The community word model (community-model.ts): naive Bayes sums grow with the text, so they are
  // scaled and clipped; the layer learns how far to trust them.
  if (community) communityCues(community).forEach((x, i) => set(COMMUNITY_CUE_NAMES[i], x));
  return v;
}

function clip(x: number, cap: number): number {
  return x > cap ? cap : x < -cap ? -cap : x;
}

/**
 * Praise words under a negator ("不太满意", "没那么好用", "不推荐"): a mild complaint, not a neutral
 * remark; and praise words after a double negation ("不是不好", "没有不满意"): praise, said carefully.
 */
function negatedPraise(tokens: SentimentToken[]): [number, number] {
  let n = 0;
  let doubled = 0;
  let scope = 0;
  let negated = false;
  let double = false;
  for (const t of tokens) {
    if (t.kind !== 'word') { scope = 0; double = false; continue; }
    const w = t.text;
    // A second negator inside the scope cancels the first: "不是不好".
    if (NEGATORS.has(w)) { double = scope > 0 && negated; negated = scope > 0 ? !negated : true; scope = 2; continue; }
    // jieba keeps some negations whole: 不满意, 不好用.
    const head = w.charCodeAt(0);
    const inner = w.length >= 2 && (head === 0x4e0d || head === 0x6ca1) ? zhLexiconPolarity(w.slice(1)) : undefined;
    const p = zhLexiconPolarity(w);
    const underNegation = scope > 0 && negated;
    if ((underNegation && p !== undefined && p > 0) || (!underNegation && inner !== undefined && inner > 0)) {
      // "不是不满意": the whole negated word after a single negator is a double negation too.
      if (scope > 0 && !negated && inner !== undefined) doubled++;
      else n++;
    } else if (scope > 0 && double && p !== undefined && p > 0) doubled++;
    if (scope > 0 && --scope === 0) { negated = false; double = false; }
  }
  return [Math.min(2, n), Math.min(2, doubled)];
}
