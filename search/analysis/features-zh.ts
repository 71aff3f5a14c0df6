/**
 * Features for the Chinese sentiment model: word unigrams (negation-aware), word bigrams,
 * Han character bigrams, emoticons/emoji, a few punctuation cues and two lexicon-mass features,
 * with degree and surprise words scaling what follows. One traversal (`walkZhFeatures`) emits
 * them into a sink: the training script collects string keys (`zhFeatures`), the run-time scorer
 * hashes the same characters without building strings, so both always see the same features.
 *
 * Keys: w:word, n:word (negated), b:word|word, c:字字, m:字字 (inside a negated word), e:[表情],
 * p:? / p:! / p:..., and L:+ / L:- (lexicon mass, summed and capped instead of de-duplicated).
 */
import { zhLexiconEntries } from './lexicon-zh';
import type { SentimentToken } from './tokenize';

/** Receives every feature occurrence of a text, in order. */
export interface FeatureSink {
  /** w:word, or n:word when negated (negCue names the negator, for reasons). */
  word(w: string, value: number, negated: boolean, negCue: string): void;
  /** b:a|b, a word bigram within a clause. */
  wordBigram(a: string, b: string): void;
  /** c:xy, or m:xy when inside a negated word; x and y are UTF-16 code units, `w` the word holding y. */
  charBigram(x: number, y: number, value: number, negated: boolean, negCue: string, w: string): void;
  /** e:token for an emoticon or (mapped) emoji. */
  emotive(token: string): void;
  /** p:cue, once per text for each of ?, ! and ... */
  cue(cue: string): void;
  /** Lexicon mass of one word: L:+ or L:- with a non-negative mass. */
  lexicon(positive: boolean, mass: number, negated: boolean, negCue: string, w: string): void;
}

/** One feature with its string key, as the trainer sees it. */
export interface Feature {
  key: string;
  value: number;
  negated: boolean;
  /** Human-readable term for reasons: "太差", "不+好", "[怒]". */
  term: string;
}

/** Keys of the dense lexicon features: positive and negative mass. */
export const LEXICON_POSITIVE = 'L:+';
export const LEXICON_NEGATIVE = 'L:-';
/** Lexicon mass is capped so a long review listing ten complaints does not swamp everything else. */
export const LEXICON_MASS_CAP = 2;
// A negated lexicon word moves the other way, but less: "不好" is milder than "差".
const LEXICON_NEGATION = 0.6;

// Surprise markers amplify the rest of their clause: in "没想到这么好" the surprise is the point.
const SURPRISE = new Set(['没想到', '想不到', '居然', '竟然', '竟', '真没想到', '万万没想到', '出乎意料', '意想不到', '出乎意料地']);
const SURPRISE_SCALE = 2;

// Contrast words end a negation scope: "不贵但是难吃" must not flip 难吃.
const CONTRAST = new Set(['但', '但是', '可是', '不过', '然而', '却', '只是', '就是']);

// Numbers collapse to "#": "用了3天" and "用了5天" say the same thing.
function isDigits(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return word.length > 0;
}

// Han by code unit range (BMP ideographs and extension A); the regex \p{Script=Han} is ~10x slower
// and this runs for every character of every post. Rare supplementary-plane Han count as non-Han.
function isHan(code: number): boolean {
  return (code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0xf900 && code <= 0xfaff);
}

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

// jieba keeps lexicalised negations whole ("不好", "不满意", "没用"); splitting them into negator +
// word lets "不好" share weights with "不 太 好" and makes "不是不好" a double negation. These
// 不/没- words are function words or idioms, not negations of a sentiment word, so stay whole.
const KEEP_WHOLE = new Set([
  '不过', '不同', '不断', '不禁', '不久', '不仅', '不如', '不管', '不然', '不少', '不知', '不知道', '不得不', '不得', '不停',
  '不止', '不论', '不只', '不但', '不可', '不必', '不免', '不时', '不住', '不至于', '不料', '不一定', '不一样', '不已', '不光',
  '不由得', '不要紧', '不在乎', '没想到', '没事', '没关系', '没法', '没准', '没多久', '没几', '没什么', '没啥', '没有', '不怎么样',
]);
const NEGATION_HEADS = new Set(['不'.charCodeAt(0), '没'.charCodeAt(0)]);

