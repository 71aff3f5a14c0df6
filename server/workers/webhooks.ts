/**
 * Outbound webhooks, in two steps. The processor (durable, worker role) turns each alert event
 * into one pending delivery per active webhook that wants it (its events list and minSeverity);
 * the (webhookId, eventId) unique key makes re-processing an event a no-op. The delivery loop
 * sends due deliveries, retrying with backoff until WEBHOOK_MAX_ATTEMPTS. All state is in
 * `webhook_deliveries`, so a restart resumes the schedule; a claim (`lockedUntil`) keeps two
 * worker processes from sending one delivery at once, and a crashed sender's claim expires.
 */
import { Op } from 'sequelize';
import type { Processor } from './dispatcher';
import type { StoredEvent } from '../events';
import { withTransaction } from '../db';
import { outsideFence } from '../cluster/fence';
import { log } from '../log';
import { RateLimiter } from '../middleware/rateLimit';
import { Webhook, WebhookDelivery } from '../models';
import { payloadFor } from '../services/webhooks';
import { recordAttempt, sendOnce, type DeliverySettings } from '../services/webhookDelivery';

type Handled = 'alert.raised' | 'alert.escalated';

/** Something to wake when deliveries were queued (the loop in this process). */
export interface DeliveryWaker {
  kick(): void;
}

/** The processor that queues deliveries for alert events. */
export function webhookProcessor(sender: DeliveryWaker, publicUrl: string | null | undefined): Processor<Handled> {
  return {
    name: 'webhooks',
    handles: ['alert.raised', 'alert.escalated'],
    async handle(event: StoredEvent<Handled>) {
      const hooks = await Webhook.findAll({ where: { active: true } });
      const { type, eventId, at: _at, ...notice } = event;
      const matching = hooks.filter((h) => h.events.includes(type) && notice.severity >= h.minSeverity);
      if (matching.length === 0) return;
      const now = new Date();
      const rows = matching.map((h) => ({ webhookId: h.id, eventId, eventType: type, status: 'pending' as const, attempts: 0, nextAttemptAt: now, payload: payloadFor(h.format, notice, publicUrl, type) }));
      // ON CONFLICT DO NOTHING on (webhookId, eventId): at-least-once events, exactly one delivery each.
      await withTransaction((transaction) => WebhookDelivery.bulkCreate(rows, { ignoreDuplicates: true, transaction }));
      sender.kick();
    },
  };
}

export interface SenderOptions extends DeliverySettings {
  perMinute: number;
  /** Look for due deliveries at least this often (those queued by other processes). */
  pollMs?: number;
  batchSize?: number;
}

/** The delivery loop: start() with the app, stop() before the database closes. */
export function createWebhookSender(options: SenderOptions) {
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 20;
  // In memory, per process: with several workers each gets the limit (noted in the README).
  const limiter = new RateLimiter(options.perMinute, 60_000);
  let stopped = true;
  let running: Promise<void> | null = null;
  let again = false;
  let poller: NodeJS.Timeout | null = null;
  let timer: NodeJS.Timeout | null = null;

  const notLocked = (now: Date) => ({ [Op.or]: [{ lockedUntil: null }, { lockedUntil: { [Op.lte]: now } }] });

  /** Claim a due delivery for this process; false when another sender took it first. */
  async function claim(d: WebhookDelivery, now: Date): Promise<boolean> {
    const [affected] = await withTransaction((transaction) =>
      WebhookDelivery.update(
        { lockedUntil: new Date(now.getTime() + options.timeoutMs + 30_000) },
        { where: { id: d.id, status: 'pending', attempts: d.attempts, ...notLocked(now) }, transaction },
      ),
    );
    return affected === 1;
  }

  /** Drop this process's claim, storing fields (by id: the instance never saw the claim). */
  async function release(d: WebhookDelivery, fields: Partial<Pick<WebhookDelivery, 'status' | 'nextAttemptAt' | 'lastError'>>): Promise<void> {
    await withTransaction((transaction) => WebhookDelivery.update({ ...fields, lockedUntil: null }, { where: { id: d.id }, transaction }));
  }

  async function attempt(d: WebhookDelivery, hook: Webhook | undefined): Promise<void> {
    const now = new Date();
    if (!(await claim(d, now))) return;
    if (!hook || !hook.active) {
      // Deactivated (or deleted mid-flight): what is still queued for it stops here.
      await release(d, { status: 'failed', nextAttemptAt: null, lastError: 'webhook deactivated' });
      return;
    }
    const wait = limiter.hit(`webhook:${hook.id}`);
    if (wait > 0) {
      // Over the receiver's rate: not an attempt, just later.
      await release(d, { nextAttemptAt: new Date(now.getTime() + wait * 1000) });
      return;
    }
    const result = await sendOnce(hook, d, options);
    await recordAttempt(hook, d, now, result, options);
  }

  async function runDue(): Promise<void> {
    for (;;) {
      if (stopped) return;
      const now = new Date();
      const due = await WebhookDelivery.findAll({
        where: { status: 'pending', nextAttemptAt: { [Op.lte]: now }, ...notLocked(now) },
        order: [['nextAttemptAt', 'ASC'], ['id', 'ASC']],
        limit: batchSize,
      });
      if (due.length === 0) break;
      const hooks = new Map((await Webhook.findAll({ where: { id: [...new Set(due.map((d) => d.webhookId))] } })).map((h) => [h.id, h]));
      await Promise.all(due.map((d) => attempt(d, hooks.get(d.webhookId)).catch((err) => log.error('webhook delivery crashed', { deliveryId: d.id, error: err instanceof Error ? err.name : 'error' }))));
    }
    await scheduleNext();
  }

  /** Wake exactly when the next retry is due (or at the poll, whichever is first). */
  async function scheduleNext(): Promise<void> {
    if (stopped) return;
    const now = new Date();
    // The next unclaimed retry, or the end of a claim (another process's, or one left by a crash).
    const [due, claimEnds] = (await Promise.all([
      WebhookDelivery.min('nextAttemptAt', { where: { status: 'pending', ...notLocked(now) } }),
      WebhookDelivery.min('lockedUntil', { where: { status: 'pending', lockedUntil: { [Op.gt]: now } } }),
    ])) as Array<Date | string | null>;
    if (timer) clearTimeout(timer);
    timer = null;
    const times = [due, claimEnds].filter((v): v is Date | string => v !== null).map((v) => new Date(v).getTime());
    if (times.length === 0 || stopped) return;
    // At least a few ms: never a busy loop, whatever the table says.
    const delay = Math.max(5, Math.min(pollMs, Math.min(...times) - Date.now()));
    timer = setTimeout(kick, delay);
    timer.unref();
  }

  // Outside any fence: the webhooks lane wakes the sender from inside its own (cluster/fence.ts),
  // and a claimed delivery must not fail its bookkeeping because that lane's lease moved.
  const kick = (): void => outsideFence(kickNow);
  function kickNow(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = runDue()
      .catch((err) => log.error('webhook delivery loop failed; will retry at the next poll', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        running = null;
        if (again) kick();
      });
  }

  return {
    /** Start sending (and polling for deliveries queued elsewhere). */
    start() {
      if (!stopped) return;
      stopped = false;
      poller = setInterval(kick, pollMs);
      poller.unref();
      kick();
    },
    /** Stop; an in-flight round finishes (its requests are bounded by the timeout). */
    async stop() {
      stopped = true;
      if (poller) clearInterval(poller);
      if (timer) clearTimeout(timer);
      poller = timer = null;
      while (running) await running;
    },
    kick,
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
