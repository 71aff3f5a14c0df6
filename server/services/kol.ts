/**
 * KOLs of this community: the interaction graph (replies, @mentions, likes; external authors with
 * their follower counts) loaded from the database at start, kept current by the kol processor,
 * and fully recomputed on a schedule. Each web process holds its own (the same data gives the
 * same ranking). Members who opted out of analytics are left out of the graph entirely.
 */
import { IncrementalKol, KolRecomputeThread, flagKols, renderReason, KOL_REASON_EN, type KolScore, type KolState } from '../../search/kol';
import { asDate, asEpochMs, asJson, sqlDate, sqlRows } from '../sql';
import { t, type Locale } from '../i18n';
import { consoleSettings } from './consoleSettings';
import { log } from '../log';

/** A graph node for a forum member or an external author. */
export const forumNode = (username: string) => `forum:${username}`;
export const externalNode = (source: string, handle: string) => `${source}:${handle}`;
/** The (source, author) of a node id (the first colon splits: handles may contain colons). */
export function authorOfNode(node: string): { source: string; author: string } {
  const i = node.indexOf(':');
  return { source: node.slice(0, i), author: node.slice(i + 1) };
}

/** Sentiment per author, per UTC day, for the last days: a KOL turning negative is an alert signal. */
const SENTIMENT_DAYS = 30;
type Daily = Map<number, { sum: number; n: number }>;

let kol = new IncrementalKol();
let flagged = new Set<string>();
const sentiment = new Map<string, Daily>();
const optedOut = new Set<string>();
let timer: NodeJS.Timeout | null = null;
/** When the last full recompute ran, and whether interactions arrived since. */
let recomputedAt = 0;
let dirty = false;
/** A leaderboard older than this is recomputed when asked for (after a start, or a quiet schedule). */
const STALE_MS = 30_000;
/**
 * Graphs with at least this many edges recompute on a worker thread (about a second at 1M
 * interactions, which would stall every request); smaller ones inline, where a thread's start
 * and copies cost more than the work. KOL_RECOMPUTE_THREAD_MIN_EDGES.
 */
let threadMinEdges = 50_000;
let thread: KolRecomputeThread | null = null;
/** The recompute in flight (callers share it) and whether another was asked for meanwhile. */
let running: Promise<void> | null = null;
let again = false;

/** Settings from the config (app start). */
export function configureKol(options: { threadMinEdges: number }): void {
  threadMinEdges = options.threadMinEdges;
}

/** A full recompute of `graph` at `now`: on the worker thread for a large graph, else inline. */
async function computeState(target: IncrementalKol, now: number): Promise<void> {
  const started = performance.now();
  const done = (where: 'inline' | 'thread') => log.info('KOL recomputed', { where, nodes: target.graph.nodeCount, edges: target.graph.edgeCount, ms: Math.round(performance.now() - started) });
  if (target.graph.edgeCount < threadMinEdges) {
    target.recompute(now);
    done('inline');
    return;
  }
  thread ??= new KolRecomputeThread();
  const snapshot = target.beginRecompute();
  let state: KolState;
  try {
    state = await thread.run(snapshot, now, target.params);
  } catch (err) {
    target.abortRecompute();
    throw err;
  }
  target.install(state);
  done('thread');
}

/**
 * Load the graph from the database and run a first full recompute. At 1M interactions this reads
 * a few million rows, so rows carry ids and times as numbers: node names are built once per user
 * (not per row), and no Date is made per row.
 */
