/** Attaches Socket.IO to the HTTP server: authentication, abuse limits, and the namespaces. */
import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from './contract';
import { authenticate, secretHashOf } from '../services/accounts';
import { readCookies, SESSION_COOKIE } from '../middleware/cookies';
import { registerThreadHandlers } from './threads';
import { registerConversationHandlers } from './conversations';
import { addressOf, clientKey, createSocketLimits, type SocketLimits, type SocketLimitSettings } from './limits';
import { attachConsole } from './console';
import { attachDesk } from './desk';
import { createPresence } from './presence';
import { rooms } from './rooms';
import { log } from '../log';
import type { Bus } from '../cluster/bus';
import type { Cluster } from '../cluster';

export type ResonanceServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type ResonanceSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeOptions {
  /** Override the configured limits (tests use short windows). */
  limits?: Partial<SocketLimitSettings>;
  /** The public origin cookie-authenticated sockets must come from (config PUBLIC_URL); null: the request's own host. */
  publicUrl?: string | null;
  /** Several processes (REDIS_URL): shared client budgets, and the bus for presence and typing. */
  cluster?: Cluster | null;
}

/**
 * A browser's cookie rides along on a cross-site WebSocket handshake (no CORS there), so a
 * cookie-authenticated socket must come from our own origin. A missing Origin is allowed:
 * browsers send one on every cross-origin request, and non-browser clients send none.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, publicUrl: string | null): boolean {
  if (!origin) return true;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (publicUrl) return o.origin === new URL(publicUrl).origin;
  return !!host && o.host === host;
}

/** Create the Socket.IO server on httpServer. Pass an adapter via io.adapter() for multi-process deployments. */
export function attachRealtime(httpServer: http.Server, limitSettings: SocketLimitSettings, options: RealtimeOptions = {}) {
  const io: ResonanceServer = new Server(httpServer, {
    // Commands are tiny; anything bigger is abuse. Socket.IO closes the connection over this size.
    maxHttpBufferSize: 16 * 1024,
    serveClient: false,
    pingInterval: 20_000,
    pingTimeout: 20_000,
  });
  const cluster = options.cluster ?? null;
  const limits = createSocketLimits({ ...limitSettings, ...options.limits }, cluster?.store ?? null);
  const publicUrl = options.publicUrl ?? null;
  const presence = createPresence(io, cluster);
  if (cluster) relayEmits(io, cluster.bus);

  // Handshake: the session cookie or auth.token. Anonymous sockets may follow public threads.
  const handshake = authenticateHandshake(limits, publicUrl);
  io.use(handshake);
  const consoleNs = attachConsole(io, handshake);
  const deskNs = attachDesk(io, handshake);

  io.on('connection', (socket) => {
    const actor = socket.data.actor;
    if (actor) void socket.join(rooms.user(actor.id));
    const client = clientKey(actor, socket.data.address);
    let strikes = 0;
    // Every incoming event, known or not, counts against the socket's and the client's budgets.
    socket.use(async (packet, next) => {
      const wait = await limits.command(socket.id, client);
      if (wait === 0) return next();
      strikes++;
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') ack({ ok: false, error: { code: 'rate_limited', message: `Too many commands; retry in ${wait}s` } });
      if (strikes > 20) {
        log.warn('socket disconnected for flooding', { user: actor?.username ?? null });
        socket.disconnect(true);
      }
    });
    registerThreadHandlers(io, socket, presence, limits, client, cluster?.bus ?? null);
    registerConversationHandlers(socket, limits, client, cluster?.bus ?? null);
    socket.on('disconnect', () => presence.touchAll(Object.keys(socket.data.threads)));
  });

  return { io, presence, consoleNs, deskNs };
}

/** What other processes relay (typing) goes to this process's sockets in those rooms. */
function relayEmits(io: ResonanceServer, bus: Bus) {
  bus.on('emit', (msg) => {
    if (!msg.rooms.length) return;
    const target = msg.except.length ? io.to(msg.rooms).except(msg.except) : io.to(msg.rooms);
    target.emit(msg.event, msg.payload as never);
  });
}

/**
 * The handshake every namespace runs: the session cookie (from our own origin only) or
 * auth.token, and a slot under the per-address socket cap, released on disconnect.
 */
function authenticateHandshake(limits: SocketLimits, publicUrl: string | null) {
  return async (socket: Socket, next: (err?: Error) => void) => {
    try {
      const address = addressOf(socket.request, limits.settings.trustProxy);
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
      const cookieToken = token ? undefined : readCookies({ headers: socket.handshake.headers } as never)[SESSION_COOKIE];
      if (cookieToken && !originAllowed(socket.handshake.headers.origin, socket.handshake.headers.host, publicUrl)) {
        log.warn('socket refused: cross-origin cookie handshake', { origin: String(socket.handshake.headers.origin).slice(0, 200) });
        return next(new Error('forbidden'));
      }
      const actor = token || cookieToken ? await authenticate((token ?? cookieToken)!) : null;
      if (token && !actor) return next(new Error('unauthenticated'));
      if (!limits.admit(address)) return next(new Error('rate_limited'));
      socket.once('disconnect', () => limits.release(address));
      const data = socket.data as SocketData;
      data.address = address;
      data.actor = actor && !actor.scopes ? actor : null;
      data.credentialHash = data.actor ? secretHashOf((token ?? cookieToken)!) : null;
      data.threads = {};
      next();
    } catch (err) {
      log.error('socket handshake failed', { error: String(err) });
      next(new Error('unavailable'));
    }
  };
}

export type Handshake = ReturnType<typeof authenticateHandshake>;