/** Split "不好" into "不" + "好" and "不太好" into "不太" + "好" (see KEEP_WHOLE for the exceptions). */
function splitNegation(word: string, role: WordRole | undefined): [string, string] | undefined {
  // Cheap checks first: this runs for every word and almost none start with 不/没.
  if (word.length < 2 || word.length > 4 || !NEGATION_HEADS.has(word.charCodeAt(0)) || !isHan(word.charCodeAt(1))) return undefined;
  if (role !== undefined && (role.keepWhole || role.negator || role.degree !== undefined)) return undefined;
  // Longest negator prefix first, so the degree in "不太" stays with the negation.
  for (let len = 3; len >= 2; len--) {
    if (word.length > len && NEGATORS.has(word.slice(0, len))) return [word.slice(0, len), word.slice(len)];
  }
  return [word[0], word.slice(1)];
}

/** Everything the feature extractor needs to know about a word, from one Map lookup. */
interface WordRole {
  negator: boolean;
  degree: number | undefined;
  contrast: boolean;
  surprise: boolean;
  keepWhole: boolean;
  polarity: number | undefined;
}

// One lookup per word instead of six Set/object probes: this loop dominates analyze()'s cost.
const ROLES = new Map<string, WordRole>();
function role(word: string): WordRole {
  let r = ROLES.get(word);
  // All fields present from the start, so every role object shares one hidden class.
  if (!r) ROLES.set(word, (r = { negator: false, degree: undefined, contrast: false, surprise: false, keepWhole: false, polarity: undefined }));
  return r;
}
for (const w of NEGATORS) role(w).negator = true;
for (const [w, scale] of DEGREE) role(w).degree = scale;
for (const w of CONTRAST) role(w).contrast = true;
for (const w of SURPRISE) role(w).surprise = true;
for (const w of KEEP_WHOLE) role(w).keepWhole = true;
for (const [w, polarity] of zhLexiconEntries()) role(w).polarity = polarity;

// Punctuation that carries tone: rhetorical questions and exclamations in reviews, "。。。" sighs.
function punctuationCue(p: string): string | undefined {
  if (p.includes('?')) return '?';
  if (p.includes('!')) return '!';
  if (p.includes('...') || p.includes('。。') || p.includes('…')) return '...';
  return undefined;
}

