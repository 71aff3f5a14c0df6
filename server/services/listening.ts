/** The listening search as staff use it (API and console pages): policy scope, validation, outage as 503. */
import type { Actor } from '../policies';
import type { SearchService } from '../search';
import type { ListeningSearchQuery } from '../routes/schemas';
import { unreadableChapterIds } from './chapters';
import { Unavailable, Validation } from '../errors';

/** Search the listening index with the viewer's chapter scope; a down backend is a 503, not a 500. */
export async function searchListening(search: SearchService, actor: Actor | null, q: ListeningSearchQuery) {
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && to && from > to) throw Validation('from', 'must not be after to');
  await search.ready().catch(() => {
    throw Unavailable('The search backend is unavailable; try again shortly');
  });
  return search.backend
    .search({
      q: q.q,
      sentiment: q.sentiment,
      chapter: q.chapter,
      source: q.source,
      kind: q.kind,
      from,
      to,
      kol: q.kol === undefined ? undefined : q.kol === 'true',
      excludeChapterIds: await unreadableChapterIds(actor),
      limit: q.limit,
      cursor: q.cursor,
    })
    .catch(async (err) => {
      // An outage is a 503 the client can retry, not an internal error.
      if (!(await search.healthy())) throw Unavailable('The search backend is unavailable; try again shortly');
      throw err;
    });
}
