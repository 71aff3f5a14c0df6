/** socket.io-client helpers for tests: typed connect, acked emits, waiting for events. */
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/contract';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connect (websocket only, like the bench) with an optional bearer token; resolves when connected. */
export async function openSocket(url: string, token?: string, extra: { cookie?: string } = {}): Promise<TestSocket> {
  const socket: TestSocket = connect(url, {
    transports: ['websocket'],
    auth: token ? { token } : {},
    extraHeaders: extra.cookie ? { cookie: extra.cookie } : undefined,
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

/** Emit a command and resolve with its ack. */
export function request<E extends keyof ClientToServerEvents>(socket: TestSocket, event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<Ack<any>> {
  return new Promise((resolve) => (socket.emit as (e: string, p: unknown, ack: (r: Ack<unknown>) => void) => void)(event, payload, resolve));
}

/** Collect every payload of an event from now on. */
export function collect<E extends keyof ServerToClientEvents>(socket: TestSocket, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  (socket.on as (e: string, fn: (p: unknown) => void) => void)(event, (p) => seen.push(p as never));
  return seen;
}

/** Wait until predicate() is true (polling), or fail after timeoutMs with a message. */
export async function until(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolve false if the event does NOT arrive within ms (for negative checks). */
export function quietFor(socket: TestSocket, event: keyof ServerToClientEvents, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const fn = () => resolve(false);
    (socket.once as (e: string, f: () => void) => void)(event, fn);
    setTimeout(() => {
      (socket.off as (e: string, f: () => void) => void)(event, fn);
      resolve(true);
    }, ms);
  });
}
