/**
 * Child process for the fan-out benchmark: holds a share of the socket.io-client sockets, joins
 * them to one thread and records when each `post:created` carrying a bench marker arrives.
 * Driven over IPC by bench/fanout.bench.ts (messages below). Receive times are
 * `performance.timeOrigin + performance.now()`, the same clock the poster uses in the parent.
 */
import { performance } from 'node:perf_hooks';
import { io as connect, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/contract';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type PostCreated = Parameters<ServerToClientEvents['post:created']>[0];

export type ToClients =
  | { type: 'connect'; url: string; threadId: string; count: number; batch: number }
  | { type: 'progress' }
  | { type: 'report' }
  | { type: 'close' };

export type FromClients =
  | { type: 'connected'; connected: number; joined: number; errors: string[]; connectMs: number }
  | { type: 'progress'; received: number }
  | {
      type: 'report';
      /** marker -> receive time (epoch ms, sub-ms precision) of each socket that got it, once per socket. */
      deliveries: Record<string, number[]>;
      duplicates: number;
      /** One received payload, to replay through the reference server. */
      sample: PostCreated | null;
      /** Event-loop utilisation of this process since the sockets joined (0..1). */
      eventLoopUtilization: number;
    }
  | { type: 'closed' };

/** Markers look like `[fanout:<run>:<seq>]`; the whole bracket is the key. */
export const MARKER = /\[fanout:[a-z0-9-]+:\d+\]/;
const now = () => performance.timeOrigin + performance.now();

let sockets: ClientSocket[] = [];
let seen: Array<Set<string>> = [];
let deliveries = new Map<string, number[]>();
let duplicates = 0;
let received = 0;
let sample: PostCreated | null = null;
let eluStart = performance.eventLoopUtilization();

const send = (msg: FromClients) => process.send!(msg);

function openOne(url: string, index: number): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
  const mine = new Set<string>();
  seen[index] = mine;
  socket.on('post:created', (payload) => {
    const t = now();
    const marker = MARKER.exec(payload.post.body)?.[0];
    if (!marker) return;
    if (mine.has(marker)) {
      duplicates++;
      return;
    }
    mine.add(marker);
    received++;
    let times = deliveries.get(marker);
    if (!times) deliveries.set(marker, (times = []));
    times.push(t);
    sample ??= payload;
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

function join(socket: ClientSocket, threadId: string): Promise<Ack<unknown>> {
  return new Promise((resolve) => {
    socket.timeout(60_000).emit('thread:join', { threadId }, (err: Error | null, res: Ack<unknown>) =>
      resolve(err ? { ok: false, error: { code: 'internal', message: `ack timeout: ${err.message}` } } : res),
    );
  });
}

async function connectAll(msg: Extract<ToClients, { type: 'connect' }>): Promise<void> {
  const t0 = now();
  const errors: string[] = [];
  let joined = 0;
  // Batches, so the handshake storm does not turn into thousands of concurrent handshakes.
  for (let start = 0; start < msg.count; start += msg.batch) {
    const size = Math.min(msg.batch, msg.count - start);
    const batch = await Promise.allSettled(Array.from({ length: size }, (_, i) => openOne(msg.url, start + i)));
    const open: ClientSocket[] = [];
    for (const r of batch) {
      if (r.status === 'fulfilled') open.push(r.value);
      else if (errors.length < 5) errors.push(String(r.reason?.message ?? r.reason));
    }
    sockets.push(...open);
    const acks = await Promise.all(open.map((s) => join(s, msg.threadId)));
    for (const ack of acks) {
      if (ack.ok) joined++;
      else if (errors.length < 5) errors.push(`${ack.error.code}: ${ack.error.message}`);
    }
  }
  eluStart = performance.eventLoopUtilization();
  send({ type: 'connected', connected: sockets.length, joined, errors, connectMs: Math.round(now() - t0) });
}

function closeAll(): void {
  for (const s of sockets) s.close();
  sockets = [];
  seen = [];
  deliveries = new Map();
  duplicates = 0;
  received = 0;
  sample = null;
}

process.on('message', (msg: ToClients) => {
  switch (msg.type) {
    case 'connect':
      void connectAll(msg);
      return;
    case 'progress':
      send({ type: 'progress', received });
      return;
    case 'report':
      send({
        type: 'report',
        deliveries: Object.fromEntries(deliveries),
        duplicates,
        sample,
        eventLoopUtilization: Math.round(performance.eventLoopUtilization(eluStart).utilization * 1000) / 1000,
      });
      return;
    case 'close':
      closeAll();
      send({ type: 'closed' });
      return;
  }
});
process.on('disconnect', () => {
  closeAll();
  process.exit(0);
});
process.once('SIGTERM', () => {
  closeAll();
  process.exit(0);
});
