/** Attaches Socket.IO to the HTTP server: authentication, abuse limits, and the namespaces. */
import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './contract';
import { authenticate } from '../services/accounts';
import { readCookies, SESSION_COOKIE } from '../middleware/cookies';
import { RateLimiter } from '../middleware/rateLimit';
import { registerThreadHandlers } from './threads';
import { createPresence } from './presence';
import { rooms } from './rooms';
import { log } from '../log';

export type ResonanceServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type ResonanceSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeOptions {
  /** Commands per socket per window before acks say rate_limited. */
  commandsPerWindow?: number;
  windowMs?: number;
}

/** Create the Socket.IO server on httpServer. Pass an adapter via io.adapter() for multi-process deployments. */
export function attachRealtime(httpServer: http.Server, options: RealtimeOptions = {}) {
  const io: ResonanceServer = new Server(httpServer, {
    // Commands are tiny; anything bigger is abuse. Socket.IO closes the connection over this size.
    maxHttpBufferSize: 16 * 1024,
    serveClient: false,
    pingInterval: 20_000,
    pingTimeout: 20_000,
  });
  const limiter = new RateLimiter(options.commandsPerWindow ?? 30, options.windowMs ?? 10_000);
  const presence = createPresence(io);

  // Handshake: the session cookie or auth.token. Anonymous sockets may follow public threads.
  io.use(async (socket, next) => {
    try {
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
      const cookieToken = readCookies({ headers: socket.handshake.headers } as never)[SESSION_COOKIE];
      const actor = token || cookieToken ? await authenticate((token ?? cookieToken)!) : null;
      if (token && !actor) return next(new Error('unauthenticated'));
      socket.data.actor = actor && !actor.scopes ? actor : null;
      socket.data.threads = {};
      next();
    } catch (err) {
      log.error('socket handshake failed', { error: String(err) });
      next(new Error('unavailable'));
    }
  });

  io.on('connection', (socket) => {
    const actor = socket.data.actor;
    if (actor) void socket.join(rooms.user(actor.id));
    let strikes = 0;
    // Every incoming event, known or not, counts against the socket's budget.
    socket.use((packet, next) => {
      const wait = limiter.hit(socket.id);
      if (wait === 0) return next();
      strikes++;
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') ack({ ok: false, error: { code: 'rate_limited', message: `Too many commands; retry in ${wait}s` } });
      if (strikes > 20) {
        log.warn('socket disconnected for flooding', { user: actor?.username ?? null });
        socket.disconnect(true);
      }
    });
    registerThreadHandlers(io, socket, presence);
    socket.on('disconnect', () => presence.touchAll(Object.keys(socket.data.threads)));
  });

  return { io, presence };
}