export async function loadKolGraph(): Promise<{ interactions: number; nodes: number; ms: number }> {
  const started = Date.now();
  const next = new IncrementalKol();
  optedOut.clear();
  const node = new Map<number, string>();
  for (const u of await sqlRows<{ id: number; username: string; analyticsConsent: unknown }>('SELECT "id", "username", "analyticsConsent" FROM "users"')) {
    const name = forumNode(String(u.username));
    if (u.analyticsConsent === false || u.analyticsConsent === 0) optedOut.add(name);
    node.set(Number(u.id), name);
  }
  const byName = new Map<string, string>();
  let interactions = 0;
  const add = (from: string, to: string | undefined, kind: 'reply' | 'mention' | 'like', at: number, ref: string) => {
    if (to === undefined || from === to || optedOut.has(from) || optedOut.has(to)) return;
    next.add({ from, to, kind, at, ref });
    interactions++;
  };
  const posts = await sqlRows<{ id: number; createdAt: unknown; mentions: unknown; authorId: number; repliedTo: number | null }>(
    `SELECT p."id", p."createdAt", p."mentions", p."authorId", r."authorId" AS "repliedTo"
       FROM "posts" p LEFT JOIN "posts" r ON r."id" = p."replyToId"
      WHERE p."deletedAt" IS NULL AND p."hiddenAt" IS NULL ORDER BY p."id"`,
  );
  for (const p of posts) {
    const me = node.get(Number(p.authorId));
    if (me === undefined) continue;
    const at = asEpochMs(p.createdAt);
    const ref = `post:${p.id}`;
    if (!optedOut.has(me)) next.authored(me, at, ref);
    if (p.repliedTo !== null) add(me, node.get(Number(p.repliedTo)), 'reply', at, ref);
    // Most posts mention nobody: skip the parse for the empty list.
    if (p.mentions === null || p.mentions === '[]') continue;
    for (const name of asJson<string[]>(p.mentions) ?? []) {
      let to = byName.get(name);
      if (to === undefined) byName.set(name, (to = forumNode(name)));
      add(me, to, 'mention', at, ref);
    }
  }
  const likes = await sqlRows<{ createdAt: unknown; postId: number; userId: number; authorId: number }>(
    'SELECT l."createdAt", l."postId", l."userId", p."authorId" FROM "likes" l JOIN "posts" p ON p."id" = l."postId" ORDER BY l."id"',
  );
  for (const l of likes) {
    const from = node.get(Number(l.userId));
    if (from !== undefined) add(from, node.get(Number(l.authorId)), 'like', asEpochMs(l.createdAt), `post:${l.postId}`);
  }
  const mentions = await sqlRows<{ id: number; source: string; authorHandle: string; authorFollowers: number | null; publishedAt: unknown }>(
    'SELECT "id", "source", "authorHandle", "authorFollowers", "publishedAt" FROM "mentions" ORDER BY "id"',
  );
  for (const m of mentions) {
    const author = externalNode(String(m.source), String(m.authorHandle));
    next.authored(author, asEpochMs(m.publishedAt), `mention:${m.id}`);
    if (m.authorFollowers !== null) next.followers(author, Number(m.authorFollowers));
  }
  await loadSentiment();
  await computeState(next, Date.now());
  kol = next;
  recomputedAt = Date.now();
  dirty = false;
  await reflag();
  return { interactions, nodes: kol.graph.nodeCount, ms: Date.now() - started };
}

/** Rebuild every author's daily sentiment for the last days from the stored analyses (it lives in memory). */
async function loadSentiment(): Promise<void> {
  sentiment.clear();
  const since = sqlDate(new Date(Date.now() - SENTIMENT_DAYS * 86_400_000));
  const posts = await sqlRows<Record<string, unknown>>(
    `SELECT a."score", p."createdAt" AS "at", u."username" FROM "analyses" a
       JOIN "posts" p ON p."id" = a."refId" JOIN "users" u ON u."id" = p."authorId"
      WHERE a."kind" = 'post' AND p."createdAt" >= $1`,
    [since],
  );
  for (const r of posts) trackSentiment(forumNode(String(r.username)), asDate(r.at), Number(r.score));
  const mentions = await sqlRows<Record<string, unknown>>(
    `SELECT a."score", m."publishedAt" AS "at", m."source", m."authorHandle" FROM "analyses" a
       JOIN "mentions" m ON m."id" = a."refId" WHERE a."kind" = 'mention' AND m."publishedAt" >= $1`,
    [since],
  );
  for (const r of mentions) trackSentiment(externalNode(String(r.source), String(r.authorHandle)), asDate(r.at), Number(r.score));
}

/** Add one judged item to its author's daily sentiment, dropping days older than the window. */
function trackSentiment(node: string, at: Date, score: number): void {
  const day = Math.floor(at.getTime() / 86_400_000);
  let daily = sentiment.get(node);
  if (!daily) sentiment.set(node, (daily = new Map()));
  const d = daily.get(day) ?? { sum: 0, n: 0 };
  d.sum += score;
  d.n++;
  daily.set(day, d);
  for (const k of daily.keys()) if (k < day - SENTIMENT_DAYS) daily.delete(k);
}

/** Re-apply the admins' thresholds to the current ranking. */
async function reflag() {
  const { kol: settings } = await consoleSettings();
  flagged = flagKols(kol.top(settings.topN), settings);
}

/** Record one interaction as it happens (the kol processor). */
export function recordInteraction(from: string, to: string, kind: 'reply' | 'mention' | 'like', at: Date, ref: string): void {
  if (from === to || optedOut.has(from) || optedOut.has(to)) return;
  kol.add({ from, to, kind, at, ref });
  dirty = true;
}

/** Record an analysed item: its author wrote it (and has this many followers), with this sentiment. */
export function recordAuthored(node: string, at: Date, ref: string, score: number, followers: number | null, first: boolean): void {
  if (optedOut.has(node)) return;
  if (first) kol.authored(node, at, ref);
  dirty = true;
  if (followers !== null) kol.followers(node, followers);
  // An edit's re-analysis replaces nothing here: the trend counts judgements as they come.
  if (first) trackSentiment(node, at, score);
}

