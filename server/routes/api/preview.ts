/** The composer's Markdown preview: the body rendered by the same renderer and sanitizer a post goes through. */
import { Router } from 'express';
import { z } from 'zod';
import { renderMarkdown } from '../../markdown';
import { requirePerson } from '../../policies';
import { parse, postBody } from '../schemas';
import type { HttpDeps } from '../deps';

// Built once: zod compiles a schema on its first parse. The body has the limits of a post's body.
const previewInput = z.object({ body: postBody });

export function previewApi({ limits }: HttpDeps): Router {
  const r = Router();

  // Members only (the composer is theirs), and no write: nothing is stored, no event is recorded.
  r.post('/preview', limits.preview, (req, res) => {
    requirePerson(req.actor);
    const input = parse(previewInput, req.body);
    const { html, mentions } = renderMarkdown(input.body);
    res.json({ html, mentions });
  });

  return r;
}