/** Walk the sentiment tokens of one text and emit its features into `sink` (duplicates included). */
export function walkZhFeatures(tokens: SentimentToken[], sink: FeatureSink): void {
  let negLeft = 0;
  let negated = false;
  let negCue = '';
  let degree = 1;
  let surprise = 1;
  let prevWord = '';
  let prevHan = 0;
  // After a double negation ("不是不", "没有不") the bigrams joining the inner negator to the next
  // word ("不好") would re-assert the single negation; leave them out and let the word speak.
  let doubleNegated = false;
  let cueQuestion = false;
  let cueBang = false;
  let cueEllipsis = false;
  const closeClause = (): void => {
    negLeft = 0; negated = false; degree = 1; surprise = 1; prevWord = ''; prevHan = 0;
  };
  const addWord = (w: string, r: WordRole | undefined): void => {
    const unlinked = doubleNegated;
    doubleNegated = false;
    // Nor is the inner negator joined to the outer one: "不是|不" would read as the 是不 of "是不是" questions.
    if (unlinked || (r !== undefined && r.negator && negLeft > 0 && negated)) prevHan = 0;
    if (prevWord && !unlinked) sink.wordBigram(prevWord, w);
    prevWord = w;
    const isNegator = r !== undefined && r.negator;
    const scale = r === undefined ? undefined : r.degree;
    const isContrast = r !== undefined && r.contrast;
    const isContent = !isNegator && scale === undefined && !isContrast;
    const inNegation = isContent && negLeft > 0 && negated;
    const value = isContent ? degree * surprise : 1;
    sink.word(w, value, inNegation, negCue);
    const polarity = isContent && r !== undefined ? r.polarity : undefined;
    if (polarity !== undefined) {
      // Lexicon mass: a negated word counts for the opposite side, damped ("不满意" is weaker than "失望").
      const mass = polarity * value * (inNegation ? -LEXICON_NEGATION : 1);
      sink.lexicon(mass > 0, Math.abs(mass), inNegation, negCue, w);
    }
    // Han character bigrams, robust to jieba's choices. A bigram inside a negated word is
    // negated too ("不是不好" must not count the plain "不好"), one spanning a word boundary is not.
    for (let i = 0; i < w.length; i++) {
      const code = w.charCodeAt(i);
      if (!isHan(code)) { prevHan = 0; continue; }
      // The inner bigram of a two-character word is the word itself: skip the duplicate feature.
      if (prevHan !== 0 && !(i === 1 && w.length === 2)) sink.charBigram(prevHan, code, i === 0 ? 1 : value, inNegation && i > 0, negCue, w);
      prevHan = code;
    }
    if (isContrast) {
      negLeft = 0; negated = false; degree = 1;
    } else if (isNegator) {
      // A second negator inside the scope cancels the first: "不是不满意".
      doubleNegated = negLeft > 0 && negated;
      negated = negLeft > 0 ? !negated : true;
      negCue = doubleNegated ? '' : w;
      negLeft = NEGATION_SCOPE;
    } else if (scale !== undefined) {
      degree = scale;
    } else if (r !== undefined && r.surprise) {
      surprise = SURPRISE_SCALE;
    } else {
      degree = 1;
      if (negLeft > 0 && --negLeft === 0) negated = false;
    }
  };
  for (const tok of tokens) {
    if (tok.kind === 'break') {
      const cue = punctuationCue(tok.text);
      if (cue === '?') cueQuestion = true;
      else if (cue === '!') cueBang = true;
      else if (cue === '...') cueEllipsis = true;
      closeClause();
    } else if (tok.kind === 'emo') {
      sink.emotive(tok.text);
      closeClause();
    } else {
      const word = isDigits(tok.text) ? '#' : tok.text;
      const r = ROLES.get(word);
      const split = splitNegation(word, r);
      if (split === undefined) addWord(word, r);
      else {
        addWord(split[0], ROLES.get(split[0]));
        addWord(split[1], ROLES.get(split[1]));
      }
    }
  }
  if (cueQuestion) sink.cue('?');
  if (cueBang) sink.cue('!');
  if (cueEllipsis) sink.cue('...');
}

/** Sentiment features of a token list as string keys (duplicates kept; see `featureVector`). */
export function zhFeatures(tokens: SentimentToken[]): Feature[] {
  const feats: Feature[] = [];
  walkZhFeatures(tokens, {
    word(w, value, negated, negCue) {
      feats.push({ key: (negated ? 'n:' : 'w:') + w, value, negated, term: negated ? negCue + '+' + w : w });
    },
    wordBigram(a, b) {
      feats.push({ key: 'b:' + a + '|' + b, value: 1, negated: false, term: a + b });
    },
    charBigram(x, y, value, negated, negCue, w) {
      const bigram = String.fromCharCode(x, y);
      feats.push({ key: (negated ? 'm:' : 'c:') + bigram, value, negated, term: negated ? negCue + '+' + w : bigram });
    },
    emotive(token) {
      feats.push({ key: 'e:' + token, value: 1, negated: false, term: token });
    },
    cue(cue) {
      feats.push({ key: 'p:' + cue, value: 1, negated: false, term: cue });
    },
    lexicon(positive, mass, negated, negCue, w) {
      feats.push({ key: positive ? LEXICON_POSITIVE : LEXICON_NEGATIVE, value: mass, negated, term: negated ? negCue + '+' + w : w });
    },
  });
  return feats;
}

/**
 * De-duplicate features by key, keeping the strongest value (presence, not counts, so long
 * reviews do not dominate); the two lexicon features are masses, summed and capped instead.
 */
export function featureVector(feats: Feature[]): Map<string, number> {
  const byKey = new Map<string, number>();
  for (const f of feats) {
    const seen = byKey.get(f.key);
    if (isLexiconKey(f.key)) byKey.set(f.key, Math.min(LEXICON_MASS_CAP, (seen ?? 0) + f.value));
    else if (seen === undefined || f.value > seen) byKey.set(f.key, f.value);
  }
  return byKey;
}

/** True for the two dense lexicon-mass features. */
export function isLexiconKey(key: string): boolean {
  return key === LEXICON_POSITIVE || key === LEXICON_NEGATIVE;
}
