/**
 * The `embedded` SearchBackend: SQLite FTS5 in its OWN file (DATA_DIR/search.sqlite), opened
 * with the node-sqlite3 API (`@appthreat/sqlite3`) directly, not through Sequelize.
 *
 * Why a separate file: SQLite allows one writer per file, and indexing thousands of docs/s must
 * not queue behind forum writes (nor they behind it); it also keeps working unchanged when the
 * forum itself runs on Postgres. WAL + synchronous=NORMAL + busy_timeout: readers never block
 * the writer, commits are cheap, and a concurrent process (reindex CLI) waits instead of failing.
 * One writer connection (writes serialised in-process by a promise chain, one transaction per
 * call) and one reader connection, so searches never wait behind a big index batch.
 *
 * Tokeniser: documents carry pre-segmented `tokens` (jieba + normaliser, search/analysis); the
 * FTS column holds them space-joined and must split on whitespace ONLY, so one token = one FTS
 * term. Plain unicode61 keeps CJK runs whole but splits "c++", "1.5", "e-mail" and drops emoji;
 * `ascii` does not fold "É". unicode61 with `categories` listing every class except Z* (spaces)
 * and Cc (controls) makes everything else a token character: whitespace-only splitting, with
 * Unicode case folding (harmless: tokens and queries are already lower-cased). detail=none:
 * queries are an AND of single terms, never phrases, so positions are not stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import sqlite3, { type Database, type RunResult, type Statement } from '../server/sqlite';
import { segmentForIndex } from './analysis';
import type {
  AggregateFilters,
  AggregateQuery,
  Aggregates,
  Bucket,
  DocKind,
  Interval,
  SearchBackend,
  SearchDocument,
  SearchHit,
  SearchQuery,
  SearchResult, SearchFilters, WatchGroup } from './backend';
import { MAX_BUCKETS, MAX_WATCH_GROUPS } from './backend';
import { highlight } from './highlight';
import { defaultBaselineFrom, EMERGING_DEFAULT, MIN_DOC_COUNT, rankEmerging, segmentWatchGroup, type TermCounts } from './significance';
import { Validation } from '../server/errors';
import { log } from '../server/log';

/**
 * 6: category and title (forum search for members); 5: a version stamp per hour; 4: document
 * counts per hour and per day (3: keyword counts per hour and per day; 2: the aggregation index
 * and doc_keywords; every older index is upgraded in place, see open()).
 */
