/**
 * The alert rules as a processor: each item.analyzed runs negative_post, kol_negative and
 * watchword (search/alerts/rules.ts) on the pipeline's judgement, member reports (post.flagged)
 * run the flag rule, and every first analysis is counted into minute buckets for the spike
 * detectors (chapter, source, category, watched term), closed by a timer. Firings become cases
 * through services/alerts.ts. Durable, and idempotent by each firing's dedupe key, so a restart
 * re-reads what it had not finished and raises nothing twice. It runs where the KOL graph is
 * (the web role, or `all`): kol_negative needs it.
 */
import type { Processor } from './dispatcher';
import type { StoredEvent } from '../events';
import { Chapter, Flag, Mention, Post, Thread, User, Category } from '../models';
import { raiseSignal, type SignalSubject } from '../services/alerts';
import { alertSettings } from '../services/alertSettings';
import { externalNode, forumNode, isKol, kolScoreOf, sentimentTrend } from '../services/kol';
import { flagRule, kolNegativeRule, negativePostRule, spikeRule, watchwordRule, type AuthorStanding, type SignalDraft } from '../../search/alerts/rules';
import { SpikeSeries } from '../../search/alerts/series';
import type { SpikeParams } from '../../search/alerts/spike';
import { log } from '../log';
import { asDate, sqlDate, sqlRows } from '../sql';

const excerpt = (text: string, n = 140) => (text.length > n ? `${text.slice(0, n)}…` : text);
const minuteOf = (d: Date) => Math.floor(d.getTime() / 60_000);

/** What the case shows of an item: its thread's title (or the outside author) and an excerpt. */
async function subjectOfItem(e: StoredEvent<'item.analyzed'>): Promise<SignalSubject | null> {
  if (e.kind === 'post') {
    const post = await Post.findByPk(e.id);
    if (!post || post.deletedAt) return null;
    const thread = await Thread.findByPk(post.threadId);
    return { postId: post.id, threadId: post.threadId, chapterId: e.chapterId, authorId: post.authorId, source: 'forum', title: thread?.title ?? `#${post.threadId}`, summary: excerpt(post.body) };
  }
  const mention = await Mention.findByPk(e.id);
  if (!mention) return null;
  return { mentionId: mention.id, source: mention.source, title: `${mention.source} @${mention.authorHandle}`, summary: excerpt(mention.text) };
}

/** The author's KOL standing: flagged or not, influence score, daily sentiment. */
async function standingOf(e: StoredEvent<'item.analyzed'>): Promise<AuthorStanding> {
  let node: string;
  let kol: boolean;
  if (e.kind === 'post') {
    node = forumNode(e.handle);
    kol = isKol('forum', e.handle);
  } else {
    node = externalNode(e.source, e.handle);
    kol = isKol(e.source, e.handle);
  }
  const score = kolScoreOf(node, 'zh-CN');
  return { kol, influence: score ? score.score : null, trend: sentimentTrend(node) };
}

export interface AlertRulesOptions {
  spike?: Partial<SpikeParams>;
  /** How often minutes are closed for the spike detectors. */
  tickMs?: number;
  /**
   * Items written longer ago than this raise nothing and count in no spike (ALERT_MAX_ITEM_AGE_HOURS):
   * the desk is for what is happening now. Without it a bulk import, a seeded history or a
   * backfill of last month's mentions would fill the queue with old cases, and its analysis
   * minute would read as a spike.
   */
  maxItemAgeMs?: number;
}

