/**
 * The listening index behind one small interface. Two implementations pass ONE shared
 * behaviour suite (test/integration/search-backends.test.ts): `embedded` (SQLite FTS5, the
 * default) and `elasticsearch` (when ELASTICSEARCH_URL is set).
 *
 * Documents carry pre-segmented `tokens` (search/analysis segmentForIndex); queries are
 * segmented the same way, so Chinese search finds words, not characters, on any backend.
 */
import type { Lang, SentimentLabel } from './analysis';

export type DocKind = 'post' | 'mention';
/** `forum` for posts; the mention's source otherwise (weibo, wechat, douyin, xiaohongshu, news, other). */
export type Source = string;

/** One analysed post or mention, ready to index. `id` is `post:<id>` or `mention:<id>`. */
export interface SearchDocument {
  id: string;
  kind: DocKind;
  text: string;
  tokens: string[];
  lang: Lang;
  sentiment: { label: SentimentLabel; score: number; confidence: number };
  keywords: string[];
  hashtags: string[];
  author: string;
  authorFollowers: number | null;
  kol: boolean;
  /** Chapter slug and id (posts in chapters only); the id lets queries exclude unreadable chapters. */
  chapter: string | null;
  chapterId: number | null;
  threadId: string | null;
  /** Category slug of the post's thread (posts only; categories are open to everyone). */
  category: string | null;
  /**
   * The thread's title, on the thread's opening post only (null on replies and mentions): its
   * words are in `tokens` too, so a search finds a thread by its title. Titles are never edited.
   */
  title: string | null;
  source: Source;
  url: string | null;
  complaint: string | null;
  createdAt: string; // ISO-8601 UTC
}

/** One author on one source (a KOL, say): `author` is the username for forum posts, the handle for mentions. */
export interface AuthorRef {
  source: Source;
  author: string;
}

export interface SearchQuery {
  /** Free text; segmented with the same analyser as the documents. Empty = everything. */
  q?: string;
  sentiment?: SentimentLabel;
  chapter?: string;
  source?: Source;
  kind?: DocKind;
  from?: Date;
  to?: Date;
  kol?: boolean;
  /** Chapter ids whose content the caller may not read (private chapters): never returned. */
  excludeChapterIds?: number[];
  /** Only documents whose `keywords` contain exactly this term. */
  keyword?: string;
  /** Only these authors (the "KOL only" filter). An empty array matches nothing. */
  authors?: AuthorRef[];
  /** Only documents by this author (a forum username, or a mention's handle), on any source. */
  author?: string;
  /** Only posts of threads in this category (slug). */
  category?: string;
  /** true: only threads' opening posts (documents with a title); false: only the others (replies, mentions). */
  opening?: boolean;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

/** The filters shared by search and aggregate queries. */
export type SearchFilters = Pick<SearchQuery, 'sentiment' | 'chapter' | 'source' | 'kind' | 'from' | 'to' | 'kol' | 'excludeChapterIds' | 'keyword' | 'authors' | 'author' | 'category' | 'opening'>;

export interface SearchHit {
  id: string;
  kind: DocKind;
  text: string;
  /** The text, HTML-escaped, with matched words in <mark>…</mark>. */
  highlight: string;
  sentiment: { label: SentimentLabel; score: number };
  author: string;
  kol: boolean;
  chapter: string | null;
  threadId: string | null;
  category: string | null;
  /** The thread's title on an opening post (else null), and the same HTML-escaped with <mark>s. */
  title: string | null;
  titleHighlight: string | null;
  source: Source;
  url: string | null;
  createdAt: string;
}

export interface SearchResult {
  total: number;
  items: SearchHit[];
  cursor?: string;
}

export type Interval = 'minute' | 'hour' | 'day';

/** Same order of magnitude as Elasticsearch's search.max_buckets: refuse, don't allocate. */
export const MAX_BUCKETS = 50_000;
/** At most this many watched term groups per query (one FTS query per group on the embedded backend). */
export const MAX_WATCH_GROUPS = 20;
/** At most this many terms in one watched group. */
export const MAX_WATCH_TERMS = 20;

/** A watched group of terms (our brand vs a competitor): a document matches the group if it matches ANY term. */
export interface WatchGroup {
  key: string;
  terms: string[];
}

/** The filters every panel of the opinion console honours (besides the time window). */
export type AggregateFilters = Pick<SearchQuery, 'sentiment' | 'keyword' | 'q' | 'kind' | 'chapter' | 'source' | 'excludeChapterIds' | 'authors'>;

export interface AggregateQuery extends AggregateFilters {
  from: Date;
  to: Date;
  interval: Interval;
  /** How many top keywords to return. */
  topKeywords?: number;
  /** How many emerging terms to return (default 10; 0 = skip). */
  emerging?: number;
  /** Start of the emerging-terms baseline (default: defaultBaselineFrom(from, to)). */
  baselineFrom?: Date;
  /** Minimum number of documents in [from, to) for a term to be emerging (default 3). */
  minDocCount?: number;
  /** Term groups for share of voice (at most MAX_WATCH_GROUPS). */
  watch?: WatchGroup[];
}

export interface Bucket {
  t: string; // bucket start, ISO-8601 UTC
  total: number;
  negative: number;
  neutral: number;
  positive: number;
  avgScore: number;
}

export interface SentimentSplit {
  total: number;
  negative: number;
  neutral: number;
  positive: number;
}

/**
 * A term more frequent in [from, to) than in the baseline [baselineFrom, to): `count` documents in
 * the window, `baselineCount` in the whole baseline (which includes the window), `score` = JLH.
 */
export interface EmergingTerm {
  term: string;
  score: number;
  count: number;
  baselineCount: number;
}

export interface Aggregates {
  buckets: Bucket[];
  topKeywords: { term: string; count: number }[];
  byChapter: ({ chapter: string; avgScore: number } & SentimentSplit)[];
  bySource: ({ source: Source; avgScore: number } & SentimentSplit)[];
  emerging: EmergingTerm[];
  /** One row per watched group, in the order given. */
  shareOfVoice: ({ key: string } & SentimentSplit)[];
}

export interface SearchBackend {
  readonly name: 'embedded' | 'elasticsearch';
  /** Create tables / templates / the index alias if missing (idempotent). */
  init(): Promise<void>;
  /** Upsert documents by id (idempotent: indexing the same id twice keeps one document). */
  index(docs: SearchDocument[]): Promise<void>;
  /** Remove documents by id (missing ids are fine). */
  remove(ids: string[]): Promise<void>;
  /** Remove every document of these authors (analytics consent withdrawn). */
  removeByAuthor(authors: string[], kind: DocKind): Promise<void>;
  search(query: SearchQuery): Promise<SearchResult>;
  aggregate(query: AggregateQuery): Promise<Aggregates>;
  /** Number of documents (tests, health, reindex checks). */
  count(): Promise<number>;
  /** Drop every document (tests; reindex builds a fresh index instead). */
  reset(): Promise<void>;
  /** True when the backend answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
