/** Thread commands: join (with replay), leave, typing. */
import { z } from 'zod';
import type { ResonanceServer, ResonanceSocket } from './io';
import type { Presence } from './presence';
import { TYPING_TTL_MS } from './contract';
import { command } from './ack';
import { rooms } from './rooms';
import { loadThread, threadPosts } from '../services/threads';
import { recheckSession } from './session';
import { User } from '../models';
import type { SocketLimits } from './limits';
import { presentThread } from '../presenters';
import { presentPosts } from '../routes/present';
import { issueEnglish } from '../routes/schemas';
import { Forbidden, RateLimited, Unauthenticated, Validation } from '../errors';
import type { Bus } from '../cluster/bus';

const MAX_REPLAY = 500;
const threadId = z.string().regex(/^[1-9][0-9]{0,15}$/);
const joinPayload = z.object({ threadId, lastSeenPostId: z.union([z.string().regex(/^[0-9]{1,16}$/), z.null()]).optional() });
const threadPayload = z.object({ threadId });

function parse<T>(schema: z.ZodType<T>, payload: unknown): T {
  const r = schema.safeParse(payload);
  if (!r.success) throw Validation(r.error.issues[0]?.path.join('.') || 'payload', r.error.issues[0] ? issueEnglish(r.error.issues[0]) : 'is invalid');
  return r.data;
}

/** Register the thread commands on one socket. */
export function registerThreadHandlers(io: ResonanceServer, socket: ResonanceSocket, presence: Presence, limits: SocketLimits, client: string, bus: Bus | null) {
  const typingSentAt = new Map<string, number>();

  socket.on(
    'thread:join',
    command(async (payload: unknown) => {
      const { threadId: id, lastSeenPostId } = parse(joinPayload, payload);
      // Memberships, role and the session itself change; a stale actor must not rejoin.
      await recheckSession(socket, true);
      const ctx = await loadThread(socket.data.actor, Number(id));
      // Join first, then read the replay: a post committed in between arrives twice at worst
      // (clients de-duplicate by id), never zero times.
      await socket.join(rooms.thread(id));
      socket.data.threads[id] = ctx.thread.chapterId;
      let replayed = 0;
      let truncated = false;
      if (lastSeenPostId) {
        const missed = await threadPosts(ctx.thread.id, { after: Number(lastSeenPostId), limit: MAX_REPLAY + 1 });
        const wait = await limits.replay(client, Math.min(missed.length, MAX_REPLAY));
        if (wait > 0) {
          await socket.leave(rooms.thread(id));
          delete socket.data.threads[id];
          throw RateLimited(wait);
        }
        truncated = missed.length > MAX_REPLAY;
        const presented = await presentPosts(missed.slice(0, MAX_REPLAY), socket.data.actor);
        for (const post of presented) socket.emit('post:created', { threadId: id, post, replay: true });
        replayed = presented.length;
      }
      presence.touch(id);
      const author = await User.findByPk(ctx.thread.authorId);
      return { thread: presentThread(ctx.thread, { author: author ?? undefined, chapter: ctx.chapter, category: ctx.category }), replayed, truncated };
    }),
  );

  socket.on(
    'thread:leave',
    command(async (payload: unknown) => {
      const { threadId: id } = parse(threadPayload, payload);
      await socket.leave(rooms.thread(id));
      delete socket.data.threads[id];
      presence.touch(id);
      return null;
    }),
  );

  socket.on(
    'typing:start',
    command(async (payload: unknown) => {
      const { threadId: id } = parse(threadPayload, payload);
      if (!socket.data.actor) throw Unauthenticated();
      if (!(id in socket.data.threads)) throw Forbidden('Join the thread first');
      await recheckSession(socket, false);
      const actor = socket.data.actor;
      // Renewals more often than every 2 s add nothing: the indicator lives TYPING_TTL_MS.
      const last = typingSentAt.get(id) ?? 0;
      if (Date.now() - last < 2_000) return null;
      typingSentAt.set(id, Date.now());
      const typing = { threadId: id, username: actor.username, displayName: actor.displayName, expiresInMs: TYPING_TTL_MS };
      socket.to(rooms.thread(id)).emit('typing', typing);
      bus?.publish({ k: 'emit', event: 'typing', rooms: [rooms.thread(id)], except: [], payload: typing });
      return null;
    }),
  );

  void io;
}