/** The alert-rules processor, with its spike timer (start/stop with the app). */
export function alertRulesProcessor(options: AlertRulesOptions = {}): Processor<'item.analyzed' | 'post.flagged'> & { start(): Promise<void>; stop(): void; tick(now?: Date): Promise<number> } {
  let spikes = new SpikeSeries(options.spike);
  let timer: NodeJS.Timeout | null = null;
  const categoryOfThread = new Map<number, number | null>();

  async function seriesOf(e: { kind: 'post' | 'mention'; chapterId: number | null; threadId: number | null; source: string; watch?: { term: string; list?: string }[] }): Promise<string[]> {
    const keys = [`source:${e.source}`];
    if (e.chapterId !== null) keys.push(`chapter:${e.chapterId}`);
    if (e.threadId !== null) {
      let category = categoryOfThread.get(e.threadId);
      if (category === undefined) {
        category = (await Thread.findByPk(e.threadId, { attributes: ['categoryId'] }))?.categoryId ?? null;
        if (categoryOfThread.size > 50_000) categoryOfThread.clear();
        categoryOfThread.set(e.threadId, category);
      }
      if (category !== null) keys.push(`category:${category}`);
    }
    for (const w of e.watch ?? []) if (w.list) keys.push(`term:${w.term}`);
    return keys;
  }

  async function fire(draft: SignalDraft, subject: SignalSubject, at: Date) {
    try {
      await raiseSignal(draft, subject, at);
    } catch (err) {
      log.warn('alert not raised; the event will be retried', { rule: draft.kind, error: String(err) });
      throw err;
    }
  }

  async function onAnalyzed(e: StoredEvent<'item.analyzed'>) {
    if (options.maxItemAgeMs !== undefined && Date.now() - Date.parse(e.createdAt) > options.maxItemAgeMs) return;
    const settings = await alertSettings();
    if (e.first) spikes.add(await seriesOf(e), minuteOf(e.at), e.label === 'negative');
    const item = { ...e, question: e.question ?? false };
    // A KOL's every post counts: their trend can turn on a neutral one.
    const byKol = e.kind === 'post' ? isKol('forum', e.handle) : isKol(e.source, e.handle);
    const interesting = e.label === 'negative' || (e.watch?.length ?? 0) > 0 || byKol;
    if (!interesting) return;
    const standing = await standingOf(e);
    const drafts = [negativePostRule(item, standing, settings.thresholds), kolNegativeRule(item, standing, settings.thresholds), watchwordRule(item, e.watch ?? [])].filter(
      (d): d is SignalDraft => d !== null,
    );
    if (drafts.length === 0) return;
    const subject = await subjectOfItem(e);
    if (!subject) return; // gone since: nothing to act on
    if (drafts.some((d) => d.kind === 'watchword')) subject.term = e.watch![0].term;
    // Strongest first: the case opens with the signal that matters most.
    for (const d of drafts.sort((a, b) => b.severity - a.severity)) await fire(d, subject, new Date());
  }

  async function onFlagged(e: StoredEvent<'post.flagged'>) {
    const settings = await alertSettings();
    const post = await Post.findByPk(e.postId);
    if (!post) return;
    const thread = await Thread.findByPk(e.threadId);
    const openReports = await Flag.count({ where: { postId: e.postId, status: 'open' } });
    const draft = flagRule({ flagId: e.flagId, postId: e.postId, threadId: e.threadId, reason: e.reason, openReports: Math.max(1, openReports) }, settings.thresholds);
    await fire(draft, { postId: post.id, threadId: post.threadId, chapterId: e.chapterId, authorId: post.authorId, source: 'forum', title: thread?.title ?? `#${post.threadId}`, summary: excerpt(post.body) }, new Date());
  }

  /** A spike series' name for people: the chapter's, category's or source's. */
  async function seriesTitle(series: string): Promise<{ title: string; chapterId: number | null; source: string | null; term: string | null }> {
    const [kind, ...rest] = series.split(':');
    const value = rest.join(':');
    if (kind === 'chapter') {
      const c = await Chapter.findByPk(Number(value));
      return { title: c?.name ?? series, chapterId: c?.id ?? null, source: null, term: null };
    }
    if (kind === 'category') {
      const c = await Category.findByPk(Number(value));
      return { title: `${c?.name ?? series}`, chapterId: null, source: null, term: null };
    }
    if (kind === 'term') return { title: `“${value}”`, chapterId: null, source: null, term: value };
    return { title: value, chapterId: null, source: value, term: null };
  }

  /** Close minutes up to now; raise the spikes confirmed. Returns how many fired. */
  async function tick(now = new Date()): Promise<number> {
    const found = spikes.advance(minuteOf(now));
    for (const { series, signal } of found) {
      const draft = spikeRule(series, signal);
      const named = await seriesTitle(series);
      // The counts behind a spike live in memory: retry its raise a few times rather than lose it.
      for (let attempt = 1; ; attempt++) {
        try {
          await fire(draft, { chapterId: named.chapterId, source: named.source, term: named.term, title: named.title, summary: draft.reasons.join('；') }, now);
          break;
        } catch (err) {
          if (attempt >= 3) {
            log.error('spike alert lost after 3 attempts', { series, error: String(err) });
            break;
          }
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    }
    return found.length;
  }

  /**
   * Warm the detectors from the last day of analyses (they need an hour of history to know
   * normal, and a day for the daily rhythm), so a restart does not leave the desk blind.
   */
  async function warmUp(hours: number, cap: number) {
    const since = new Date(Date.now() - hours * 3_600_000);
    const rows = await sqlRows<Record<string, unknown>>(
      `SELECT a."analyzedAt", a."label", a."kind", t."id" AS "threadId", t."chapterId", t."categoryId", m."source"
         FROM "analyses" a
         LEFT JOIN "posts" p ON a."kind" = 'post' AND p."id" = a."refId"
         LEFT JOIN "threads" t ON t."id" = p."threadId"
         LEFT JOIN "mentions" m ON a."kind" = 'mention' AND m."id" = a."refId"
        WHERE a."analyzedAt" >= $1 ORDER BY a."analyzedAt" DESC LIMIT $2`,
      [sqlDate(since), cap],
    );
    // Newest first, so a capped read keeps the last hours (the baseline that matters), then in order.
    rows.reverse();
    for (const r of rows) {
      const threadId = r.threadId === null ? null : Number(r.threadId);
      if (threadId !== null) categoryOfThread.set(threadId, r.categoryId === null ? null : Number(r.categoryId));
      const keys = await seriesOf({ kind: r.kind as 'post', chapterId: r.chapterId === null ? null : Number(r.chapterId), threadId, source: r.kind === 'post' ? 'forum' : String(r.source) });
      spikes.add(keys, minuteOf(asDate(r.analyzedAt)), r.label === 'negative');
    }
    // Replaying history raises nothing: those minutes were live once and had their chance.
    spikes.advance(minuteOf(new Date()));
    return rows.length;
  }

  return {
    name: 'alerts',
    durable: true,
    handles: ['item.analyzed', 'post.flagged'],
    batchSize: 200,
    async handle(e) {
      if (e.type === 'item.analyzed') await onAnalyzed(e as StoredEvent<'item.analyzed'>);
      else await onFlagged(e as StoredEvent<'post.flagged'>);
    },
    async start() {
      // From nothing each time: a worker that takes the alert rules' lease back (server/cluster/
      // leases.ts) must not warm its old minutes again, which would pile the last day's items into
      // the current minute and read as a spike in every series.
      if (timer) clearInterval(timer);
      spikes = new SpikeSeries(options.spike);
      categoryOfThread.clear();
      const n = await warmUp(26, 300_000).catch((err) => {
        log.warn('spike detectors start cold', { error: String(err) });
        return 0;
      });
      log.info('spike detectors warmed', { items: n, series: spikes.size });
      timer = setInterval(() => void tick().catch((err) => log.warn('spike tick failed', { error: String(err) })), options.tickMs ?? 5_000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    tick,
  };
}
