/** One page of a thread list, as the pages and the API ask for it: pinned block, keyset page, cursors. */
import type { Category, Chapter, Thread } from '../models';
import type { Actor } from '../policies';
import { Invalid } from '../errors';
import { cursorOf, decodeCursor, encodeCursor, listThreads, pinnedThreads, type ThreadSort, type TopWindow } from '../services/threads';

export interface ThreadPageRequest {
  chapter?: Chapter | null;
  category?: Category | null;
  sort: ThreadSort;
  window: TopWindow;
  after?: string;
  before?: string;
  limit: number;
  /** The API's legacy offset: when set (> 0), no pinned block and no cursors, as before. */
  offset?: number;
}

export interface ThreadPage {
  /** Pinned threads, listed first: only on the first page of the default order. */
  pinned: Thread[];
  threads: Thread[];
  /** Cursors of the next and the previous page, when there is one. */
  next: string | null;
  prev: string | null;
}

function cursorParam(raw: string | undefined, field: string) {
  if (raw === undefined || raw === '') return undefined;
  const c = decodeCursor(raw);
  if (!c) throw Invalid(field, 'validation.cursor');
  return c;
}

/** Read one page of a thread list (keyset; one row more than asked tells whether a next page exists). */
export async function threadPage(actor: Actor | null, q: ThreadPageRequest): Promise<ThreadPage> {
  const after = cursorParam(q.after, 'after');
  const before = after ? undefined : cursorParam(q.before, 'before');
  const legacy = !!q.offset && !after && !before;
  const first = !after && !before && !legacy;
  // Pinned threads lead the default order only; in new/top/unanswered they take their place like any other.
  const pins = q.sort === 'latest' && !legacy;
  const scope = { chapter: q.chapter, category: q.category };
  const [pinned, rows] = await Promise.all([
    pins && first ? pinnedThreads(actor, scope) : Promise.resolve([] as Thread[]),
    listThreads(actor, { ...scope, sort: q.sort, window: q.window, after, before, limit: q.limit + 1, offset: legacy ? q.offset : 0, excludePinned: pins }),
  ]);
  let threads: Thread[];
  let more: boolean;
  if (before) {
    // Read backwards: the extra row, if any, is the oldest-looking one at the start. Reaching the
    // start means this is the first page: show it as such (with its pinned block).
    more = rows.length > q.limit;
    if (!more) return threadPage(actor, { ...q, before: undefined });
    threads = rows.slice(1);
  } else {
    threads = rows.slice(0, q.limit);
    more = rows.length > q.limit;
  }
  if (legacy) return { pinned, threads, next: null, prev: null };
  const next = (before || more) && threads.length ? encodeCursor(cursorOf(threads.at(-1)!, q.sort)) : null;
  const prev = (before || after) && threads.length ? encodeCursor(cursorOf(threads[0], q.sort)) : null;
  return { pinned, threads, next, prev };
}
