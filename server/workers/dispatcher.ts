/**
 * Runs event processors over the outbox. Each processor has a durable cursor; it is
 * at-least-once (handlers must be idempotent), in order, retried with backoff, and a
 * poison event goes to dead_events after maxAttempts so the rest keep flowing. A processor whose
 * events carry many items (a mention batch) may report single poison items instead: those go to
 * dead_events with the item named, and the rest of their event counts as done.
 */
import { Op } from 'sequelize';
import { DeadEvent, OutboxEvent, ProcessorCursor } from '../models';
import { fromRow, onEventsCommitted, outboxAfter, type EventType, type OutboxRow, type StoredEvent } from '../events';
import { log } from '../log';
import { leaseHolds, withTransaction } from '../db';
import { LeaseLostError, outsideFence, withFence, type Fence } from '../cluster/fence';
import { outageOf } from '../outages';

/**
 * One item of an event that a processor gave up on while the rest of the event went through
 * (it already tried the item alone, and the failure was not transient): it is dead-lettered.
 */
export interface ItemFailure {
  eventId: number;
  /** What failed, e.g. `mention:42`. */
  item: string;
  error: unknown;
}

export interface Processor<T extends EventType = EventType> {
  /** Stable name: it keys the durable cursor. */
  name: string;
  handles: readonly T[];
  /** Handle one event; throw to have it retried, or return the items that alone failed. (Give this or handleBatch.) */
  handle?(event: StoredEvent<T>): Promise<void | ItemFailure[]>;
  /**
   * Handle every matching event of a fetched batch at once (bulk indexing). On a failure that
   * is not transient the dispatcher retries the events one by one, so one poison event is
   * dead-lettered alone instead of taking its batch with it.
   */
  handleBatch?(events: StoredEvent<T>[]): Promise<void | ItemFailure[]>;
  /** A transient failure (a dependency is down) is retried forever with backoff, never dead-lettered. */
  isTransient?(err: unknown): Promise<boolean>;
  /** Events fetched per round for this processor (bulk processors want more). */
  batchSize?: number;
  /**
   * false: the cursor lives in this process only and starts at the newest event when the
   * dispatcher starts (live push to this process's sockets: each web process runs its own, and
   * clients catch up by replay after a reconnect, so nothing needs to survive a restart).
   */
  durable?: boolean;
  /**
   * Batch by time as well as size: wait until the oldest pending event is this old (or a full
   * batch is there) before handling, so a steady trickle becomes a few bulk writes a second.
   */
  lingerMs?: number;
}

export interface DispatcherOptions {
  pollMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * Lanes this says yes to start paused and run only between resume(name) and pause(name): a
   * lease keeper (server/cluster/leases.ts) owns them, so that of several workers one at a time
   * runs each.
   */
  leased?: (p: Processor) => boolean;
  /**
   * The lease that fences a leased lane's writes (server/cluster/fence.ts): a lane that lost it
   * (this process froze past it) writes nothing more and stops until resume(name).
   */
  fence?: (p: Processor) => Fence | null;
  /** Told when a fenced lane stopped because its lease was gone (the lease keeper then gives it up). */
  onLeaseLost?: (name: string) => void;
}

