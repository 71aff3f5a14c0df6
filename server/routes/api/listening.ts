/** Listening API: mention ingest (API key, scope `ingest`), the dictionary, and search (forum for everyone, listening for staff). */
import { Router } from 'express';
import { z } from 'zod';
import { authorize, can } from '../../policies';
import { ingestMentions, MAX_BATCH } from '../../services/mentions';
import { addWords, listWords } from '../../services/dictionary';
import type { SearchService } from '../../search';
import { searchForum, searchListening } from '../../services/search';
import { parse, listeningSearchQuery, word } from '../schemas';
import type { HttpDeps } from '../deps';
import { crashPoint } from '../../crashPoints';
import { presentForumHit, presentSearchHit } from '../../presenters';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const mentionBatch = z.object({ items: z.array(z.unknown()).min(1, 'must not be empty').max(MAX_BATCH, `at most ${MAX_BATCH} items per request`) });
const dictionaryInput = z.object({ words: z.array(word).min(1).max(500) });

export function listeningApi(deps: HttpDeps, search: SearchService): Router {
  const r = Router();

  r.post('/mentions', async (req, res) => {
    authorize(req.actor, 'mentions.ingest', null);
    const body = parse(mentionBatch, req.body);
    const result = await ingestMentions(body.items);
    crashPoint('mentions.committed');
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

  // Open to everyone (CONTRACT v1.1): staff search the listening index (mentions, analysis);
  // everyone else searches the forum posts they may read. The listening filters are staff's.
  r.get('/search', deps.limits.search, async (req, res) => {
    authorize(req.actor, 'search.forum', null);
    if (can(req.actor, 'search.query', null)) {
      const result = await searchListening(search, req.actor, parse(listeningSearchQuery, req.query));
      return res.json({ total: result.total, items: result.items.map(presentSearchHit), cursor: result.cursor });
    }
    const q = parse(listeningSearchQuery, req.query);
    // kind=post and source=forum are what the forum search is anyway; anything else is listening.
    if (q.sentiment !== undefined || q.kol !== undefined || (q.kind ?? 'post') !== 'post' || (q.source ?? 'forum') !== 'forum') {
      authorize(req.actor, 'search.query', null);
    }
    const result = await searchForum(search, req.actor, q);
    res.json({ total: result.total, items: result.items.map(presentForumHit), cursor: result.cursor });
  });

  return r;
}
