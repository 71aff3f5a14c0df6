/**
 * Runs event processors over the outbox. Each processor has a durable cursor; it is
 * at-least-once (handlers must be idempotent), in order, retried with backoff, and a
 * poison event goes to dead_events after maxAttempts so the rest keep flowing.
 */
import { Op } from 'sequelize';
import { DeadEvent, OutboxEvent, ProcessorCursor } from '../models';
import { fromRow, onEventsCommitted, type EventType, type StoredEvent } from '../events';
import { log } from '../log';
import { withTransaction } from '../db';

export interface Processor<T extends EventType = EventType> {
  /** Stable name: it keys the durable cursor. */
  name: string;
  handles: readonly T[];
  /** Handle one event; throw to have it retried. */
  handle(event: StoredEvent<T>): Promise<void>;
}

export interface DispatcherOptions {
  pollMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

interface Lane {
  processor: Processor;
  running: boolean;
  again: boolean;
  retryAt: number;
  timer: NodeJS.Timeout | null;
}

/** Create a dispatcher for these processors; call start() to wake it on commits and on a poll. */
export function createDispatcher(processors: Processor[], options: DispatcherOptions = {}) {
  const pollMs = options.pollMs ?? 500;
  const batchSize = options.batchSize ?? 200;
  const maxAttempts = options.maxAttempts ?? 6;
  const backoffBaseMs = options.backoffBaseMs ?? 200;
  const backoffMaxMs = options.backoffMaxMs ?? 30_000;
  const lanes: Lane[] = processors.map((processor) => ({ processor, running: false, again: false, retryAt: 0, timer: null }));
  let stopped = true;
  let unsubscribe: (() => void) | null = null;
  let poller: NodeJS.Timeout | null = null;
  const idleWaiters: Array<() => void> = [];

  // Every write goes through withTransaction: on SQLite that queues it behind the other writers
  // of this process instead of letting it wait on the file lock inside a libuv thread.
  async function cursorOf(name: string): Promise<ProcessorCursor> {
    const existing = await ProcessorCursor.findByPk(name);
    if (existing) return existing;
    return withTransaction(async (transaction) => {
      const [cursor] = await ProcessorCursor.findOrCreate({ where: { name }, defaults: { name, lastError: null }, transaction });
      return cursor;
    });
  }
  const saveCursor = (cursor: ProcessorCursor) => withTransaction((transaction) => cursor.save({ transaction }));

  /** Process everything available for one lane; returns when caught up or backing off. */
  async function runLane(lane: Lane): Promise<void> {
    const { processor } = lane;
    const handles = new Set<string>(processor.handles);
    const cursor = await cursorOf(processor.name);
    for (;;) {
      if (stopped) return;
      const rows = await OutboxEvent.findAll({
        where: { id: { [Op.gt]: cursor.lastEventId } },
        order: [['id', 'ASC']],
        limit: batchSize,
      });
      if (rows.length === 0) return;
      for (const row of rows) {
        if (handles.has(row.type)) {
          try {
            await processor.handle(fromRow(row) as StoredEvent<never>);
          } catch (err) {
            const message = err instanceof Error ? err.stack ?? err.message : String(err);
            cursor.attempts += 1;
            cursor.lastError = message.slice(0, 4000);
            if (cursor.attempts >= maxAttempts) {
              log.error('event dead-lettered', { processor: processor.name, eventId: row.id, type: row.type });
              cursor.attempts = 0;
              cursor.lastEventId = row.id;
              const error = cursor.lastError;
              await withTransaction(async (transaction) => {
                await DeadEvent.create({ processor: processor.name, eventId: row.id, error }, { transaction });
                await cursor.save({ transaction });
              });
              continue;
            }
            const delay = Math.min(backoffMaxMs, backoffBaseMs * 2 ** (cursor.attempts - 1));
            log.warn('event processing failed; will retry', { processor: processor.name, eventId: row.id, attempt: cursor.attempts, delayMs: delay });
            lane.retryAt = Date.now() + delay;
            await saveCursor(cursor);
            schedule(lane, delay);
            return;
          }
        }
        cursor.lastEventId = row.id;
        cursor.attempts = 0;
        cursor.lastError = null;
      }
      await saveCursor(cursor);
      if (rows.length < batchSize) return;
    }
  }

  function schedule(lane: Lane, delay: number) {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = setTimeout(() => {
      lane.timer = null;
      wake(lane);
    }, delay);
  }

  function wake(lane: Lane) {
    if (stopped) return;
    const wait = lane.retryAt - Date.now();
    if (wait > 0) {
      if (!lane.timer) schedule(lane, wait);
      return;
    }
    if (lane.running) {
      lane.again = true;
      return;
    }
    lane.running = true;
    lane.again = false;
    runLane(lane)
      .catch((err) => log.error('dispatcher lane crashed', { processor: lane.processor.name, error: String(err) }))
      .finally(() => {
        lane.running = false;
        if (lane.again) wake(lane);
        else if (lanes.every((l) => !l.running)) idleWaiters.splice(0).forEach((fn) => fn());
      });
  }

  function kick() {
    for (const lane of lanes) wake(lane);
  }

  return {
    /** Start reacting to commits and polling (for events written by other processes). */
    start() {
      if (!stopped) return;
      stopped = false;
      unsubscribe = onEventsCommitted(() => setImmediate(kick));
      poller = setInterval(kick, pollMs);
      poller.unref();
      kick();
    },
    /** Stop; in-flight handlers finish but no new work starts. */
    async stop() {
      stopped = true;
      unsubscribe?.();
      if (poller) clearInterval(poller);
      for (const lane of lanes) if (lane.timer) clearTimeout(lane.timer);
      while (lanes.some((l) => l.running)) await new Promise((r) => setTimeout(r, 10));
    },
    kick,
    /** Resolve when every processor has caught up with the outbox (tests, CLI). */
    async drain(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const max = ((await OutboxEvent.max('id')) as number | null) ?? 0;
        const cursors = await Promise.all(lanes.map((l) => cursorOf(l.processor.name)));
        if (cursors.every((c) => c.lastEventId >= max) && lanes.every((l) => !l.running)) return;
        if (Date.now() > deadline) throw new Error(`dispatcher did not drain within ${timeoutMs}ms`);
        kick();
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    /** Backlog (events not yet processed by the slowest processor) and the age of the oldest. */
    async health(): Promise<{ backlog: number; lagSeconds: number }> {
      if (lanes.length === 0) return { backlog: 0, lagSeconds: 0 };
      const cursors = await Promise.all(lanes.map((l) => cursorOf(l.processor.name)));
      const slowest = Math.min(...cursors.map((c) => c.lastEventId));
      const backlog = await OutboxEvent.count({ where: { id: { [Op.gt]: slowest } } });
      const oldest = backlog ? await OutboxEvent.findOne({ where: { id: { [Op.gt]: slowest } }, order: [['id', 'ASC']] }) : null;
      const lagSeconds = oldest ? Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000) : 0;
      return { backlog, lagSeconds: Math.round(lagSeconds * 10) / 10 };
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
