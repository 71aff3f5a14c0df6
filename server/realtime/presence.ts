/**
 * Who is reading a thread: counted from the room itself, broadcast debounced.
 *
 * With several processes (REDIS_URL) each process keeps its own count of a thread in a Redis hash
 * (one field per process, with the time it was written), tells the others over the bus that it
 * changed, and every process tells its own sockets the sum. A process that dies leaves a field
 * that stops counting once it is older than FIELD_FRESH_MS; the living refresh theirs well within
 * that. When Redis does not answer, each process counts its own readers, as with one process.
 */
import type { ResonanceServer } from './io';
import type { Viewer } from './contract';
import { rooms } from './rooms';
import type { Bus } from '../cluster/bus';
import type { RedisLink } from '../cluster/redis';

// Each update goes to every viewer, so a join storm in a big room is O(viewers²) messages:
// debounce longer as the room grows (the count is approximate for a moment, never wrong for long).
const debounceFor = (viewers: number) => (viewers < 100 ? 250 : viewers < 1_000 ? 1_000 : 3_000);
const FIELD_FRESH_MS = 60_000;
const REFRESH_MS = 20_000;
const MAX_MEMBERS = 50;

interface Count {
  viewers: number;
  members: Viewer[];
}

/** Presence tracker: touch(threadId) schedules one presence:updated for that thread. */
export function createPresence(io: ResonanceServer, shared: { link: RedisLink; bus: Bus } | null = null) {
  /** Pending broadcasts; `publish` when this process's own readers changed (not only another's). */
  const pending = new Map<string, { timer: NodeJS.Timeout; publish: boolean }>();
  const lastSize = new Map<string, number>();
  const keyOf = (threadId: string) => `${shared!.link.keyPrefix}presence:${threadId}`;

  async function local(threadId: string): Promise<Count> {
    const sockets = await io.in(rooms.thread(threadId)).fetchSockets();
    const members = new Map<string, Viewer>();
    for (const s of sockets) {
      const a = s.data.actor;
      if (a && !members.has(a.username)) members.set(a.username, { username: a.username, displayName: a.displayName });
    }
    return { viewers: sockets.length, members: [...members.values()].slice(0, MAX_MEMBERS) };
  }

  /** Write this process's count, and read everyone's (null: Redis did not answer). */
  async function exchange(threadId: string, own: Count, write: boolean): Promise<Count[] | null> {
    if (!shared || shared.link.status() !== 'ok') return null;
    const { commands, processId } = shared.link;
    try {
      const pipe = commands.multi();
      if (write && own.viewers > 0) pipe.hset(keyOf(threadId), processId, JSON.stringify({ ...own, at: Date.now() })).pexpire(keyOf(threadId), FIELD_FRESH_MS * 2);
      else if (write) pipe.hdel(keyOf(threadId), processId);
      pipe.hgetall(keyOf(threadId));
      const results = await pipe.exec();
      const all = (results?.[results.length - 1]?.[1] ?? {}) as Record<string, string>;
      const now = Date.now();
      const others: Count[] = [];
      for (const [pid, text] of Object.entries(all)) {
        if (pid === processId) continue;
        const c = JSON.parse(text) as Count & { at: number };
        if (now - c.at < FIELD_FRESH_MS) others.push(c);
      }
      return others;
    } catch {
      return null;
    }
  }

  /** Everyone reading the thread, on every process. */
  async function snapshot(threadId: string, write = false): Promise<Count> {
    const own = await local(threadId);
    const others = await exchange(threadId, own, write);
    if (!others?.length) return own;
    const members = new Map(own.members.map((m) => [m.username, m]));
    for (const o of others) for (const m of o.members) if (members.size < MAX_MEMBERS && !members.has(m.username)) members.set(m.username, m);
    return { viewers: own.viewers + others.reduce((n, o) => n + o.viewers, 0), members: [...members.values()] };
  }

  function schedule(threadId: string, publish: boolean) {
    const queued = pending.get(threadId);
    if (queued) {
      queued.publish ||= publish;
      return;
    }
    const entry = {
      publish,
      timer: setTimeout(async () => {
        pending.delete(threadId);
        const { viewers, members } = await snapshot(threadId, entry.publish);
        if (entry.publish) shared?.bus.publish({ k: 'presence', threadId });
        if (viewers === 0) lastSize.delete(threadId);
        else lastSize.set(threadId, viewers);
        io.to(rooms.thread(threadId)).emit('presence:updated', { threadId, viewers, members });
      }, debounceFor(lastSize.get(threadId) ?? 0)),
    };
    pending.set(threadId, entry);
  }

  // Another process's readers changed: recount for ours, if we hold any of that thread's readers.
  shared?.bus.on('presence', ({ threadId }) => {
    if (io.sockets.adapter.rooms.get(rooms.thread(threadId))?.size) schedule(threadId, false);
  });
  // Keep this process's fields fresh while it has readers (others drop fields older than a minute).
  const refresher = shared
    ? setInterval(() => {
        for (const threadId of lastSize.keys()) void local(threadId).then((own) => exchange(threadId, own, true));
      }, REFRESH_MS)
    : null;
  refresher?.unref();

  return {
    touch: (threadId: string) => schedule(threadId, true),
    touchAll: (threadIds: string[]) => threadIds.forEach((id) => schedule(id, true)),
    snapshot: (threadId: string) => snapshot(threadId),
    stop() {
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
      if (refresher) clearInterval(refresher);
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;