const SCHEMA_VERSION = 6;
const TOKENIZER = `unicode61 remove_diacritics 0 categories 'L* M* N* P* S* Co Cf Cs Cn'`;
const INTERVAL_MS: Record<Interval, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MAX_LIMIT = 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS docs (
  rid INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  tokens TEXT NOT NULL,
  lang TEXT NOT NULL,
  sentiment_label TEXT NOT NULL,
  sentiment_score REAL NOT NULL,
  sentiment_confidence REAL NOT NULL,
  keywords TEXT NOT NULL,
  hashtags TEXT NOT NULL,
  author TEXT NOT NULL,
  author_followers INTEGER,
  kol INTEGER NOT NULL,
  chapter TEXT,
  chapter_id INTEGER,
  thread_id TEXT,
  category TEXT,
  title TEXT,
  source TEXT NOT NULL,
  url TEXT,
  complaint TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_created ON docs(created_at, id);
CREATE INDEX IF NOT EXISTS docs_author ON docs(author, kind);
-- Covering index for the console's aggregations: a time range is read from the index alone,
-- never from the wide rows (text, tokens), which made 100k-document aggregations ~6x slower.
CREATE INDEX IF NOT EXISTS docs_agg ON docs(created_at, source, chapter_id, chapter, sentiment_label, sentiment_score);
-- One row per (document, keyword), clustered by time: top keywords over a range without parsing
-- every document's JSON. Kept in step with docs by triggers, inside the writing transaction.
CREATE TABLE IF NOT EXISTS doc_keywords (
  created_at INTEGER NOT NULL,
  rid INTEGER NOT NULL,
  term TEXT NOT NULL,
  source TEXT NOT NULL,
  chapter_id INTEGER,
  chapter TEXT,
  PRIMARY KEY (created_at, rid, term)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS docs_kw_ai AFTER INSERT ON docs BEGIN
  INSERT OR IGNORE INTO doc_keywords SELECT new.created_at, new.rid, k.value, new.source, new.chapter_id, new.chapter FROM (SELECT DISTINCT value FROM json_each(new.keywords)) k;
END;
CREATE TRIGGER IF NOT EXISTS docs_kw_ad AFTER DELETE ON docs BEGIN
  DELETE FROM doc_keywords WHERE created_at = old.created_at AND rid = old.rid;
END;
CREATE TRIGGER IF NOT EXISTS docs_kw_au AFTER UPDATE OF keywords, created_at, source, chapter_id, chapter ON docs BEGIN
  DELETE FROM doc_keywords WHERE created_at = old.created_at AND rid = old.rid;
  INSERT OR IGNORE INTO doc_keywords SELECT new.created_at, new.rid, k.value, new.source, new.chapter_id, new.chapter FROM (SELECT DISTINCT value FROM json_each(new.keywords)) k;
END;
-- Keyword counts pre-aggregated per hour and per day (emerging terms and top keywords): a 7-day
-- baseline over 100k documents is ~800k doc_keywords rows (~0.7 s to group) but a few tens of
-- thousands of counter rows. Keyed by everything the console filters on that a count can carry
-- (source, chapter, kind, sentiment); "no chapter" is 0 / '' because primary-key columns cannot be NULL.
-- Kept in step with docs by triggers, inside the writing transaction.
CREATE TABLE IF NOT EXISTS keyword_hours (
  bucket INTEGER NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL, sentiment_label TEXT NOT NULL,
  chapter_id INTEGER NOT NULL, chapter TEXT NOT NULL, term TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (bucket, source, kind, sentiment_label, chapter_id, chapter, term)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS keyword_days (
  bucket INTEGER NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL, sentiment_label TEXT NOT NULL,
  chapter_id INTEGER NOT NULL, chapter TEXT NOT NULL, term TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (bucket, source, kind, sentiment_label, chapter_id, chapter, term)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS docs_kc_ai AFTER INSERT ON docs BEGIN
  INSERT INTO keyword_hours (bucket, source, kind, sentiment_label, chapter_id, chapter, term, n)
    SELECT (new.created_at / 3600000) * 3600000, new.source, new.kind, new.sentiment_label, coalesce(new.chapter_id, 0), coalesce(new.chapter, ''), k.value, 1
      FROM (SELECT DISTINCT value FROM json_each(new.keywords)) k WHERE true
    ON CONFLICT DO UPDATE SET n = n + 1;
  INSERT INTO keyword_days (bucket, source, kind, sentiment_label, chapter_id, chapter, term, n)
    SELECT (new.created_at / 86400000) * 86400000, new.source, new.kind, new.sentiment_label, coalesce(new.chapter_id, 0), coalesce(new.chapter, ''), k.value, 1
      FROM (SELECT DISTINCT value FROM json_each(new.keywords)) k WHERE true
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS docs_kc_ad AFTER DELETE ON docs BEGIN
  UPDATE keyword_hours SET n = n - 1 WHERE bucket = (old.created_at / 3600000) * 3600000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND term IN (SELECT DISTINCT value FROM json_each(old.keywords));
  DELETE FROM keyword_hours WHERE bucket = (old.created_at / 3600000) * 3600000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND n <= 0;
  UPDATE keyword_days SET n = n - 1 WHERE bucket = (old.created_at / 86400000) * 86400000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND term IN (SELECT DISTINCT value FROM json_each(old.keywords));
  DELETE FROM keyword_days WHERE bucket = (old.created_at / 86400000) * 86400000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND n <= 0;
END;
CREATE TRIGGER IF NOT EXISTS docs_kc_au AFTER UPDATE OF keywords, created_at, source, kind, sentiment_label, chapter_id, chapter ON docs BEGIN
  UPDATE keyword_hours SET n = n - 1 WHERE bucket = (old.created_at / 3600000) * 3600000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND term IN (SELECT DISTINCT value FROM json_each(old.keywords));
  DELETE FROM keyword_hours WHERE bucket = (old.created_at / 3600000) * 3600000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND n <= 0;
  UPDATE keyword_days SET n = n - 1 WHERE bucket = (old.created_at / 86400000) * 86400000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND term IN (SELECT DISTINCT value FROM json_each(old.keywords));
  DELETE FROM keyword_days WHERE bucket = (old.created_at / 86400000) * 86400000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND n <= 0;
  INSERT INTO keyword_hours (bucket, source, kind, sentiment_label, chapter_id, chapter, term, n)
    SELECT (new.created_at / 3600000) * 3600000, new.source, new.kind, new.sentiment_label, coalesce(new.chapter_id, 0), coalesce(new.chapter, ''), k.value, 1
      FROM (SELECT DISTINCT value FROM json_each(new.keywords)) k WHERE true
    ON CONFLICT DO UPDATE SET n = n + 1;
  INSERT INTO keyword_days (bucket, source, kind, sentiment_label, chapter_id, chapter, term, n)
    SELECT (new.created_at / 86400000) * 86400000, new.source, new.kind, new.sentiment_label, coalesce(new.chapter_id, 0), coalesce(new.chapter, ''), k.value, 1
      FROM (SELECT DISTINCT value FROM json_each(new.keywords)) k WHERE true
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
-- Document counts (and score sums) per hour and per day, keyed like the keyword counts: the
-- volume chart, sentiment by chapter and by source and the baseline total of a 7-day window read a
-- few thousand counter rows instead of grouping 100k index rows (a sort: ~0.2 s per panel).
-- Kept in step with docs by triggers, inside the writing transaction.
CREATE TABLE IF NOT EXISTS doc_hours (
  bucket INTEGER NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL, sentiment_label TEXT NOT NULL,
  chapter_id INTEGER NOT NULL, chapter TEXT NOT NULL, n INTEGER NOT NULL, score REAL NOT NULL,
  PRIMARY KEY (bucket, source, kind, sentiment_label, chapter_id, chapter)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS doc_days (
  bucket INTEGER NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL, sentiment_label TEXT NOT NULL,
  chapter_id INTEGER NOT NULL, chapter TEXT NOT NULL, n INTEGER NOT NULL, score REAL NOT NULL,
  PRIMARY KEY (bucket, source, kind, sentiment_label, chapter_id, chapter)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS docs_dc_ai AFTER INSERT ON docs BEGIN
  INSERT INTO doc_hours (bucket, source, kind, sentiment_label, chapter_id, chapter, n, score)
    VALUES ((new.created_at / 3600000) * 3600000, new.source, new.kind, new.sentiment_label, coalesce(new.chapter_id, 0), coalesce(new.chapter, ''), 1, new.sentiment_score)
    ON CONFLICT DO UPDATE SET n = n + 1, score = score + excluded.score;
  INSERT INTO doc_days (bucket, source, kind, sentiment_label, chapter_id, chapter, n, score)
    VALUES ((new.created_at / 86400000) * 86400000, new.source, new.kind, new.sentiment_label, coalesce(new.chapter_id, 0), coalesce(new.chapter, ''), 1, new.sentiment_score)
    ON CONFLICT DO UPDATE SET n = n + 1, score = score + excluded.score;
END;
CREATE TRIGGER IF NOT EXISTS docs_dc_ad AFTER DELETE ON docs BEGIN
  UPDATE doc_hours SET n = n - 1, score = score - old.sentiment_score WHERE bucket = (old.created_at / 3600000) * 3600000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '');
  DELETE FROM doc_hours WHERE bucket = (old.created_at / 3600000) * 3600000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND n <= 0;
  UPDATE doc_days SET n = n - 1, score = score - old.sentiment_score WHERE bucket = (old.created_at / 86400000) * 86400000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '');
  DELETE FROM doc_days WHERE bucket = (old.created_at / 86400000) * 86400000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND n <= 0;
END;
CREATE TRIGGER IF NOT EXISTS docs_dc_au AFTER UPDATE OF created_at, source, kind, sentiment_label, sentiment_score, chapter_id, chapter ON docs BEGIN
  UPDATE doc_hours SET n = n - 1, score = score - old.sentiment_score WHERE bucket = (old.created_at / 3600000) * 3600000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '');
  DELETE FROM doc_hours WHERE bucket = (old.created_at / 3600000) * 3600000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND n <= 0;
  UPDATE doc_days SET n = n - 1, score = score - old.sentiment_score WHERE bucket = (old.created_at / 86400000) * 86400000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '');
  DELETE FROM doc_days WHERE bucket = (old.created_at / 86400000) * 86400000 AND source = old.source AND kind = old.kind AND sentiment_label = old.sentiment_label AND chapter_id = coalesce(old.chapter_id, 0) AND chapter = coalesce(old.chapter, '') AND n <= 0;
  INSERT INTO doc_hours (bucket, source, kind, sentiment_label, chapter_id, chapter, n, score)
    VALUES ((new.created_at / 3600000) * 3600000, new.source, new.kind, new.sentiment_label, coalesce(new.chapter_id, 0), coalesce(new.chapter, ''), 1, new.sentiment_score)
    ON CONFLICT DO UPDATE SET n = n + 1, score = score + excluded.score;
  INSERT INTO doc_days (bucket, source, kind, sentiment_label, chapter_id, chapter, n, score)
    VALUES ((new.created_at / 86400000) * 86400000, new.source, new.kind, new.sentiment_label, coalesce(new.chapter_id, 0), coalesce(new.chapter, ''), 1, new.sentiment_score)
    ON CONFLICT DO UPDATE SET n = n + 1, score = score + excluded.score;
END;
-- A stamp per hour that changes with every write of a document in that hour (from any process):
-- aggregate() caches per-hour partial results (share of voice, the panels under free-text and
-- keyword filters) and trusts one only while its hour's stamp is what it was when computed. It
-- starts random, so a dropped and rebuilt index does not repeat stamps an old cache saw.
CREATE TABLE IF NOT EXISTS doc_versions (bucket INTEGER PRIMARY KEY, v INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS docs_v_ai AFTER INSERT ON docs BEGIN
  INSERT INTO doc_versions (bucket, v) VALUES ((new.created_at / 3600000) * 3600000, abs(random() % 1000000000000)) ON CONFLICT DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER IF NOT EXISTS docs_v_ad AFTER DELETE ON docs BEGIN
  INSERT INTO doc_versions (bucket, v) VALUES ((old.created_at / 3600000) * 3600000, abs(random() % 1000000000000)) ON CONFLICT DO UPDATE SET v = v + 1;
END;
CREATE TRIGGER IF NOT EXISTS docs_v_au AFTER UPDATE ON docs BEGIN
  INSERT INTO doc_versions (bucket, v) VALUES ((old.created_at / 3600000) * 3600000, abs(random() % 1000000000000)) ON CONFLICT DO UPDATE SET v = v + 1;
  INSERT INTO doc_versions (bucket, v) VALUES ((new.created_at / 3600000) * 3600000, abs(random() % 1000000000000)) ON CONFLICT DO UPDATE SET v = v + 1;
END;
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
  tokens, content='docs', content_rowid='rid', detail=none, tokenize="${TOKENIZER}"
);
-- External-content FTS kept in sync by triggers, i.e. inside the writing transaction.
CREATE TRIGGER IF NOT EXISTS docs_fts_ai AFTER INSERT ON docs BEGIN
  INSERT INTO docs_fts(rowid, tokens) VALUES (new.rid, new.tokens);
END;
CREATE TRIGGER IF NOT EXISTS docs_fts_ad AFTER DELETE ON docs BEGIN
  INSERT INTO docs_fts(docs_fts, rowid, tokens) VALUES ('delete', old.rid, old.tokens);
END;
CREATE TRIGGER IF NOT EXISTS docs_fts_au AFTER UPDATE OF tokens ON docs BEGIN
  INSERT INTO docs_fts(docs_fts, rowid, tokens) VALUES ('delete', old.rid, old.tokens);
  INSERT INTO docs_fts(rowid, tokens) VALUES (new.rid, new.tokens);
END;
PRAGMA user_version = ${SCHEMA_VERSION};
`;
const DROP = `
DROP TRIGGER IF EXISTS docs_fts_ai; DROP TRIGGER IF EXISTS docs_fts_ad; DROP TRIGGER IF EXISTS docs_fts_au;
DROP TRIGGER IF EXISTS docs_kw_ai; DROP TRIGGER IF EXISTS docs_kw_ad; DROP TRIGGER IF EXISTS docs_kw_au;
DROP TRIGGER IF EXISTS docs_kc_ai; DROP TRIGGER IF EXISTS docs_kc_ad; DROP TRIGGER IF EXISTS docs_kc_au;
DROP TRIGGER IF EXISTS docs_dc_ai; DROP TRIGGER IF EXISTS docs_dc_ad; DROP TRIGGER IF EXISTS docs_dc_au;
DROP TRIGGER IF EXISTS docs_v_ai; DROP TRIGGER IF EXISTS docs_v_ad; DROP TRIGGER IF EXISTS docs_v_au; DROP TABLE IF EXISTS doc_versions;
DROP TABLE IF EXISTS doc_hours; DROP TABLE IF EXISTS doc_days; DROP TABLE IF EXISTS keyword_hours; DROP TABLE IF EXISTS keyword_days; DROP TABLE IF EXISTS doc_keywords; DROP TABLE IF EXISTS docs_fts; DROP TABLE IF EXISTS docs;
`;

const COLUMNS = [
  'id', 'kind', 'text', 'tokens', 'lang', 'sentiment_label', 'sentiment_score', 'sentiment_confidence', 'keywords',
  'hashtags', 'author', 'author_followers', 'kol', 'chapter', 'chapter_id', 'thread_id', 'category', 'title', 'source', 'url',
  'complaint', 'created_at',
];
const UPSERT = `INSERT INTO docs (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT(id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')}`;

type Param = string | number | null;

interface HitRow {
  id: string;
  kind: DocKind;
  text: string;
  sentiment_label: SearchHit['sentiment']['label'];
  sentiment_score: number;
  author: string;
  kol: number;
  chapter: string | null;
  thread_id: string | null;
  category: string | null;
  title: string | null;
  source: string;
  url: string | null;
  created_at: number;
}

/** One sqlite3 connection with promises and a cache of prepared statements. */
class Connection {
  private readonly statements = new Map<string, Promise<Statement>>();
  // Prepares and queries still running: close() waits for them, because sqlite refuses to close
  // with a statement not yet finalized (SQLITE_BUSY "unfinalized statements").
  private readonly inFlight = new Set<Promise<unknown>>();
  private constructor(private readonly db: Database) {}

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
    return p;
  }

  static open(file: string, mode: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, mode, (err) => (err ? reject(err) : resolve(new Connection(db))));
      db.serialize(); // statements on this connection run in call order (BEGIN … COMMIT)
    });
  }

  exec(sql: string): Promise<void> {
    return this.track(new Promise<void>((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve()))));
  }

  // The promise is cached, not the statement: two calls racing on a new SQL text must share one
  // prepare, or the loser's statement is never finalized and close() fails with SQLITE_BUSY.
  private statement(sql: string): Promise<Statement> {
    const cached = this.statements.get(sql);
    if (cached) return cached;
    const prepared = new Promise<Statement>((resolve, reject) => {
      const stmt = this.db.prepare(sql, (err) => {
        if (!err) return resolve(stmt);
        this.statements.delete(sql);
        stmt.finalize(() => reject(err));
      });
    });
    this.statements.set(sql, prepared);
    return prepared;
  }

  run(sql: string, params: Param[] = []): Promise<number> {
    return this.track(
      this.statement(sql).then(
        (stmt) =>
          new Promise<number>((resolve, reject) =>
            stmt.run(params, function (this: RunResult, err: Error | null) {
              if (err) reject(err);
              else resolve(this.changes);
            }),
          ),
      ),
    );
  }

  all<T>(sql: string, params: Param[] = []): Promise<T[]> {
    return this.track(
      this.statement(sql).then(
        (stmt) => new Promise<T[]>((resolve, reject) => stmt.all(params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)))),
      ),
    );
  }

  async close(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    const stmts = await Promise.allSettled([...this.statements.values()]);
    this.statements.clear();
    await Promise.all(stmts.map((s) => (s.status === 'fulfilled' ? new Promise<void>((resolve) => s.value.finalize(() => resolve())) : undefined)));
    await new Promise<void>((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }
}

/** Filters shared by search and aggregate, as SQL over the `docs` alias `d`. */
function whereClause(q: SearchFilters): { sql: string[]; params: Param[] } {
  const sql: string[] = [];
  const params: Param[] = [];
  const add = (clause: string, ...p: Param[]) => {
    sql.push(clause);
    params.push(...p);
  };
  if (q.sentiment) add('d.sentiment_label = ?', q.sentiment);
  if (q.chapter) add('d.chapter = ?', q.chapter);
  if (q.source) add('d.source = ?', q.source);
  if (q.kind) add('d.kind = ?', q.kind);
  if (q.from) add('d.created_at >= ?', q.from.getTime());
  if (q.to) add('d.created_at < ?', q.to.getTime());
  if (q.kol !== undefined) add('d.kol = ?', q.kol ? 1 : 0);
  if (q.author !== undefined) add('d.author = ?', q.author);
  if (q.category !== undefined) add('d.category = ?', q.category);
  if (q.opening !== undefined) add(q.opening ? 'd.title IS NOT NULL' : 'd.title IS NULL');
  if (q.excludeChapterIds?.length) {
    // One JSON parameter instead of N placeholders keeps the SQL text (and statement) stable.
    add('(d.chapter_id IS NULL OR d.chapter_id NOT IN (SELECT value FROM json_each(?)))', JSON.stringify(q.excludeChapterIds));
  }
  if (q.keyword !== undefined) {
    // The doc_keywords primary key (created_at, rid, term) answers this with one seek per document.
    // (An index on (term, created_at) made keyword-filtered summaries 4x faster but cost ~30% of
    // the indexing rate; see bench/README.md "opinion".)
    add('EXISTS (SELECT 1 FROM doc_keywords kw WHERE kw.created_at = d.created_at AND kw.rid = d.rid AND kw.term = ?)', q.keyword);
  }
  if (q.authors && !q.authors.length) add('0');
  else if (q.authors) {
    add(
      "(d.source, d.author) IN (SELECT json_extract(value, '$.source'), json_extract(value, '$.author') FROM json_each(?))",
      JSON.stringify(q.authors.map((a) => ({ source: a.source, author: a.author }))),
    );
  }
  return { sql, params };
}

/**
 * The console's filters as SQL over `docs d`: the search filters plus free text. `[from, to)` is passed separately because emerging terms widen it to the baseline.
 */
function aggregateWhere(f: AggregateFilters, from: Date, to: Date): { sql: string[]; params: Param[] } {
  const where = whereClause({
    sentiment: f.sentiment, chapter: f.chapter, source: f.source, kind: f.kind, from, to,
    excludeChapterIds: f.excludeChapterIds, keyword: f.keyword, authors: f.authors,
  });
  const terms = [...new Set(segmentForIndex(f.q ?? ''))];
  if (terms.length) {
    // Unary + keeps the match set from driving the query: SQLite would otherwise fetch every
    // matching document of all time by rowid (wide rows), where the window's time range read from
    // the covering index docs_agg, probing the match set, is bounded by the window.
    where.sql.push('+d.rid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?)');
    where.params.push(matchExpression(terms));
  }
  return where;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
type CountSegment = { table: 'raw' | 'hours' | 'days'; from: number; to: number };

/**
 * [a, b) cut into pieces each answered by the cheapest source: whole days from the per-day
 * counts (unless `days` is false: hourly buckets), whole hours from the per-hour counts, the
 * partial hours at either end from the rows themselves.
 */
function countSegments(a: number, b: number, days = true): CountSegment[] {
  const h1 = Math.ceil(a / HOUR_MS) * HOUR_MS;
  const h2 = Math.floor(b / HOUR_MS) * HOUR_MS;
  if (h1 >= h2) return a < b ? [{ table: 'raw', from: a, to: b }] : [];
  const segments: CountSegment[] = [];
  if (a < h1) segments.push({ table: 'raw', from: a, to: h1 });
  const d1 = Math.ceil(h1 / DAY_MS) * DAY_MS;
  const d2 = Math.floor(h2 / DAY_MS) * DAY_MS;
  if (!days || d1 >= d2) segments.push({ table: 'hours', from: h1, to: h2 });
  else {
    if (h1 < d1) segments.push({ table: 'hours', from: h1, to: d1 });
    segments.push({ table: 'days', from: d1, to: d2 });
    if (d2 < h2) segments.push({ table: 'hours', from: d2, to: h2 });
  }
  if (h2 < b) segments.push({ table: 'raw', from: h2, to: b });
  return segments;
}

/** True when the count tables (keywords, documents) can answer these filters (they carry source, chapter, kind, sentiment). */
function countsAnswer(f: AggregateFilters): boolean {
  return f.keyword === undefined && !f.authors && !segmentForIndex(f.q ?? '').length;
}

/** The filters as SQL over a keyword count table `t`. */
function countWhere(f: AggregateFilters): { sql: string; params: Param[] } {
  const sql: string[] = [];
  const params: Param[] = [];
  if (f.sentiment) sql.push('t.sentiment_label = ?'), params.push(f.sentiment);
  if (f.chapter) sql.push('t.chapter = ?'), params.push(f.chapter);
  if (f.source) sql.push('t.source = ?'), params.push(f.source);
  if (f.kind) sql.push('t.kind = ?'), params.push(f.kind);
  if (f.excludeChapterIds?.length) sql.push('t.chapter_id NOT IN (SELECT value FROM json_each(?))'), params.push(JSON.stringify(f.excludeChapterIds));
  return { sql: sql.map((c) => ` AND ${c}`).join(''), params };
}

/** Documents per keyword over [a, b) under filters the count tables answer (countsAnswer). */
async function keywordCounts(r: Connection, f: AggregateFilters, a: number, b: number): Promise<Map<string, number>> {
  const pieces: string[] = [];
  const params: Param[] = [];
  const cw = countWhere(f);
  for (const seg of countSegments(a, b)) {
    if (seg.table === 'raw') {
      const w = aggregateWhere(f, new Date(seg.from), new Date(seg.to));
      pieces.push(`SELECT k.term AS term, count(*) AS n FROM docs d JOIN doc_keywords k ON k.created_at = d.created_at AND k.rid = d.rid
        WHERE ${w.sql.join(' AND ')} GROUP BY k.term`);
      params.push(...w.params);
    } else {
      pieces.push(`SELECT t.term AS term, sum(t.n) AS n FROM keyword_${seg.table} t WHERE t.bucket >= ? AND t.bucket < ?${cw.sql} GROUP BY t.term`);
      params.push(seg.from, seg.to, ...cw.params);
    }
  }
  if (!pieces.length) return new Map();
  const rows = await r.all<{ term: string; n: number }>(`SELECT term, sum(n) AS n FROM (${pieces.join(' UNION ALL ')}) GROUP BY term`, params);
  return new Map(rows.map((row) => [row.term, row.n]));
}

type Split = { total: number; negative: number; neutral: number; positive: number };
type Label = 'negative' | 'neutral' | 'positive';
const emptySplit = (): Split => ({ total: 0, negative: 0, neutral: 0, positive: 0 });
const isLabel = (l: string): l is Label => l === 'negative' || l === 'neutral' || l === 'positive';

type GroupRow = { chapter: string | null; source: string; label: string; n: number; s: number };

/** Sentiment by chapter and by source from rows grouped by (chapter, source, label), in the order SQL gave before. */
function foldGroups(rows: GroupRow[]): Pick<Aggregates, 'byChapter' | 'bySource'> {
  const chapters = new Map<string, Split & { sum: number }>();
  const sources = new Map<string, Split & { sum: number }>();
  const add = (m: Map<string, Split & { sum: number }>, key: string, row: GroupRow) => {
    let x = m.get(key);
    if (!x) m.set(key, (x = { ...emptySplit(), sum: 0 }));
    x.total += Number(row.n);
    x.sum += Number(row.s);
    if (isLabel(row.label)) x[row.label] += Number(row.n);
  };
  for (const row of rows) {
    if (row.chapter !== null) add(chapters, row.chapter, row);
    add(sources, row.source, row);
  }
  // total DESC, then the name in BINARY (UTF-8 byte) order.
  const ranked = <K extends string>(m: Map<string, Split & { sum: number }>, name: K) =>
    [...m].map(([key, x]) => ({ [name]: key, total: x.total, negative: x.negative, neutral: x.neutral, positive: x.positive, avgScore: x.sum / x.total }) as { [P in K]: string } & Split & { avgScore: number })
      .sort((a, b) => b.total - a.total || byteOrder(a[name], b[name]));
  return { byChapter: ranked(chapters, 'chapter'), bySource: ranked(sources, 'source') };
}

/** Bucket rows (t, label, n, s) as the raw bucket query gives them: one row per t with the split and the average. */
function foldBuckets(rows: { t: number; label: string; n: number; s: number }[]): (Omit<Bucket, 't'> & { t: number })[] {
  const byT = new Map<number, Omit<Bucket, 't'> & { t: number; sum: number }>();
  for (const row of rows) {
    let b = byT.get(row.t);
    if (!b) byT.set(row.t, (b = { t: row.t, total: 0, negative: 0, neutral: 0, positive: 0, avgScore: 0, sum: 0 }));
    b.total += Number(row.n);
    b.sum += Number(row.s);
    if (isLabel(row.label)) b[row.label] += Number(row.n);
  }
  return [...byT.values()].map(({ sum, ...b }) => ({ ...b, avgScore: b.total ? sum / b.total : 0 }));
}

type Row = Record<string, number | string | null>;

/**
 * Partial results per whole hour, each valid while its hour's doc_versions stamp is unchanged.
 * A console refreshes the same summary all day while new posts land in the current hour: past
 * hours come from here and only the current one (and any hour a late item or an edit touched) is
 * read again. Bounded (least recently used out); per process, like the reader connection.
 */
class HourCache {
  private readonly entries = new Map<string, { v: number; rows: Row[] }>();
  private size = 0;
  /** At most `maxRows` cached rows in all (an hour with no rows counts as one). */
  constructor(private readonly maxRows: number) {}
  get(key: string, v: number): Row[] | undefined {
    const e = this.entries.get(key);
    if (!e || e.v !== v) return undefined;
    this.entries.delete(key); // most recently used last
    this.entries.set(key, e);
    return e.rows;
  }
  set(key: string, v: number, rows: Row[]): void {
    this.drop(key);
    if (this.maxRows <= 0) return;
    this.entries.set(key, { v, rows });
    this.size += Math.max(1, rows.length);
    while (this.size > this.maxRows) this.drop(this.entries.keys().next().value!);
  }
  clear(): void {
    this.entries.clear();
    this.size = 0;
  }
  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.size -= Math.max(1, e.rows.length);
  }
}

/**
 * The rows of a statement grouped by hour (`h`) over [a, b): whole hours from `cache` when their
 * stamp is unchanged, the rest read (one statement per run of missing hours, and one per partial
 * hour at either end, which is never cached). The stamps are read before the rows, so a cached
 * hour is never older than its stamp says.
 */
type SqlText = { sql: string; params: Param[] };

async function hourlyRows(r: Connection, cache: HourCache, key: string, a: number, b: number, statement: (from: number, to: number) => SqlText | Promise<SqlText>): Promise<Row[]> {
  const h1 = Math.ceil(a / HOUR_MS) * HOUR_MS;
  const h2 = Math.floor(b / HOUR_MS) * HOUR_MS;
  if (h1 >= h2) {
    if (a >= b) return [];
    const st = await statement(a, b);
    return r.all<Row>(st.sql, st.params);
  }
  const stamps = new Map((await r.all<{ bucket: number; v: number }>('SELECT bucket, v FROM doc_versions WHERE bucket >= ? AND bucket < ?', [h1, h2])).map((x) => [x.bucket, x.v]));
  const out: Row[] = [];
  const runs: [number, number][] = [];
  for (let h = h1; h < h2; h += HOUR_MS) {
    const rows = cache.get(`${key}\u0000${h}`, stamps.get(h) ?? 0);
    if (rows) out.push(...rows);
    else if (runs.length && runs[runs.length - 1][1] === h) runs[runs.length - 1][1] = h + HOUR_MS;
    else runs.push([h, h + HOUR_MS]);
  }
  const edges: [number, number][] = [...(a < h1 ? [[a, h1] as [number, number]] : []), ...(h2 < b ? [[h2, b] as [number, number]] : [])];
  const read = async (x: [number, number]) => { const st = await statement(x[0], x[1]); return r.all<Row>(st.sql, st.params); };
  const [fromRuns, fromEdges] = await Promise.all([Promise.all(runs.map(read)), Promise.all(edges.map(read))]);
  runs.forEach(([from, to], i) => {
    const byHour = new Map<number, Row[]>();
    for (const row of fromRuns[i]) {
      const h = Number(row.h);
      let list = byHour.get(h);
      if (!list) byHour.set(h, (list = []));
      list.push(row);
    }
    for (let h = from; h < to; h += HOUR_MS) cache.set(`${key}\u0000${h}`, stamps.get(h) ?? 0, byHour.get(h) ?? []);
    out.push(...fromRuns[i]);
  });
  for (const rows of fromEdges) out.push(...rows);
  return out;
}

/**
 * Per term, documents in the window [from, to) and in the baseline [baselineFrom, to), plus the
 * totals (term null), for filters the count tables cannot answer: ONE read of the matching
 * documents per range (a materialised CTE, from the covering index, in time order), grouped by
 * hour so that whole hours are cached. The window's start splits an hour, so the part of the
 * baseline before it is its own range.
 */
async function termCounts(r: Connection, cache: HourCache, f: AggregateFilters, baselineFrom: number, from: number, to: number): Promise<{ term: string | null; count: number | null; baselineCount: number }[]> {
  const key = partialKey('terms', f, []);
  const statement = (a: number, b: number) => {
    const w = aggregateWhere(f, new Date(a), new Date(b));
    return {
      sql: `WITH m AS MATERIALIZED (SELECT d.created_at AS c, d.rid AS rid FROM docs d WHERE ${w.sql.join(' AND ')})
            SELECT (c / ${HOUR_MS}) * ${HOUR_MS} AS h, NULL AS term, count(*) AS n FROM m GROUP BY 1
            UNION ALL
            SELECT (m.c / ${HOUR_MS}) * ${HOUR_MS} AS h, k.term AS term, count(*) AS n
              FROM m CROSS JOIN doc_keywords k ON k.created_at = m.c AND k.rid = m.rid GROUP BY 1, 2`,
      params: w.params,
    };
  };
  const [before, inWindow] = await Promise.all([hourlyRows(r, cache, key, baselineFrom, from, statement), hourlyRows(r, cache, key, from, to, statement)]);
  const counts = new Map<string | null, { count: number; baselineCount: number }>([[null, { count: 0, baselineCount: 0 }]]);
  const add = (rows: Row[], window: boolean) => {
    for (const row of rows) {
      const term = row.term === null ? null : String(row.term);
      let c = counts.get(term);
      if (!c) counts.set(term, (c = { count: 0, baselineCount: 0 }));
      const n = Number(row.n);
      c.baselineCount += n;
      if (window) c.count += n;
    }
  };
  add(before, false);
  add(inWindow, true);
  // Terms seen only in the baseline do not matter (they have no window count).
  return [...counts].filter(([term, c]) => term === null || c.count > 0).map(([term, c]) => ({ term, ...c }));
}

/** What identifies a partial result besides its hour: the filters (not the time) and the watched groups' match expressions. */
function partialKey(part: string, f: AggregateFilters, groups: Param[]): string {
  return JSON.stringify([part, f.sentiment ?? null, f.chapter ?? null, f.source ?? null, f.kind ?? null, f.excludeChapterIds ?? null, f.keyword ?? null, f.authors?.map((x) => [x.source, x.author]) ?? null, segmentForIndex(f.q ?? ''), groups]);
}

/**
 * Each watched group as a sum of "is in this group's FTS match set" (built once per statement,
 * probed per row). `ranged` reads the match set between two rowids only (see ridRange): its
 * params are then the match expression and the range, per group.
 */
function voiceColumns(watch: WatchGroup[]) {
  const groups = watch.map((g) => ({ key: g.key, words: segmentWatchGroup(g) }));
  const probed = groups.map((g, i) => ({ ...g, i })).filter((g) => g.words.length > 0);
  const params = probed.map((g) => anyOfExpression(g.words)) as Param[];
  return {
    groups,
    probed,
    sql: probed.map((_g, j) => `, sum(d.rid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?)) AS g${j}`).join(''),
    params,
    ranged: probed.map((_g, j) => `, sum(d.rid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? AND rowid BETWEEN ? AND ?)) AS g${j}`).join(''),
    rangedParams: (range: [number, number]) => params.flatMap((p) => [p, ...range]),
  };
}

/**
 * The smallest and largest rid of the documents in [a, b). A group's match set is the group's
 * documents of all time (most of them, for a brand's name): read between these rowids only, its
 * cost follows the range instead. Items are indexed as they arrive, so an hour's rids lie close
 * together; for an index loaded in another order the range is wider and nothing is lost.
 */
async function ridRange(r: Connection, a: number, b: number): Promise<[number, number]> {
  const [row] = await r.all<{ lo: number | null; hi: number | null }>('SELECT min(d.rid) AS lo, max(d.rid) AS hi FROM docs d WHERE d.created_at >= ? AND d.created_at < ?', [a, b]);
  return [row?.lo ?? 0, row?.hi ?? -1];
}

/** Share of voice from rows carrying a sentiment label and the g0… sums, in the order given. */
function foldVoices(v: ReturnType<typeof voiceColumns>, rows: Record<string, number | string | null>[]): Aggregates['shareOfVoice'] {
  const voices = v.groups.map((g) => ({ key: g.key, ...emptySplit() }));
  for (const row of rows) {
    const label = String(row.label);
    v.probed.forEach((g, j) => {
      const k = Number(row[`g${j}`] ?? 0);
      voices[g.i].total += k;
      if (isLabel(label)) voices[g.i][label] += k;
    });
  }
  return voices;
}

/**
 * Sentiment by chapter, by source and share of voice in ONE pass over the window's rows
 * (docs_agg), grouped by (chapter, source, label): for filters the count tables cannot carry.
 * Probing each group's match set per row beats visiting every document of a common brand word
 * across all time.
 */
async function windowGroups(r: Connection, cache: HourCache, watch: WatchGroup[], f: AggregateFilters, from: number, to: number): Promise<Pick<Aggregates, 'byChapter' | 'bySource' | 'shareOfVoice'>> {
  const v = voiceColumns(watch);
  const rows = await hourlyRows(r, cache, partialKey('groups', f, v.params), from, to, async (a, b) => {
    const w = aggregateWhere(f, new Date(a), new Date(b));
    const range = v.probed.length ? await ridRange(r, a, b) : ([0, -1] as [number, number]);
    return {
      sql: `SELECT (d.created_at / ${HOUR_MS}) * ${HOUR_MS} AS h, d.chapter AS chapter, d.source AS source, d.sentiment_label AS label, count(*) AS n, sum(d.sentiment_score) AS s${v.ranged}
              FROM docs d WHERE ${w.sql.join(' AND ')} GROUP BY h, d.chapter, d.source, d.sentiment_label`,
      params: [...v.rangedParams(range), ...w.params],
    };
  });
  return { ...foldGroups(rows as (GroupRow & Row)[]), shareOfVoice: foldVoices(v, rows) };
}

/** Fields of the packed label count: negative + neutral × 2^21 + positive × 2^42 (each < 2^21, under 2^63). */
const PACK = 2 ** 21;

/**
 * Share of voice alone: one pass over the window's rows with, per group, ONE sum that packs the
 * three label counts into one integer. Grouping the pass by label instead costs a sort of every
 * row (~0.14 s of 0.42 s over 100k rows); packing needs each count under 2^21, so a window of
 * more documents than that (`windowTotal`, from the count tables) is grouped by label instead.
 */
async function shareOfVoice(r: Connection, cache: HourCache, watch: WatchGroup[], f: AggregateFilters, from: number, to: number, windowTotal: number): Promise<Aggregates['shareOfVoice']> {
  const v = voiceColumns(watch);
  if (!v.probed.length) return foldVoices(v, []);
  if (windowTotal >= PACK) {
    const w = aggregateWhere(f, new Date(from), new Date(to));
    const rows = await r.all<Row>(`SELECT d.sentiment_label AS label${v.sql} FROM docs d WHERE ${w.sql.join(' AND ')} GROUP BY d.sentiment_label`, [...v.params, ...w.params]);
    return foldVoices(v, rows);
  }
  const weight = `CASE d.sentiment_label WHEN 'negative' THEN 1 WHEN 'neutral' THEN ${PACK} WHEN 'positive' THEN ${PACK * PACK} ELSE 0 END`;
  // One row per hour (in the covering index's time order, no sort); each hour's counts are under
  // the window's, so under 2^21.
  const rows = await hourlyRows(r, cache, partialKey('voice', f, v.params), from, to, async (a, b) => {
    const w = aggregateWhere(f, new Date(a), new Date(b));
    const range = await ridRange(r, a, b);
    return {
      // As text: the driver would turn an integer over 2^53 into an inexact double.
      sql: `SELECT (d.created_at / ${HOUR_MS}) * ${HOUR_MS} AS h, ${v.probed.map((_g, j) => `CAST(coalesce(sum(CASE WHEN d.rid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ? AND rowid BETWEEN ? AND ?) THEN ${weight} ELSE 0 END), 0) AS TEXT) AS g${j}`).join(', ')}
              FROM docs d WHERE ${w.sql.join(' AND ')} GROUP BY h`,
      params: [...v.rangedParams(range), ...w.params],
    };
  });
  const voices = v.groups.map((g) => ({ key: g.key, ...emptySplit() }));
  const p = BigInt(PACK);
  for (const row of rows) {
    v.probed.forEach((g, j) => {
      const packed = BigInt(row[`g${j}`] ?? '0');
      const x = voices[g.i];
      x.negative += Number(packed % p);
      x.neutral += Number((packed / p) % p);
      x.positive += Number(packed / (p * p));
    });
  }
  for (const x of voices) x.total = x.negative + x.neutral + x.positive;
  return voices;
}

