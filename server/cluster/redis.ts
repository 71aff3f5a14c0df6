/**
 * The one Redis connection pair of a process (REDIS_URL): commands, and a subscriber for the bus.
 *
 * Redis is a helper here, never the record: the outbox in the database stays the source of truth
 * for every event. So a Redis that is down or slow must cost nothing but sharing: commands fail
 * fast (no offline queue, a short timeout) and every caller falls back to acting alone, while the
 * client reconnects in the background. `onReconnect` listeners hear when Redis is back after an
 * outage, so what may have been missed meanwhile (cache invalidations) can be made good.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { log } from '../log';

export interface RedisSettings {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

export type RedisStatus = 'ok' | 'down';

export interface RedisLink {
  /** This process, in bus messages (a fresh id per start). */
  readonly processId: string;
  readonly keyPrefix: string;
  /** For commands; they reject at once while disconnected. */
  readonly commands: Redis;
  /** A second connection in subscriber mode (a subscribed connection can run no other command). */
  readonly subscriber: Redis;
  status(): RedisStatus;
  /** A PING within the command timeout. */
  healthy(): Promise<boolean>;
  /** Called each time Redis is usable again after being down (not on the first connect). */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

/** Connect (in the background: a Redis that is down at start is only a degraded start). */
export function connectRedis(settings: RedisSettings): RedisLink {
  const options = {
    // A command while disconnected fails now instead of waiting in a queue for a reconnect that
    // may take minutes: callers degrade to single-process behaviour for that request.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: 2_000,
    // Reconnect forever, backing off to 2 s: recovery needs nobody.
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2_000),
    lazyConnect: true,
  };
  const commands = new Redis(settings.url, options);
  // The bus subscribes again itself on every 'ready' (see bus.ts), so no automatic resubscribe.
  const subscriber = new Redis(settings.url, { ...options, autoResubscribe: false });
  const reconnectListeners: Array<() => void> = [];
  let everReady = false;
  let down = false;
  let closing = false;
  const markDown = (which: string) => (err?: Error) => {
    if (!down && everReady && !closing) log.warn('redis unavailable; acting alone until it is back', { connection: which, error: err ? String(err.message) : 'closed' });
    down = true;
  };
  for (const [name, client] of [['commands', commands], ['subscriber', subscriber]] as const) {
    client.on('error', markDown(name));
    client.on('end', markDown(name));
    client.on('close', markDown(name));
    client.on('ready', () => {
      if (commands.status !== 'ready' || subscriber.status !== 'ready') return;
      const wasDown = everReady && down;
      down = false;
      if (!everReady) log.info('redis connected', { url: redactUrl(settings.url) });
      everReady = true;
      if (wasDown) {
        log.info('redis is back');
        for (const fn of reconnectListeners) fn();
      }
    });
  }
  commands.connect().catch(() => undefined);
  subscriber.connect().catch(() => undefined);

  return {
    processId: randomBytes(6).toString('hex'),
    keyPrefix: settings.keyPrefix,
    commands,
    subscriber,
    status: () => (commands.status === 'ready' && subscriber.status === 'ready' ? 'ok' : 'down'),
    async healthy() {
      try {
        return (await commands.ping()) === 'PONG' && subscriber.status === 'ready';
      } catch {
        return false;
      }
    },
    onReconnect(listener) {
      reconnectListeners.push(listener);
    },
    async close() {
      closing = true;
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(invalid)';
  }
}
