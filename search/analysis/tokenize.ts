/**
 * One pass of tokenisation per post, shared by the search index and the sentiment features:
 * emoticons, emoji, URLs and @mentions are recognised first, the text between them is cut by
 * jieba once, and both token streams come out of that single cut.
 */
import { EMOJI_RE, EMOTICON_RE, emotiveToken } from './emoji';
import { normalizeText } from './normalize';
import { cutNormalized } from './segment';

/** A token for sentiment: a word, an emoticon/emoji, or a clause break (punctuation, space, URL). */
export interface SentimentToken { text: string; kind: 'word' | 'emo' | 'break' }

/** Both token streams of one normalised text. */
export interface Lexed {
  /** Words for the search index: lowercased, no punctuation or emoji. */
  indexTokens: string[];
  /** Words, emoticons and clause breaks for the sentiment scorers. */
  sentimentTokens: SentimentToken[];
}

// URLs and @mentions carry no sentiment (they become clause breaks) but their words are indexed.
const SPECIAL_RE = new RegExp(
  `(https?:\\/\\/\\S+|www\\.\\S+|@[\\p{L}\\p{N}_-]{1,30})|(${EMOTICON_RE.source})|(${EMOJI_RE.source})`,
  'gu',
);

/** True when a token has a letter or digit in it (fast path for ASCII and CJK). */
export function isWordToken(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return true;
    if (c >= 0x3400 && c <= 0x9fff) return true;
    if (c > 127 && /[\p{L}\p{N}]/u.test(token[i])) return true;
  }
  return false;
}

// Cheap pre-check for the special spans: '@', '[', "http", "www." or an emoji candidate
// (astral-plane surrogates, the U+2100-U+2BFF symbol blocks, and ‼ ⁉ from General Punctuation,
// whose zero-width spaces end most Weibo posts and must not force the slow path).
function mayHaveSpecial(text: string): boolean {
  if (text.includes('@') || text.includes('[') || text.includes('http') || text.includes('www.')) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x2100 && (c <= 0x2bff || (c >= 0xd800 && c <= 0xdbff))) return true;
    if (c === 0x203c || c === 0x2049) return true;
  }
  return false;
}

/** Tokenise already-normalised text into index tokens and sentiment tokens. */
export function lexNormalized(normalized: string): Lexed {
  const indexTokens: string[] = [];
  const sentimentTokens: SentimentToken[] = [];
  const addBreak = (text: string): void => {
    // Consecutive punctuation/whitespace is one break; keep its text so "。。。" and "?!" survive as cues.
    const last = sentimentTokens[sentimentTokens.length - 1];
    if (last !== undefined && last.kind === 'break') last.text += text;
    else sentimentTokens.push({ text, kind: 'break' });
  };
  const cutChunk = (chunk: string, forSentiment: boolean): void => {
    if (chunk.length === 0) return;
    for (const w of cutNormalized(chunk)) {
      if (isWordToken(w)) {
        indexTokens.push(w);
        if (forSentiment) sentimentTokens.push({ text: w, kind: 'word' });
      } else if (forSentiment) addBreak(w);
    }
  };
  // Most posts have no URL, mention, emoticon or emoji: skip the (unicode-aware, slowish) regex scan.
  if (!mayHaveSpecial(normalized)) {
    cutChunk(normalized, true);
    return { indexTokens, sentimentTokens };
  }
  let last = 0;
  for (const m of normalized.matchAll(SPECIAL_RE)) {
    cutChunk(normalized.slice(last, m.index), true);
    if (m[1] !== undefined) {
      cutChunk(m[1], false);
      addBreak(' ');
    } else if (m[2] !== undefined) {
      cutChunk(m[2].slice(1, -1), false);
      sentimentTokens.push({ text: emotiveToken(m[2]), kind: 'emo' });
    } else {
      sentimentTokens.push({ text: emotiveToken(m[0]), kind: 'emo' });
    }
    last = m.index + m[0].length;
  }
  cutChunk(normalized.slice(last), true);
  return { indexTokens, sentimentTokens };
}

/** Segment text for search indexing; queries and documents must both go through this. */
export function segmentForIndex(text: string): string[] {
  return lexNormalized(normalizeText(text)).indexTokens;
}
