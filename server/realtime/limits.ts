/**
 * Abuse limits for Socket.IO. A budget per socket alone invites opening more sockets, so
 * commands are also counted per client (the member, or the address for anonymous sockets),
 * replays are counted in posts sent, and concurrent sockets per address are capped.
 */
import type { IncomingMessage } from 'node:http';
import { RateLimiter } from '../middleware/rateLimit';
import type { Actor } from '../policies';
import type { LimitStore } from '../cluster/sharedLimits';

export interface SocketLimitSettings {
  commandsPerSocket: number;
  commandsPerClient: number;
  replayPostsPerClient: number;
  socketsPerAddress: number;
  /** The window the per-minute figures apply to (tests shorten it). */
  windowMs: number;
  trustProxy: boolean;
}

/** Who a socket counts as: the member when signed in, else its address. */
export const clientKey = (actor: Actor | null, address: string) => (actor ? `u:${actor.id}` : `a:${address}`);

/** The client address of a handshake, honouring X-Forwarded-For only behind a trusted proxy. */
export function addressOf(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustProxy: boolean): string {
  const forwarded = trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
  return forwarded || req.socket.remoteAddress || 'unknown';
}

/**
 * The limiters of one Socket.IO server. With a shared store (several processes) a client's
 * budgets are shared; a socket's own budget and the per-address socket cap stay in the process
 * holding the socket (a socket lives on one process; the cap counts open connections, which a
 * crashed process could never give back to a shared count).
 */
export function createSocketLimits(s: SocketLimitSettings, store: LimitStore | null = null) {
  const perSocket = new RateLimiter(s.commandsPerSocket, s.windowMs);
  const perClient = new RateLimiter(s.commandsPerClient, s.windowMs).share(store, 'socket-commands');
  const replays = new RateLimiter(s.replayPostsPerClient, s.windowMs).share(store, 'socket-replays');
  const open = new Map<string, number>();
  return {
    settings: s,
    /** Take a connection slot for address; false when it already has the maximum. */
    admit(address: string): boolean {
      const n = open.get(address) ?? 0;
      if (n >= s.socketsPerAddress) return false;
      open.set(address, n + 1);
      return true;
    },
    release(address: string) {
      const n = (open.get(address) ?? 1) - 1;
      if (n <= 0) open.delete(address);
      else open.set(address, n);
    },
    /** Count one command; seconds to wait when either budget is spent, else 0. */
    async command(socketId: string, client: string): Promise<number> {
      const own = perSocket.hit(socketId);
      return Math.max(own, await perClient.take(client));
    },
    /** Count posts about to be replayed; seconds to wait when the client's budget is spent, else 0. */
    async replay(client: string, posts: number): Promise<number> {
      return posts > 0 ? replays.take(client, posts) : 0;
    },
  };
}

export type SocketLimits = ReturnType<typeof createSocketLimits>;
