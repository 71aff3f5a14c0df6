/**
 * Features for the Chinese sentiment model: word unigrams (negation-aware), word bigrams,
 * Han character bigrams, emoticons/emoji and a few punctuation cues, with degree words
 * scaling the next word. The training script and the run-time scorer both call this, so
 * the model always sees the same features it was trained on.
 */
import { EMOJI_RE, EMOTICON_RE, emotiveToken } from './emoji';
import { cutNormalized } from './segment';

/** A token for sentiment: a word, an emoticon/emoji, or a clause break (punctuation, space). */
export interface SentimentToken { text: string; kind: 'word' | 'emo' | 'break' }

/** One feature occurrence: model key, value, the human-readable term and whether it was negated. */
export interface Feature { key: string; value: number; term: string; negated: boolean }

// URLs and @mentions carry no sentiment and would only add noise features; replace by a break.
const NOISE_RE = /https?:\/\/\S+|www\.\S+|@[\p{L}\p{N}_-]{1,30}/gu;
const SPECIAL_RE = new RegExp(`${EMOTICON_RE.source}|${EMOJI_RE.source}`, 'gu');
const WORDLIKE = /[\p{L}\p{N}]/u;
const DIGITS = /^\p{N}+$/u;
const HAN = /\p{Script=Han}/u;

/** Negators open a short scope in which the following words are flipped. */
export const NEGATORS = new Set([
  '不', '没', '没有', '无', '非', '未', '别', '莫', '勿', '不是', '并不', '并非', '并没有', '并没', '并不是', '毫不', '毫无',
  '决不', '绝不', '从不', '从没', '从未', '不太', '不怎么', '不够', '不大', '木有', '不再', '没什么', '没啥', '谈不上',
  '算不上', '称不上', '不会', '不能', '不要', '不用', '无法', '不算', 'not', 'no', 'never',
]);
// Words after a negator stay negated until a clause break, a contrast word or this many words.
const NEGATION_SCOPE = 3;

/** Degree words scale the next content word: intensifiers up, downtoners down. */
export const DEGREE = new Map<string, number>([
  ...['太', '很', '非常', '特别', '超', '超级', '十分', '极其', '极', '极度', '巨', '贼', '相当', '真的', '真', '最', '过于',
    '尤其', '格外', '更', '更加', '蛮', '挺', '完全', '根本', '实在', '简直', '绝对', '确实', '太过', '那么', '这么',
    '一点也', '一点都', '一点儿也', '一点儿都', '好不', 'very', 'so', 'too', 'really'].map((w): [string, number] => [w, 1.5]),
  ...['有点', '有些', '稍微', '略', '略微', '稍', '比较', '还算', '有一点', '一点点'].map((w): [string, number] => [w, 0.6]),
]);

// Contrast words end a negation scope: "不贵但是难吃" must not flip 难吃.
const CONTRAST = new Set(['但', '但是', '可是', '不过', '然而', '却', '只是', '就是']);

/** Split normalised text into sentiment tokens (jieba words, emoticons/emoji, breaks). */
export function sentimentTokens(normalized: string): SentimentToken[] {
  const out: SentimentToken[] = [];
  const pushWords = (chunk: string): void => {
    if (chunk.length === 0) return;
    for (const w of cutNormalized(chunk)) {
      if (WORDLIKE.test(w)) out.push({ text: w, kind: 'word' });
      else {
        // Consecutive punctuation/whitespace is one break; keep its text so "。。。" and "?!" survive as cues.
        const last = out[out.length - 1];
        if (last && last.kind === 'break') last.text += w;
        else out.push({ text: w, kind: 'break' });
      }
    }
  };
  const text = normalized.replace(NOISE_RE, ' ');
  let last = 0;
  for (const m of text.matchAll(SPECIAL_RE)) {
    pushWords(text.slice(last, m.index));
    out.push({ text: emotiveToken(m[0]), kind: 'emo' });
    last = m.index + m[0].length;
  }
  pushWords(text.slice(last));
  return out;
}

// Punctuation that carries tone: rhetorical questions and exclamations in reviews, "。。。" sighs.
function punctuationCue(p: string): string | undefined {
  if (p.includes('?')) return '?';
  if (p.includes('!')) return '!';
  if (p.includes('...') || p.includes('。。') || p.includes('…')) return '...';
  return undefined;
}

/** Sentiment features of a token list (duplicates kept; see `featureVector`). */
export function zhFeatures(tokens: SentimentToken[]): Feature[] {
  const feats: Feature[] = [];
  let negLeft = 0;
  let negated = false;
  let negCue = '';
  let degree = 1;
  let prevWord = '';
  let prevHan = '';
  const cues = new Set<string>();
  const closeClause = (): void => {
    negLeft = 0; negated = false; degree = 1; prevWord = ''; prevHan = '';
  };
  for (const tok of tokens) {
    if (tok.kind === 'break') {
      const cue = punctuationCue(tok.text);
      if (cue) cues.add(cue);
      closeClause();
      continue;
    }
    if (tok.kind === 'emo') {
      feats.push({ key: 'e:' + tok.text, value: 1, term: tok.text, negated: false });
      closeClause();
      continue;
    }
    const w = DIGITS.test(tok.text) ? '#' : tok.text;
    if (prevWord) feats.push({ key: 'b:' + prevWord + '|' + w, value: 1, term: prevWord + w, negated: false });
    prevWord = w;
    // Han character bigrams run across word boundaries inside a clause: robust to jieba's choices.
    for (const ch of w) {
      if (HAN.test(ch)) {
        if (prevHan) feats.push({ key: 'c:' + prevHan + ch, value: 1, term: prevHan + ch, negated: false });
        prevHan = ch;
      } else prevHan = '';
    }
    if (CONTRAST.has(w)) {
      negLeft = 0; negated = false; degree = 1;
      feats.push({ key: 'w:' + w, value: 1, term: w, negated: false });
      continue;
    }
    if (NEGATORS.has(w)) {
      // A second negator inside the scope cancels the first: "不是不满意".
      negated = negLeft > 0 ? !negated : true;
      negCue = negLeft > 0 && !negated ? '' : w;
      negLeft = NEGATION_SCOPE;
      feats.push({ key: 'w:' + w, value: 1, term: w, negated: false });
      continue;
    }
    const scale = DEGREE.get(w);
    if (scale !== undefined) {
      degree = scale;
      feats.push({ key: 'w:' + w, value: 1, term: w, negated: false });
      continue;
    }
    if (negLeft > 0 && negated) {
      feats.push({ key: 'n:' + w, value: degree, term: negCue + '+' + w, negated: true });
    } else {
      feats.push({ key: 'w:' + w, value: degree, term: w, negated: false });
    }
    degree = 1;
    if (negLeft > 0 && --negLeft === 0) negated = false;
  }
  for (const cue of cues) feats.push({ key: 'p:' + cue, value: 1, term: cue, negated: false });
  return feats;
}

/** De-duplicate features by key, keeping the strongest value: presence, not counts, so long reviews do not dominate. */
export function featureVector(feats: Feature[]): Map<string, Feature> {
  const byKey = new Map<string, Feature>();
  for (const f of feats) {
    const seen = byKey.get(f.key);
    if (!seen || f.value > seen.value) byKey.set(f.key, f);
  }
  return byKey;
}