interface Lane {
  processor: Processor;
  /** The cursor in memory, re-read from the database at most once a second (another process may rewind it). */
  cursor: ProcessorCursor | null;
  loadedAt: number;
  /** lastEventId as last read from or written to the database (for the conditional save). */
  persisted: number;
  /** Progress not yet saved (saved in batches; re-done idempotently if lost in a crash). */
  dirty: boolean;
  /** Lingering for a fuller batch until this time. */
  lingerUntil: number;
  /** After a failed batch: process one event at a time until caught up. */
  isolate: boolean;
  /** False while another process holds this lane's lease (leased lanes start so). */
  active: boolean;
  /** Bumped by resume(): a lost-lease error from a run before it must not stop the resumed lane. */
  epoch: number;
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
  const lanes: Lane[] = processors.map((processor) => ({ processor, cursor: null, loadedAt: 0, persisted: 0, dirty: false, lingerUntil: 0, isolate: false, active: !options.leased?.(processor), epoch: 0, running: false, again: false, retryAt: 0, timer: null }));
  const activeLanes = () => lanes.filter((l) => l.active);
  let stopped = true;
  /**
   * The outbox's newest rows as committed by this process, ascending by id. A lane at cursor X
   * takes X+1, X+2 ... from here while they are consecutive (no integer lies between, so none can
   * be missing) instead of reading the table after every commit; anything else, such as rows
   * written by another process, is read from the database as before.
   */
  const tail: OutboxRow[] = [];
  const TAIL_MAX = 20_000;
  const remember = (events: readonly StoredEvent[]) => {
    for (const { eventId, at, type, ...payload } of events) {
      const row: OutboxRow = { id: eventId, type, payload, createdAt: at };
      if (!tail.length || tail[tail.length - 1].id < eventId) tail.push(row);
      else tail.splice(firstAfter(eventId - 1), 0, row);
    }
    if (tail.length > TAIL_MAX) tail.splice(0, tail.length - TAIL_MAX);
  };
  /** Index of the first tail row with id > after. */
  const firstAfter = (after: number) => {
    let lo = 0;
    let hi = tail.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tail[mid].id <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  async function rowsAfter(after: number, limit: number): Promise<OutboxRow[]> {
    const i = firstAfter(after);
    if (i < tail.length && tail[i].id === after + 1) {
      let j = i + 1;
      while (j < tail.length && j - i < limit && tail[j].id === tail[j - 1].id + 1) j++;
      return tail.slice(i, j);
    }
    return outboxAfter(after, limit);
  }
  /** Forget rows every running lane is past (a paused lane reads the table when it resumes). */
  const trimTail = () => {
    const active = activeLanes();
    if (!tail.length || !active.length || active.some((l) => !l.cursor)) return;
    const done = Math.min(...active.map((l) => l.cursor!.lastEventId));
    const n = firstAfter(done);
    if (n) tail.splice(0, n);
  };
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
  const durable = (p: Processor) => p.durable !== false;

  /** A process-local cursor at the newest event, or just before the first one this process saw since start(). */
  async function ephemeralCursor(name: string): Promise<ProcessorCursor> {
    const max = ((await OutboxEvent.max('id')) as number | null) ?? 0;
    const lastEventId = tail.length ? Math.min(max, tail[0].id - 1) : max;
    return ProcessorCursor.build({ name, lastEventId, attempts: 0, lastError: null });
  }
  const laneCursor = (p: Processor) => (durable(p) ? cursorOf(p.name) : ephemeralCursor(p.name));

  /**
   * Save the dirty cursors of every lane in ONE transaction, each only if nobody else moved it
   * since we read it (`resonance reindex` rewinds the indexer's to replay); where somebody did,
   * adopt their position instead.
   */
  async function saveDirtyCursors(): Promise<void> {
    const dirty = lanes.filter((l) => l.dirty && l.cursor);
    if (dirty.length === 0) return;
    for (const l of dirty) l.dirty = false;
    const snapshot = dirty.map((lane) => ({ lane, cursor: lane.cursor!, target: lane.cursor!.lastEventId, expected: lane.persisted }));
    const moved: Lane[] = [];
    const fenced: Lane[] = [];
    await withTransaction(async (transaction) => {
      for (const { lane, cursor, target, expected } of snapshot) {
        // A leased lane whose lease went to another process must not move the cursor it now owns.
        const fence = options.fence?.(lane.processor);
        if (fence && !(await leaseHolds(fence, transaction))) {
          fenced.push(lane);
          continue;
        }
        const [affected] = await ProcessorCursor.update(
          { lastEventId: target, attempts: cursor.attempts, lastError: cursor.lastError },
          { where: { name: cursor.name, lastEventId: expected }, transaction },
        );
        if (affected === 1) lane.persisted = target;
        else moved.push(lane);
      }
    });
    for (const lane of fenced) leaseLost(lane);
    for (const lane of moved) {
      const fresh = await cursorOf(lane.processor.name);
      lane.cursor = fresh;
      lane.persisted = fresh.lastEventId;
      lane.loadedAt = Date.now();
      log.info('cursor moved by another process; following it', { processor: lane.processor.name, lastEventId: fresh.lastEventId });
    }
  }

  /** Process everything available for one lane; returns when caught up or backing off. */
  async function runLane(lane: Lane, epoch: number): Promise<void> {
    const { processor } = lane;
    const handles = new Set<string>(processor.handles);
    const handleOne = (event: StoredEvent) =>
      processor.handleBatch ? processor.handleBatch([event as StoredEvent<never>]) : processor.handle!(event as StoredEvent<never>);
    if (!lane.cursor || (durable(processor) && Date.now() - lane.loadedAt > 1_000 && !flushing && !lane.dirty)) {
      lane.cursor = await laneCursor(processor);
      lane.persisted = lane.cursor.lastEventId;
      lane.loadedAt = Date.now();
    }
    const cursor = lane.cursor;
    const limit = processor.batchSize ?? batchSize;
    for (;;) {
      // A run from before a pause and resume (its lease lost and taken back) must not go on beside the new one.
      if (stopped || !lane.active || lane.epoch !== epoch) return;
      const rows = await rowsAfter(cursor.lastEventId, limit);
      if (rows.length === 0) {
        lane.isolate = false;
        return;
      }
      const relevant = rows.filter((r) => handles.has(r.type));
      if (processor.lingerMs && relevant.length > 0 && rows.length < limit && !lane.isolate) {
        const wait = processor.lingerMs - (Date.now() - relevant[0].createdAt.getTime());
        if (wait > 0) {
          lane.lingerUntil = Date.now() + wait;
          schedule(lane, wait);
          return;
        }
      }
      if (processor.handleBatch && !lane.isolate && relevant.length > 1) {
        try {
          await deadLetterItems(processor, await processor.handleBatch(relevant.map((r) => fromRow(r) as StoredEvent<never>)));
        } catch (err) {
          if (err instanceof LeaseLostError) throw err;
          if (!(await transient(processor, err))) {
            log.warn('batch failed; retrying its events one by one', { processor: processor.name, events: relevant.length });
            lane.isolate = true;
            continue;
          }
          await backOff(lane, cursor, relevant[0].id, err);
          lane.persisted = cursor.lastEventId;
          return;
        }
        cursor.lastEventId = rows[rows.length - 1].id;
        cursor.attempts = 0;
        cursor.lastError = null;
      } else {
        for (const row of rows) {
          if (handles.has(row.type)) {
            try {
              await deadLetterItems(processor, await handleOne(fromRow(row)));
            } catch (err) {
              if (err instanceof LeaseLostError) throw err;
              const isTransient = await transient(processor, err);
              if (!isTransient && cursor.attempts + 1 >= maxAttempts) {
                await deadLetter(cursor, processor, row.id, err);
                lane.persisted = cursor.lastEventId;
                continue;
              }
              await backOff(lane, cursor, row.id, err);
              lane.persisted = cursor.lastEventId;
              return;
            }
          }
          cursor.lastEventId = row.id;
          cursor.attempts = 0;
          cursor.lastError = null;
        }
      }
      // Don't make the next batch wait in the write queue for the cursor: save in the background,
      // coalesced. Losing it in a crash only means re-doing idempotent work.
      persistCursor(lane);
      trimTail();
      if (rows.length < limit) return;
    }
  }

  async function transient(processor: Processor, err: unknown): Promise<boolean> {
    // A down database or a full disk is every processor's outage: wait it out, never dead-letter.
    if (outageOf(err)) return true;
    try {
      return (await processor.isTransient?.(err)) ?? false;
    } catch {
      return true;
    }
  }

  const describe = (err: unknown) => (err instanceof Error ? err.stack ?? err.message : String(err)).slice(0, 4000);

  async function deadLetter(cursor: ProcessorCursor, processor: Processor, eventId: number, err: unknown) {
    log.error('event dead-lettered', { processor: processor.name, eventId });
    const error = describe(err);
    cursor.attempts = 0;
    cursor.lastError = null;
    cursor.lastEventId = eventId;
    await withTransaction(async (transaction) => {
      await DeadEvent.create({ processor: processor.name, eventId, error }, { transaction });
      if (durable(processor)) await cursor.save({ transaction });
    });
  }

  async function deadLetterItems(processor: Processor, failures: void | ItemFailure[]) {
    if (!failures || failures.length === 0) return;
    log.error('items dead-lettered', { processor: processor.name, items: failures.map((f) => `${f.eventId}/${f.item}`) });
    const rows = failures.map((f) => ({ processor: processor.name, eventId: f.eventId, item: f.item, error: describe(f.error) }));
    await withTransaction((transaction) => DeadEvent.bulkCreate(rows, { transaction }));
  }

  async function backOff(lane: Lane, cursor: ProcessorCursor, eventId: number, err: unknown) {
    // Everything before the failing event is done: keep that progress.
    cursor.lastEventId = Math.max(cursor.lastEventId, eventId - 1);
    cursor.attempts += 1;
    cursor.lastError = describe(err);
    const delay = Math.min(backoffMaxMs, backoffBaseMs * 2 ** Math.min(20, cursor.attempts - 1));
    log.warn('event processing failed; will retry', { processor: lane.processor.name, eventId, attempt: cursor.attempts, delayMs: delay });
    lane.retryAt = Date.now() + delay;
    if (durable(lane.processor)) await saveCursor(cursor);
    schedule(lane, delay);
  }

  // Cursor saves are batched: at most one small transaction per CURSOR_FLUSH_MS for all lanes,
  // instead of one per lane per batch in the same write queue as the forum's own writes.
  const CURSOR_FLUSH_MS = 200;
  let flushTimer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;

  function persistCursor(lane: Lane) {
    // A lane that lost its lease mid-batch keeps nothing (leaseLost cleared its cursor); a paused
    // one still saves the batch it had in hand (pause() flushes it).
    if (!durable(lane.processor) || !lane.cursor) return;
    lane.dirty = true;
    if (!flushTimer) flushTimer = setTimeout(() => void flushNow(), CURSOR_FLUSH_MS);
  }

  function flushNow(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    // Outside any lane's fence (this timer may have been set from inside one): it saves every lane's cursor.
    flushing ??= outsideFence(saveDirtyCursors)
      .catch((err) => {
        log.warn('cursor save failed; will retry', { error: String(err) });
        for (const l of lanes) if (l.cursor && l.cursor.lastEventId !== l.persisted) l.dirty = true;
      })
      .finally(() => {
        flushing = null;
        if (lanes.some((l) => l.dirty && l.cursor) && !flushTimer) flushTimer = setTimeout(() => void flushNow(), CURSOR_FLUSH_MS);
      });
    return flushing;
  }

  async function flushCursors() {
    while (flushing || lanes.some((l) => l.dirty && l.cursor)) await flushNow();
  }

  function schedule(lane: Lane, delay: number) {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = setTimeout(() => {
      lane.timer = null;
      wake(lane);
    }, delay);
  }

  function wake(lane: Lane) {
    if (stopped || !lane.active) return;
    if (Date.now() < lane.lingerUntil) return; // its timer is set
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
    const fence = options.fence?.(lane.processor) ?? null;
    const epoch = lane.epoch;
    withFence(fence, () => runLane(lane, epoch))
      .catch((err) => {
        if (err instanceof LeaseLostError && err.lease === fence?.lease) {
          if (epoch === lane.epoch) leaseLost(lane);
        } else log.error('dispatcher lane crashed', { processor: lane.processor.name, error: String(err) });
      })
      .finally(() => {
        lane.running = false;
        if (lane.again) wake(lane);
        else if (lanes.every((l) => !l.running)) idleWaiters.splice(0).forEach((fn) => fn());
      });
  }

  /**
   * The lane's lease is another process's now (this one froze past it): stop the lane where it
   * is, keep none of its unsaved progress (the new holder redoes it), and wait for resume(name),
   * which the lease keeper calls if the lease comes back.
   */
  function leaseLost(lane: Lane) {
    if (!lane.active) return;
    lane.active = false;
    lane.dirty = false;
    lane.cursor = null;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    log.warn('pipeline lane stopped: its lease is no longer ours', { processor: lane.processor.name });
    outsideFence(() => options.onLeaseLost?.(lane.processor.name));
  }

  function kick() {
    for (const lane of lanes) wake(lane);
  }

  return {
    /** Start reacting to commits and polling (for events written by other processes). */
    start() {
      if (!stopped) return;
      stopped = false;
      tail.length = 0; // a restart must not hand an ephemeral lane events from before it
      // Other processes' commits too (over the cluster bus): handled now rather than at the poll.
      unsubscribe = onEventsCommitted(
        (events) => {
          remember(events);
          // This runs after a commit, maybe a fenced lane's: every lane wakes in its own fence.
          outsideFence(() => setImmediate(kick));
        },
        { remote: true },
      );
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
      if (flushTimer) clearTimeout(flushTimer);
      while (lanes.some((l) => l.running)) await new Promise((r) => setTimeout(r, 10));
      await flushCursors();
      for (const lane of lanes) lane.cursor = null;
    },
    kick,
    /**
     * Stop running a leased lane (its lease is going to another process): the batch in hand
     * finishes and its progress is saved before this resolves, so the next owner starts after it.
     */
    async pause(name: string): Promise<void> {
      for (const lane of lanes.filter((l) => l.processor.name === name)) {
        lane.active = false;
        if (lane.timer) clearTimeout(lane.timer);
        lane.timer = null;
        while (lane.running) await new Promise((r) => setTimeout(r, 10));
        // One try (it logs its failure): with the database away the next owner re-does that
        // progress, idempotently, rather than this waiting for the database.
        while (flushing) await flushing;
        if (lane.dirty) await flushNow();
        lane.dirty = false;
        lane.cursor = null; // another process moves it meanwhile: read it again on resume
        lane.retryAt = 0;
        lane.lingerUntil = 0;
      }
    },
    /** Run a leased lane (this process now holds its lease), from its cursor as stored. */
    resume(name: string): void {
      for (const lane of lanes.filter((l) => l.processor.name === name)) {
        lane.active = true;
        lane.epoch++;
        lane.cursor = null;
        wake(lane);
      }
    },
    /** Names of the lanes running here. */
    activeLanes: () => activeLanes().map((l) => l.processor.name),
    /** Resolve when every lane running here has caught up with the outbox (tests, CLI). */
    async drain(timeoutMs = 10_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const max = ((await OutboxEvent.max('id')) as number | null) ?? 0;
        const active = activeLanes();
        const cursors = await Promise.all(active.map((l) => l.cursor ?? laneCursor(l.processor)));
        // Caught up with `max` is not drained if a processor committed a follow-up event since
        // (analysis -> item.analyzed -> the alert rules): only an unchanged outbox is.
        if (cursors.every((c) => c.lastEventId >= max) && lanes.every((l) => !l.running) && (((await OutboxEvent.max('id')) as number | null) ?? 0) === max) {
          await flushCursors();
          return;
        }
        if (Date.now() > deadline) throw new Error(`dispatcher did not drain within ${timeoutMs}ms`);
        kick();
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    /** Backlog (events not yet processed by the slowest processor) and the age of the oldest. */
    async health(): Promise<{ backlog: number; lagSeconds: number }> {
      // Every processor with a cursor counts, including those running in another process
      // (RESONANCE_ROLE=worker): the slowest one defines the backlog.
      const rows = await ProcessorCursor.findAll();
      const positions = new Map(rows.map((c) => [c.name, c.lastEventId]));
      for (const l of lanes) if (l.cursor) positions.set(l.processor.name, Math.max(positions.get(l.processor.name) ?? 0, l.cursor.lastEventId));
      if (positions.size === 0) return { backlog: 0, lagSeconds: 0 };
      const slowest = Math.min(...positions.values());
      const backlog = await OutboxEvent.count({ where: { id: { [Op.gt]: slowest } } });
      const oldest = backlog ? await OutboxEvent.findOne({ where: { id: { [Op.gt]: slowest } }, order: [['id', 'ASC']] }) : null;
      const lagSeconds = oldest ? Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000) : 0;
      return { backlog, lagSeconds: Math.round(lagSeconds * 10) / 10 };
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
