/** Public profiles: the header (bio, counts, last seen, chapters) and the threads / replies / likes tabs. */
import { Router } from 'express';
import { z } from 'zod';
import { loadProfile, profileActivity, type ActivityPage } from '../../services/profiles';
import { presentProfile, presentProfileChapters } from '../../presenters/profile';
import type { Actor } from '../../policies';
import { parse, id, limit, username } from '../schemas';
import { presentPosts, presentThreads } from '../present';

// Input schemas, built once: zod compiles a schema on its first parse, so one per request is costly.
const activityQuery = z.object({ before: id.optional(), limit: limit(20, 50) });

/** A tab's page as JSON: `{items, next?}`; pass `next` back as `before` for the following page. */
export async function presentActivity(page: ActivityPage, viewer: Actor | null) {
  const next = page.next === null ? undefined : String(page.next);
  if (page.kind === 'threads') return { items: await presentThreads(page.threads), next };
  const posts = await presentPosts(page.posts, viewer);
  return { items: posts.map((p) => ({ ...p, thread: { id: p.threadId, title: page.threads.get(Number(p.threadId))?.title ?? '' } })), next };
}

export function profilesApi(): Router {
  const r = Router();

  // CONTRACT v1.1: {user:{..., bio?, joinedAt, counts}, posts:[post]}; `chapters` is null when the member hides them.
  r.get('/users/:username', async (req, res) => {
    const name = parse(username, req.params.username, 'username');
    const [profile, recent] = await Promise.all([loadProfile(req.actor, name), profileActivity(req.actor, name, 'posts', { limit: 20 })]);
    const posts = recent.kind === 'posts' ? await presentPosts(recent.posts, req.actor) : [];
    res.json({ user: presentProfile(profile), chapters: presentProfileChapters(profile), posts });
  });

  for (const tab of ['threads', 'replies', 'likes'] as const) {
    r.get(`/users/:username/${tab}`, async (req, res) => {
      const name = parse(username, req.params.username, 'username');
      const q = parse(activityQuery, req.query);
      res.json(await presentActivity(await profileActivity(req.actor, name, tab, q), req.actor));
    });
  }

  return r;
}
