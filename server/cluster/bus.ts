/**
 * The cluster bus: one Redis pub/sub channel between the processes of a deployment.
 *
 * Why a wake-up over pub/sub and not a Socket.IO adapter: live delivery already has a durable,
 * ordered source, the outbox, which every web process reads for its own sockets (each socket is
 * pushed each event once, by the one process holding it, and a reconnect replays from it). What
 * several processes lacked was only *when* to read: another process's commit was seen at the next
 * poll (500 ms). So a commit is published here with its events; the other processes put them in
 * their dispatcher's tail and invalidate their caches at once, without reading the table. An adapter
 * would add a second delivery path beside the outbox (one process emitting for all, duplicates to
 * avoid, a fan-out that stops with Redis). Here a Redis outage only brings back the poll.
 *
 * What has no outbox row (typing, presence changes) travels as its own message kind.
 */
import { log } from '../log';
import type { StoredEvent } from '../events';
import type { RedisLink } from './redis';

/** A committed event as JSON carries it (the date as text). */
type WireEvent = Omit<StoredEvent, 'at'> & { at: string };

/** Socket events another process emits to its own sockets in the given rooms. */
export type RelayedEvent = 'typing' | 'conversation:typing';

export type BusMessage =
  | { k: 'events'; events: WireEvent[] }
  /** Events were committed that were too large to carry: read the outbox, forget caches. */
  | { k: 'wake' }
  /** A thread's readers on the sender changed: recount and tell your own sockets. */
  | { k: 'presence'; threadId: string }
  | { k: 'emit'; event: RelayedEvent; rooms: string[]; except: string[]; payload: unknown };

type Handlers = { [K in BusMessage['k']]: Array<(msg: Extract<BusMessage, { k: K }>) => void> };

/** Above this, a commit is announced as a bare wake-up (the receivers read the outbox instead). */
const MAX_EVENTS_BYTES = 256 * 1024;

export interface Bus {
  readonly processId: string;
  publish(msg: BusMessage): void;
  /** Publish committed events (or a wake-up when they are too large to carry). */
  publishEvents(events: readonly StoredEvent[]): void;
  on<K extends BusMessage['k']>(kind: K, handler: (msg: Extract<BusMessage, { k: K }>) => void): void;
}

export function createBus(link: RedisLink): Bus {
  const channel = `${link.keyPrefix}bus`;
  const handlers: Handlers = { events: [], wake: [], presence: [], emit: [] };
  const subscribe = () => link.subscriber.subscribe(channel).catch((err) => log.warn('redis subscribe failed', { error: String(err) }));
  link.subscriber.on('ready', subscribe);
  if (link.subscriber.status === 'ready') void subscribe();
  link.subscriber.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    let msg: BusMessage & { from?: string };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.from === link.processId) return; // our own: already acted on locally
    for (const handler of handlers[msg.k] ?? []) {
      try {
        (handler as (m: BusMessage) => void)(msg);
      } catch (err) {
        log.error('bus handler failed', { kind: msg.k, error: String(err) });
      }
    }
  });

  function send(text: string) {
    // Fire and forget: while Redis is down nobody is listening, and the poll covers for it.
    if (link.status() !== 'ok') return;
    link.commands.publish(channel, text).catch(() => undefined);
  }

  return {
    processId: link.processId,
    publish(msg) {
      send(JSON.stringify({ ...msg, from: link.processId }));
    },
    publishEvents(events) {
      const text = JSON.stringify({ k: 'events', from: link.processId, events });
      send(text.length <= MAX_EVENTS_BYTES ? text : JSON.stringify({ k: 'wake', from: link.processId }));
    },
    on(kind, handler) {
      (handlers[kind] as unknown[]).push(handler);
    },
  };
}

/** Events as they arrived over the bus, with their dates back. */
export function eventsFromWire(events: WireEvent[]): StoredEvent[] {
  return events.map((e) => ({ ...e, at: new Date(e.at) }) as StoredEvent);
}
