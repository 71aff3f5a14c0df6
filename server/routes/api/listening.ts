/** Listening API: mention ingest (API key, scope `ingest`) and search (staff). */
import { Router } from 'express';
import { z } from 'zod';
import { authorize } from '../../policies';
import { unreadableChapterIds } from '../../services/chapters';
import { ingestMentions, MAX_BATCH } from '../../services/mentions';
import { addWords, listWords } from '../../services/dictionary';
import { Unavailable, Validation } from '../../errors';
import type { SearchService } from '../../search';
import { parse, cursor, limit, slug, text, word } from '../schemas';
import type { HttpDeps } from '../deps';
import { presentSearchHit } from '../../presenters';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const mentionBatch = z.object({ items: z.array(z.unknown()).min(1, 'must not be empty').max(MAX_BATCH, `at most ${MAX_BATCH} items per request`) });
const dictionaryInput = z.object({ words: z.array(word).min(1).max(500) });

const searchQuery = z.object({
  q: text(0, 500).optional(),
  sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
  chapter: slug.optional(),
  source: z.string().regex(/^[a-z][a-z0-9_]{1,31}$/).optional(),
  kind: z.enum(['post', 'mention']).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  kol: z.enum(['true', 'false']).optional(),
  limit: limit(20, 100),
  cursor: cursor.optional(),
});

export function listeningApi(_deps: HttpDeps, search: SearchService): Router {
  const r = Router();

  r.post('/mentions', async (req, res) => {
    authorize(req.actor, 'mentions.ingest', null);
    const body = parse(mentionBatch, req.body);
    const result = await ingestMentions(body.items);
    res.status(202).json(result);
  });

  r.get('/dictionary', async (req, res) => {
    authorize(req.actor, 'dictionary.edit', null);
    res.json({ words: await listWords() });
  });

  r.post('/dictionary', async (req, res) => {
    authorize(req.actor, 'dictionary.edit', null);
    const input = parse(dictionaryInput, req.body);
    res.status(201).json({ added: await addWords(req.actor!, input.words) });
  });

  r.get('/search', async (req, res) => {
    authorize(req.actor, 'search.query', null);
    const q = parse(searchQuery, req.query);
    const from = q.from ? new Date(q.from) : undefined;
    const to = q.to ? new Date(q.to) : undefined;
    if (from && to && from > to) throw Validation('from', 'must not be after to');
    await search.ready().catch(() => {
      throw Unavailable('The search backend is unavailable; try again shortly');
    });
    const result = await search.backend
      .search({
      q: q.q,
      sentiment: q.sentiment,
      chapter: q.chapter,
      source: q.source,
      kind: q.kind,
      from,
      to,
      kol: q.kol === undefined ? undefined : q.kol === 'true',
      excludeChapterIds: await unreadableChapterIds(req.actor),
      limit: q.limit,
      cursor: q.cursor,
    })
      .catch(async (err) => {
        // An outage is a 503 the client can retry, not an internal error.
        if (!(await search.healthy())) throw Unavailable('The search backend is unavailable; try again shortly');
        throw err;
      });
    res.json({
      total: result.total,
      items: result.items.map(presentSearchHit),
      cursor: result.cursor,
    });
  });

  return r;
}
