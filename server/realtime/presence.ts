/** Who is reading a thread: counted from the room itself (adapter-agnostic), broadcast debounced. */
import type { ResonanceServer } from './io';
import type { Viewer } from './contract';
import { rooms } from './rooms';

// Each update goes to every viewer, so a join storm in a big room is O(viewers²) messages:
// debounce longer as the room grows (the count is approximate for a moment, never wrong for long).
const debounceFor = (viewers: number) => (viewers < 100 ? 250 : viewers < 1_000 ? 1_000 : 3_000);

/** Presence tracker: touch(threadId) schedules one presence:updated for that thread. */
export function createPresence(io: ResonanceServer) {
  const pending = new Map<string, NodeJS.Timeout>();
  const lastSize = new Map<string, number>();

  async function snapshot(threadId: string): Promise<{ viewers: number; members: Viewer[] }> {
    const sockets = await io.in(rooms.thread(threadId)).fetchSockets();
    const members = new Map<string, Viewer>();
    for (const s of sockets) {
      const a = s.data.actor;
      if (a && !members.has(a.username)) members.set(a.username, { username: a.username, displayName: a.displayName });
    }
    return { viewers: sockets.length, members: [...members.values()].slice(0, 50) };
  }

  function touch(threadId: string) {
    if (pending.has(threadId)) return;
    pending.set(
      threadId,
      setTimeout(async () => {
        pending.delete(threadId);
        const { viewers, members } = await snapshot(threadId);
        if (viewers === 0) lastSize.delete(threadId);
        else lastSize.set(threadId, viewers);
        io.to(rooms.thread(threadId)).emit('presence:updated', { threadId, viewers, members });
      }, debounceFor(lastSize.get(threadId) ?? 0)),
    );
  }

  return {
    touch,
    touchAll: (threadIds: string[]) => threadIds.forEach(touch),
    snapshot,
    stop() {
      for (const t of pending.values()) clearTimeout(t);
      pending.clear();
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;
