/**
 * After commit: the opinion console's live feed. Each item.analyzed becomes an `item:analyzed`
 * for every console socket, and the counts are batched into at most a few `opinion:updated`
 * a second, so the page stays smooth at hundreds of posts a second. Runs in every web process
 * for its own sockets (not durable): a console that reconnects reloads its summary anyway.
 */
import type { Processor } from './dispatcher';
import type { AnalyzedItem, StoredEvent } from '../events';
import type { ConsoleNamespace } from '../realtime/console';
import type { OpinionDelta } from '../realtime/contract';
import { presentConsoleItem, type ConsoleItemSource } from '../presenters';
import { inList, sqlRows } from '../sql';

export interface ConsoleFeedOptions {
  /** The longest a count waits before it is sent. */
  flushMs?: number;
  /** Whether an author (source + handle) is a flagged KOL (the KOL service). */
  isKol?: (source: string, handle: string) => boolean;
}

/** Counts accumulated between two opinion:updated emissions. */
export function emptyDelta(): OpinionDelta {
  return { at: '', total: 0, negative: 0, neutral: 0, positive: 0, scoreSum: 0, bySource: [], byChapter: [] };
}

/** Add one analysed item to a delta (only first analyses count: an edit is not a new voice). */
export function addToDelta(delta: OpinionDelta, item: AnalyzedItem, chapterSlug: string | null): void {
  if (!item.first) return;
  delta.total++;
  delta[item.label]++;
  delta.scoreSum += item.score;
  const bump = <T extends { total: number; negative: number; neutral: number; positive: number }>(rows: T[], find: (r: T) => boolean, make: () => T) => {
    let row = rows.find(find);
    if (!row) rows.push((row = make()));
    row.total++;
    row[item.label]++;
  };
  bump(delta.bySource, (r) => r.source === item.source, () => ({ source: item.source, total: 0, negative: 0, neutral: 0, positive: 0 }));
  if (chapterSlug) bump(delta.byChapter, (r) => r.chapter === chapterSlug, () => ({ chapter: chapterSlug, total: 0, negative: 0, neutral: 0, positive: 0 }));
}

/** What the stream shows besides the analysis: the text, the author's name, the chapter, a link. */
async function sourcesOf(items: AnalyzedItem[], isKol: (source: string, handle: string) => boolean): Promise<Map<string, ConsoleItemSource>> {
  const out = new Map<string, ConsoleItemSource>();
  const postIds = items.filter((i) => i.kind === 'post').map((i) => i.id);
  const mentionIds = items.filter((i) => i.kind === 'mention').map((i) => i.id);
  if (postIds.length) {
    const ids = inList([...new Set(postIds)]);
    const rows = await sqlRows<Record<string, unknown>>(
      `SELECT p."id", p."body", p."threadId", u."displayName", u."username", c."slug", c."name"
         FROM "posts" p LEFT JOIN "users" u ON u."id" = p."authorId"
         LEFT JOIN "threads" t ON t."id" = p."threadId" LEFT JOIN "chapters" c ON c."id" = t."chapterId"
        WHERE p."id" IN (${ids.sql})`,
      ids.params,
    );
    for (const r of rows) {
      out.set(`post:${r.id}`, {
        text: String(r.body),
        displayName: r.displayName === null ? '—' : String(r.displayName),
        chapter: r.slug === null ? null : { slug: String(r.slug), name: String(r.name) },
        url: `/t/${r.threadId}#p${r.id}`,
        kol: r.username !== null && isKol('forum', String(r.username)),
      });
    }
  }
  if (mentionIds.length) {
    const ids = inList([...new Set(mentionIds)]);
    const rows = await sqlRows<Record<string, unknown>>(`SELECT "id", "text", "url", "source", "authorHandle" FROM "mentions" WHERE "id" IN (${ids.sql})`, ids.params);
    for (const r of rows) {
      out.set(`mention:${r.id}`, { text: String(r.text), displayName: String(r.authorHandle), chapter: null, url: r.url === null ? null : String(r.url), kol: isKol(String(r.source), String(r.authorHandle)) });
    }
  }
  return out;
}

/** The console feed processor for one /console namespace. */
export function consoleProcessor(ns: ConsoleNamespace, options: ConsoleFeedOptions = {}): Processor<'item.analyzed'> & { flush(): void; stop(): void } {
  const flushMs = options.flushMs ?? 400;
  const isKol = options.isKol ?? (() => false);
  let delta = emptyDelta();
  let timer: NodeJS.Timeout | null = null;

  const flush = () => {
    timer = null;
    if (delta.total === 0) return;
    const sent = { ...delta, at: new Date().toISOString() };
    delta = emptyDelta();
    ns.emit('opinion:updated', sent);
  };

  return {
    name: 'console',
    durable: false,
    handles: ['item.analyzed'],
    batchSize: 500,
    async handleBatch(events: StoredEvent<'item.analyzed'>[]) {
      // Nobody watching: nothing to load or send.
      if (ns.sockets.size === 0) return;
      const sources = await sourcesOf(events, isKol);
      for (const e of events) {
        const source = sources.get(`${e.kind}:${e.id}`);
        if (!source) continue; // deleted since: it is gone from listening too
        ns.emit('item:analyzed', { item: presentConsoleItem(e, source, e.at) });
        addToDelta(delta, e, source.chapter?.slug ?? null);
      }
      timer ??= setTimeout(flush, flushMs);
    },
    flush,
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