/**
 * Documents over [a, b) under filters the count tables answer (countsAnswer), from doc_hours /
 * doc_days and the rows of the partial hours at either end: per (bucket of `size`, label), per
 * (chapter, source, label), or the total.
 */
async function documentCounts(r: Connection, f: AggregateFilters, a: number, b: number, by: 'buckets', size: number): Promise<{ t: number; label: string; n: number; s: number }[]>;
async function documentCounts(r: Connection, f: AggregateFilters, a: number, b: number, by: 'groups'): Promise<GroupRow[]>;
async function documentCounts(r: Connection, f: AggregateFilters, a: number, b: number, by: 'total'): Promise<{ n: number | null }[]>;
async function documentCounts(r: Connection, f: AggregateFilters, a: number, b: number, by: 'buckets' | 'groups' | 'total', size = HOUR_MS): Promise<unknown[]> {
  const shape = {
    buckets: { raw: `(d.created_at / ${size}) * ${size} AS t, d.sentiment_label AS label`, counted: `(t.bucket / ${size}) * ${size} AS t, t.sentiment_label AS label`, keys: 't, label', n: 2 },
    groups: { raw: 'd.chapter AS chapter, d.source AS source, d.sentiment_label AS label', counted: "nullif(t.chapter, '') AS chapter, t.source AS source, t.sentiment_label AS label", keys: 'chapter, source, label', n: 3 },
    total: { raw: '', counted: '', keys: '', n: 0 },
  }[by];
  const groupBy = (n: number) => (n ? ` GROUP BY ${Array.from({ length: n }, (_x, i) => i + 1).join(', ')}` : '');
  const cols = (c: string) => (c ? `${c}, ` : '');
  const pieces: string[] = [];
  const params: Param[] = [];
  const cw = countWhere(f);
  // Hourly buckets cannot come from per-day counts.
  for (const seg of countSegments(a, b, by !== 'buckets' || size >= DAY_MS)) {
    if (seg.table === 'raw') {
      const w = aggregateWhere(f, new Date(seg.from), new Date(seg.to));
      pieces.push(`SELECT ${cols(shape.raw)}count(*) AS n, sum(d.sentiment_score) AS s FROM docs d WHERE ${w.sql.join(' AND ')}${groupBy(shape.n)}`);
      params.push(...w.params);
    } else {
      pieces.push(`SELECT ${cols(shape.counted)}sum(t.n) AS n, sum(t.score) AS s FROM doc_${seg.table} t WHERE t.bucket >= ? AND t.bucket < ?${cw.sql}${groupBy(shape.n)}`);
      params.push(seg.from, seg.to, ...cw.params);
    }
  }
  if (!pieces.length) return [];
  return r.all(`SELECT ${cols(shape.keys)}sum(n) AS n, sum(s) AS s FROM (${pieces.join(' UNION ALL ')})${shape.keys ? ` GROUP BY ${shape.keys}` : ''}`, params);
}