/** A member's analytics consent changed: leave them out from the next recompute (or bring them back). */
export function setOptedOut(username: string, out: boolean): void {
  if (out) optedOut.add(forumNode(username));
  else optedOut.delete(forumNode(username));
}

/** Whether an author is a flagged KOL. */
export const isKol = (source: string, handle: string) => flagged.has(externalNode(source, handle));

/** The flagged KOLs as (source, author) pairs: the console's "KOL only" filter. */
export const kolAuthors = () => [...flagged].map(authorOfNode);

/** An author's daily average sentiment over the last days, oldest first. */
export function sentimentTrend(node: string): { day: string; avg: number; n: number }[] {
  const daily = sentiment.get(node);
  if (!daily) return [];
  return [...daily.entries()].sort((a, b) => a[0] - b[0]).map(([day, d]) => ({ day: new Date(day * 86_400_000).toISOString().slice(0, 10), avg: d.sum / d.n, n: d.n }));
}

/** One member's or author's score now (incremental between recomputes), or null when unknown. */
export function kolScoreOf(node: string, locale: Locale) {
  const s = kol.score(node);
  return s ? presentKol(s, locale) : null;
}

/** The leaderboard: the top n of the last recompute, with reasons in the viewer's language. */
export async function leaderboard(n: number, locale: Locale) {
  // Stale-while-revalidate: a stale ranking is answered at once and recomputed behind it; only
  // a process with no ranking yet waits for one.
  if (dirty && kol.last.order.length === 0) await recomputeKols();
  else if (dirty && !running && Date.now() - recomputedAt > STALE_MS) {
    // After this response: taking the snapshot and handing it to the thread is not this request's cost.
    setImmediate(() => recomputeKols().catch((err) => log.error('KOL recompute failed', { error: String(err) })));
  }
  return kol.top(n).map((s) => presentKol(s, locale));
}

/** A score as the API and console show it (CONTRACT: {username|handle, source, score, reach, sentiment, reasons}). */
export function presentKol(s: KolScore, locale: Locale) {
  const { source, author } = authorOfNode(s.node);
  const trend = sentimentTrend(s.node);
  const n = trend.reduce((a, d) => a + d.n, 0);
  const avg = n ? trend.reduce((a, d) => a + d.avg * d.n, 0) / n : null;
  return {
    ...(source === 'forum' ? { username: author } : { handle: author }),
    source,
    rank: s.rank,
    score: Math.round(s.score * 10) / 10,
    kol: flagged.has(s.node),
    reach: Math.round(s.parts.reach * 1000) / 1000,
    parts: s.parts,
    sentiment: avg === null ? null : { score: Math.round(avg * 1000) / 1000, items: n, trend },
    reasons: s.explanation.map((r) => renderReason(r, localeTemplates(locale))),
    evidence: s.evidence,
  };
}

const templates = new Map<Locale, Record<keyof typeof KOL_REASON_EN, string>>();
function localeTemplates(locale: Locale) {
  let tpl = templates.get(locale);
  if (!tpl) {
    // Without variables t() keeps the {placeholders}, for renderReason to fill.
    tpl = Object.fromEntries(Object.keys(KOL_REASON_EN).map((k) => [k, t(locale, k)])) as Record<keyof typeof KOL_REASON_EN, string>;
    templates.set(locale, tpl);
  }
  return tpl;
}

/** Recompute everything every `minutes`, on an unref'd timer. */
export function scheduleKolRecompute(minutes: number): void {
  stopKolRecompute();
  timer = setInterval(() => {
    if (dirty) recomputeKols().catch((err) => log.error('KOL recompute failed', { error: String(err) }));
  }, minutes * 60_000);
  timer.unref();
}

/** Stop the schedule and the recompute thread (close). */
export function stopKolRecompute(): void {
  if (timer) clearInterval(timer);
  timer = null;
  void thread?.close();
  thread = null;
}

/**
 * Recompute now and re-flag (the schedule, a stale leaderboard, tests, and after an admin changes
 * the thresholds). Concurrent callers share the run in flight; a call during it queues one more,
 * so what it asked to include is included.
 */
export function recomputeKols(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  const run = async () => {
    do {
      again = false;
      const target = kol;
      const startedAt = Date.now();
      dirty = false;
      try {
        await computeState(target, startedAt);
      } catch (err) {
        dirty = true;
        throw err;
      }
      if (target !== kol) continue; // the graph was reloaded meanwhile: its own recompute counts
      recomputedAt = startedAt;
      await reflag();
    } while (again);
  };
  running = run().finally(() => (running = null));
  return running;
}
