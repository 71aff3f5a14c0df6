/**
 * The text-analysis layer: language, segmentation, sentiment, keywords, extraction and complaint
 * category for one post. Synchronous and fast (no I/O once the dictionaries and the models are
 * loaded: `warmUpAnalysis` at boot, else the first call); every judgement carries its reasons.
 */
import { classifyComplaint, isExplicitComplaint, type ComplaintCategory } from './complaint';
import { extractAll, type Entity } from './extract';
import { extractKeywords, idfLoaded } from './keywords';
import { detectLanguage, type Lang } from './language';
import { normalizeText } from './normalize';
import { lexNormalized } from './tokenize';
import { analyzeSentiment, type Sentiment } from './sentiment';
import { segmenterLoaded } from './segment';
import { enModelLoaded } from './sentiment-en';
import { zhModelLoaded } from './sentiment-zh';
import { crisisOf, crisisSentiment, type Crisis } from './crisis';
import { sourceKindOf, type SourceKind } from './source';
import { isNotice } from './cues-zh';

export type { Lang } from './language';
export type { Sentiment, SentimentLabel } from './sentiment';
export type { ComplaintCategory } from './complaint';
export type { Entity } from './extract';
export { addUserWords } from './segment';
export { segmentForIndex } from './tokenize';
export { sourceKindOf, parseSourceKind, SOURCE_KINDS, type SourceKind } from './source';

/** Where the text comes from: a document's `source` id ('forum', 'weibo', 'news', ...) or a kind directly. */
export interface AnalyzeOptions { source?: string | null; kind?: SourceKind }

/** Everything the listening side needs to know about one post. */
export interface Analysis {
  lang: Lang;
  /** Segmented, lowercased words for search indexing (no punctuation); same as segmentForIndex. */
  tokens: string[];
  sentiment: Sentiment;
  /** Up to 8 keywords, best first. */
  keywords: string[];
  /** @handles without the @. */
  mentions: string[];
  /** #话题# and #tag, without the #. */
  hashtags: string[];
  urls: string[];
  entities: Entity[];
  /** Set only for negative or explicitly complaining posts that match a category rule. */
  complaint?: { category: ComplaintCategory; reasons: string[] };
  /** Set when the post reports a safety, health, legal, data-leak or media-exposure problem (then it is negative). */
  crisis?: Crisis;
}

// First character decides: jieba never mixes Han and Latin inside one token.
function isHanToken(t: string): boolean {
  const c = t.charCodeAt(0);
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf);
}
function isLatinToken(t: string): boolean {
  const c = t.charCodeAt(0);
  return c >= 97 && c <= 122;
}

/**
 * Analyse one post. Never throws on odd input (empty, huge, emoji-only). The source picks the
 * Chinese sentiment model (source.ts); without one the text is read as a community post.
 */
export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  // Callers from plain JS (or JSON) may hand over null or a number: treat as empty, never throw.
  const raw = typeof text === 'string' ? text : '';
  const normalized = normalizeText(raw);
  const lang = detectLanguage(normalized);
  const { indexTokens: tokens, sentimentTokens } = lexNormalized(normalized);
  // Mixed text weighs the two scorers by their share of the tokens.
  let zhTokens = 0;
  let enTokens = 0;
  for (const t of tokens) {
    if (isHanToken(t)) zhTokens++;
    else if (isLatinToken(t)) enTokens++;
  }
  const zhShare = zhTokens + enTokens === 0 ? 0 : zhTokens / (zhTokens + enTokens);
  const judged = analyzeSentiment(normalized, sentimentTokens, lang, zhShare, options.kind ?? sourceKindOf(options.source));
  const crisis = crisisOf(tokens, judged.label, () => isNotice(normalized));
  const sentiment = crisis ? crisisSentiment(judged, crisis) : judged;
  // Extraction runs on the original text so handles, tags and URLs keep their case.
  const { mentions, hashtags, urls, entities } = extractAll(raw);
  // URL and email pieces ("https", "com") are indexed but are not what a post is about.
  const links = [...urls, ...entities.filter((e) => e.kind === 'email').map((e) => e.value)];
  const linkParts = new Set(links.flatMap((u) => normalizeText(u).split(/[^\p{L}\p{N}]+/u)));
  const keywords = extractKeywords(links.length > 0 ? tokens.filter((t) => !linkParts.has(t)) : tokens);
  const analysis: Analysis = { lang, tokens, sentiment, keywords, mentions, hashtags, urls, entities };
  if (crisis) analysis.crisis = crisis;
  if (sentiment.label === 'negative' || isExplicitComplaint(normalized)) {
    const complaint = classifyComplaint(normalized);
    if (complaint) analysis.complaint = complaint;
  }
  return analysis;
}

/** Which lazily loaded parts of the analysis are in memory. */
export function analysisLoaded(): { segmenter: boolean; zhModel: boolean; enModel: boolean; idf: boolean } {
  return { segmenter: segmenterLoaded(), zhModel: zhModelLoaded(), enModel: enModelLoaded(), idf: idfLoaded() };
}

/**
 * Load the jieba dictionaries, both sentiment models and the IDF table, and run every scorer once.
 * Lazily, the first Chinese text after a start paid ~0.7 s of it on the event loop, in front of
 * every request and socket push; a server calls this before it listens.
 */
export function warmUpAnalysis(): void {
  analyze('预热：新车续航很满意，车机太拉胯了 😀 #预热# @resonance');
  analyze('Warm-up: the range is great, but the app is terrible!');
  analyze('预热 warm-up: 续航 great, 车机 terrible');
}