/** SQLite's BINARY collation (and Elasticsearch's keyword order): by UTF-8 bytes, not UTF-16 units. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** FTS5 MATCH expression for a watched group: ANY of its terms, each an AND of its words. */
function anyOfExpression(group: string[][]): string {
  return group.map((words) => `(${matchExpression(words)})`).join(' OR ');
}

/** FTS5 MATCH expression: every term quoted (no operator injection) and ANDed. */
function matchExpression(terms: string[]): string {
  return terms.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return [value[0], value[1]];
    }
  } catch {
    /* fall through */
  }
  throw Validation('cursor', 'invalid cursor');
}

function toParams(doc: SearchDocument): Param[] {
  const createdAt = Date.parse(doc.createdAt);
  if (!Number.isFinite(createdAt)) throw Validation('createdAt', `invalid date for ${doc.id}: ${doc.createdAt}`);
  return [
    doc.id,
    doc.kind,
    doc.text,
    // Whitespace inside a token would split it on both sides alike; normalise it to one space.
    doc.tokens.map((t) => t.trim()).filter(Boolean).join(' '),
    doc.lang,
    doc.sentiment.label,
    doc.sentiment.score,
    doc.sentiment.confidence,
    JSON.stringify(doc.keywords),
    JSON.stringify(doc.hashtags),
    doc.author,
    doc.authorFollowers,
    doc.kol ? 1 : 0,
    doc.chapter,
    doc.chapterId,
    doc.threadId,
    doc.category,
    doc.title,
    doc.source,
    doc.url,
    doc.complaint,
    createdAt,
  ];
}

/** The embedded (SQLite FTS5) search backend, stored in `opts.file` (DATA_DIR/search.sqlite). */
export function createEmbeddedBackend(opts: { file: string; aggregateCacheRows?: number }): SearchBackend {
  let writer: Connection | null = null;
  let reader: Connection | null = null;
  let opening: Promise<void> | null = null;
  let closed = false;
  let writeChain: Promise<unknown> = Promise.resolve();
  /** Per-hour partial aggregates (see HourCache). */
  const partials = new HourCache(opts.aggregateCacheRows ?? 500_000);

  const open = async () => {
    const inMemory = opts.file === ':memory:' || opts.file === '';
    if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(opts.file)), { recursive: true });
    const w = await Connection.open(opts.file, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE);
    await w.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    const [{ user_version: version }] = await w.all<{ user_version: number }>('PRAGMA user_version');
    // From an older version the documents are there but the newer tables are empty: fill them once,
    // in the same transaction (doc_keywords from 1, the keyword counts from 1 and 2, the document
    // counts from 1 to 3).
    const counts = (table: string, size: number) =>
      `INSERT INTO ${table} SELECT (d.created_at / ${size}) * ${size}, d.source, d.kind, d.sentiment_label, coalesce(d.chapter_id, 0), coalesce(d.chapter, ''), k.term, count(*)
         FROM docs d JOIN doc_keywords k ON k.created_at = d.created_at AND k.rid = d.rid GROUP BY 1, 2, 3, 4, 5, 6, 7;`;
    const docCounts = (table: string, size: number) =>
      `INSERT INTO ${table} SELECT (created_at / ${size}) * ${size}, source, kind, sentiment_label, coalesce(chapter_id, 0), coalesce(chapter, ''), count(*), sum(sentiment_score)
         FROM docs GROUP BY 1, 2, 3, 4, 5, 6;`;
    const backfill = [
      version === 1 ? 'INSERT OR IGNORE INTO doc_keywords SELECT d.created_at, d.rid, k.value, d.source, d.chapter_id, d.chapter FROM docs d, json_each(d.keywords) k;' : '',
      version === 1 || version === 2 ? `DELETE FROM keyword_hours; DELETE FROM keyword_days; ${counts('keyword_hours', 3_600_000)} ${counts('keyword_days', 86_400_000)}` : '',
      version >= 1 && version <= 3 ? `DELETE FROM doc_hours; DELETE FROM doc_days; ${docCounts('doc_hours', 3_600_000)} ${docCounts('doc_days', 86_400_000)}` : '',
    ].join(' ');
    // Version 2's doc_keywords triggers failed on a document repeating a keyword (the upsert's
    // conflict clause overrides the trigger's OR IGNORE): recreate them with DISTINCT.
    const retrigger = version >= 1 && version < 3 ? 'DROP TRIGGER IF EXISTS docs_kw_ai; DROP TRIGGER IF EXISTS docs_kw_au;' : '';
    // Version 6 added category and title: older documents have neither until `resonance reindex`
    // rebuilds them from the database (search still finds them by their text).
    // (Columns are read, not inferred from the version: a file may have them under an older number.)
    const present = version >= 1 ? new Set((await w.all<{ name: string }>('PRAGMA table_info(docs)')).map((c) => c.name)) : null;
    const columns = present ? ['category', 'title'].filter((c) => !present.has(c)).map((c) => `ALTER TABLE docs ADD COLUMN ${c} TEXT;`).join(' ') : '';
    await w.exec(`BEGIN IMMEDIATE; ${retrigger} ${columns} ${SCHEMA} ${backfill} COMMIT;`);
    if (columns) log.warn('search index upgraded: run `resonance reindex` so older posts can be filtered by category and found by thread title', { file: opts.file, fromVersion: version });
    writer = w;
    if (inMemory) reader = w; // a second :memory: connection would be a different database
    else {
      const r = await Connection.open(opts.file, sqlite3.OPEN_READONLY);
      await r.exec('PRAGMA busy_timeout = 5000;');
      reader = r;
    }
  };
  const ready = async (): Promise<{ writer: Connection; reader: Connection }> => {
    if (closed) throw new Error('embedded search backend is closed');
    opening ??= open().catch((e) => {
      opening = null;
      throw e;
    });
    await opening;
    return { writer: writer!, reader: reader! };
  };

  /** Writes run one at a time, each in its own transaction. */
  const write = <T>(fn: (w: Connection) => Promise<T>): Promise<T> => {
    const run = writeChain.then(async () => {
      const { writer: w } = await ready();
      await w.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(w);
        await w.exec('COMMIT');
        return result;
      } catch (e) {
        await w.exec('ROLLBACK').catch(() => {});
        throw e;
      }
    });
    writeChain = run.catch(() => {});
    return run;
  };

  return {
    name: 'embedded',

    async init() {
      await ready();
    },

    async index(docs) {
      if (!docs.length) return;
      const rows = docs.map(toParams); // validate before opening the transaction
      await write(async (w) => {
        // Queued in order on the serialized connection; settle all before COMMIT/ROLLBACK.
        const results = await Promise.allSettled(rows.map((p) => w.run(UPSERT, p)));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      });
    },

    async remove(ids) {
      if (!ids.length) return;
      await write((w) => w.run('DELETE FROM docs WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(ids)]));
    },

    async removeByAuthor(authors, kind) {
      if (!authors.length) return;
      await write((w) =>
        w.run('DELETE FROM docs WHERE kind = ? AND author IN (SELECT value FROM json_each(?))', [kind, JSON.stringify(authors)]),
      );
    },

    async search(query: SearchQuery): Promise<SearchResult> {
      const { reader: r } = await ready();
      const terms = [...new Set(segmentForIndex(query.q ?? ''))];
      const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(query.limit)));
      const where = whereClause(query);
      if (terms.length) {
        where.sql.push('d.rid IN (SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?)');
        where.params.push(matchExpression(terms));
      }
      const filter = (extra: string[]) => {
        const all = [...where.sql, ...extra];
        return all.length ? `WHERE ${all.join(' AND ')}` : '';
      };
      const [{ total }] = await r.all<{ total: number }>(`SELECT count(*) AS total FROM docs d ${filter([])}`, where.params);
      if (limit === 0) return { total, items: [] };

      const page: string[] = [];
      const pageParams: Param[] = [];
      if (query.cursor) {
        const [createdAt, id] = decodeCursor(query.cursor);
        page.push('(d.created_at, d.id) < (?, ?)');
        pageParams.push(createdAt, id);
      }
      // One extra row tells whether another page exists, so the last page carries no cursor.
      const rows = await r.all<HitRow>(
        `SELECT d.id, d.kind, d.text, d.sentiment_label, d.sentiment_score, d.author, d.kol, d.chapter, d.thread_id,
                d.category, d.title, d.source, d.url, d.created_at
           FROM docs d ${filter(page)} ORDER BY d.created_at DESC, d.id DESC LIMIT ?`,
        [...where.params, ...pageParams, limit + 1],
      );
      const more = rows.length > limit;
      const items = rows.slice(0, limit).map(
        (row): SearchHit => ({
          id: row.id,
          kind: row.kind,
          text: row.text,
          highlight: highlight(row.text, terms),
          sentiment: { label: row.sentiment_label, score: row.sentiment_score },
          author: row.author,
          kol: row.kol === 1,
          chapter: row.chapter,
          threadId: row.thread_id,
          category: row.category,
          title: row.title,
          titleHighlight: row.title === null ? null : highlight(row.title, terms),
          source: row.source,
          url: row.url,
          createdAt: new Date(row.created_at).toISOString(),
        }),
      );
      const last = rows[limit - 1];
      return more && last ? { total, items, cursor: encodeCursor(last.created_at, last.id) } : { total, items };
    },

    async aggregate(query: AggregateQuery): Promise<Aggregates> {
      const { reader: r } = await ready();
      const size = INTERVAL_MS[query.interval];
      if (!size) throw Validation('interval', `unknown interval ${String(query.interval)}`);
      const from = query.from.getTime();
      const to = query.to.getTime();
      const first = Math.floor(from / size) * size;
      const bucketCount = to > first ? Math.ceil((to - first) / size) : 0;
      if (bucketCount > MAX_BUCKETS) throw Validation('interval', `too many buckets (${bucketCount} > ${MAX_BUCKETS})`);
      const { sql, params } = aggregateWhere(query, query.from, query.to);
      const where = `WHERE ${sql.join(' AND ')}`;
      const sentimentSplit = "count(*) AS total, sum(d.sentiment_label = 'negative') AS negative, sum(d.sentiment_label = 'neutral') AS neutral, sum(d.sentiment_label = 'positive') AS positive";

      const emergingSize = Math.max(0, Math.floor(query.emerging ?? EMERGING_DEFAULT));
      const minDocCount = Math.max(1, Math.floor(query.minDocCount ?? MIN_DOC_COUNT));
      // Without emerging terms there is no baseline: the window alone.
      const baselineFrom = emergingSize
        ? new Date(Math.min(query.from.getTime(), (query.baselineFrom ?? defaultBaselineFrom(query.from, query.to)).getTime()))
        : query.from;
      const baseline = aggregateWhere(query, baselineFrom, query.to);
      const baselineWhere = `WHERE ${baseline.sql.join(' AND ')}`;

      const watch = query.watch ?? [];
      if (watch.length > MAX_WATCH_GROUPS) throw Validation('watch', `at most ${MAX_WATCH_GROUPS} groups`);

      // Pre-aggregated keyword counts when the filters allow: window counts serve top keywords and
      // emerging terms alike; the baseline is counted only when emerging terms are wanted.
      // Otherwise ONE statement reads the baseline's matching documents once (a materialised CTE,
      // from the covering index, in time order) and gives the totals and, per term, the window and
      // baseline counts (top keywords are the window counts).
      const useCounts = countsAnswer(query);
      const topKeywords = Math.max(0, query.topKeywords ?? 10);
      // Every statement is issued in this tick (one Promise.all): close() waits for all of them.
      // With count-answerable filters the volume chart (hour and day buckets), the chapter and source
      // panels and the totals come from the document counts; minute buckets, share of voice and
      // every other filter read the window's rows.
      const bucketsFromCounts = useCounts && size >= HOUR_MS;
      const [windowCounts, baselineCounts, bucketRows, groups, termRows] = await Promise.all([
        useCounts ? keywordCounts(r, query, from, to) : Promise.resolve(null),
        useCounts && emergingSize ? keywordCounts(r, query, baselineFrom.getTime(), to) : Promise.resolve(new Map<string, number>()),
        bucketsFromCounts
          ? documentCounts(r, query, from, to, 'buckets', size).then(foldBuckets)
          : r.all<Omit<Bucket, 't'> & { t: number }>(
            `SELECT (d.created_at / ${size}) * ${size} AS t, ${sentimentSplit}, avg(d.sentiment_score) AS avgScore
               FROM docs d ${where} GROUP BY 1`,
            params,
          ),
        useCounts
          ? documentCounts(r, query, from, to, 'groups').then(async (rows) => {
            const panels = foldGroups(rows);
            const windowTotal = panels.bySource.reduce((n, x) => n + x.total, 0);
            return { ...panels, shareOfVoice: await shareOfVoice(r, partials, watch, query, from, to, windowTotal) };
          })
          : windowGroups(r, partials, watch, query, from, to),
        useCounts
          ? emergingSize
            ? documentCounts(r, query, baselineFrom.getTime(), to, 'total').then((rows) => [{ term: null, count: null, baselineCount: Number(rows[0]?.n ?? 0) }])
            : Promise.resolve([])
          : termCounts(r, partials, query, baselineFrom.getTime(), from, to),
      ]);

      const totalsRow = termRows.find((t) => t.term === null);
      // The window's total is every panel's: the sources' sum (each document has one source).
      const windowTotal = groups.bySource.reduce((n, x) => n + x.total, 0);
      const totals = { fgTotal: totalsRow?.count ?? windowTotal, bgTotal: totalsRow?.baselineCount ?? 0 };
      const byTerm = (a: { term: string; count: number }, b: { term: string; count: number }) => b.count - a.count || byteOrder(a.term, b.term);
      let keywordRows: { term: string; count: number }[];
      let emergingRows: TermCounts[];
      if (windowCounts) {
        const entries = [...windowCounts].map(([term, count]) => ({ term, count }));
        keywordRows = entries.sort(byTerm).slice(0, topKeywords);
        emergingRows = emergingSize
          ? entries.filter((e) => e.count >= minDocCount).map((e) => ({ ...e, baselineCount: baselineCounts.get(e.term) ?? e.count }))
          : [];
      } else {
        const terms = termRows.filter((t): t is TermCounts => t.term !== null).map((t) => ({ term: t.term, count: Number(t.count), baselineCount: t.baselineCount }));
        keywordRows = terms.map((t) => ({ term: t.term, count: t.count })).sort(byTerm).slice(0, topKeywords);
        emergingRows = emergingSize ? terms.filter((t) => t.count >= minDocCount) : [];
      }
      const byStart = new Map(bucketRows.map((b) => [b.t, b]));
      const buckets: Bucket[] = [];
      for (let i = 0; i < bucketCount; i++) {
        const t = first + i * size;
        const b = byStart.get(t);
        buckets.push({
          t: new Date(t).toISOString(),
          total: b?.total ?? 0,
          negative: b?.negative ?? 0,
          neutral: b?.neutral ?? 0,
          positive: b?.positive ?? 0,
          avgScore: b?.avgScore ?? 0,
        });
      }
      const emerging = rankEmerging(emergingRows, totals, { size: emergingSize, minDocCount });
      return { buckets, topKeywords: keywordRows, ...groups, emerging };
    },

    async count() {
      const { reader: r } = await ready();
      const [{ n }] = await r.all<{ n: number }>('SELECT count(*) AS n FROM docs');
      return n;
    },

    async reset() {
      // Drop and recreate: per-row FTS 'delete' triggers would make a large reset slow.
      // Cached statements survive: sqlite3_prepare_v2 statements re-prepare after a schema change.
      await write((w) => w.exec(DROP + SCHEMA));
      partials.clear();
    },

    async ping() {
      try {
        const { reader: r } = await ready();
        await r.all('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await writeChain;
      await opening?.catch(() => {});
      const w = writer;
      const r = reader;
      writer = reader = null;
      if (r && r !== w) await r.close();
      if (w) await w.close();
    },
  };
}
