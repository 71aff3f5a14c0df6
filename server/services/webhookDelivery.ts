/**
 * Sending one webhook delivery over HTTP (Node's fetch, a timeout, no redirects) and recording
 * the attempt in the delivery log. The worker's delivery loop (server/workers/webhooks.ts) and
 * the admin's test send both go through here. Logs name the receiver's host only: the secret,
 * and the URL's path and query (where DingTalk, WeCom and Slack keep their keys), never appear in
 * logs or in `lastError`.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import type { Config } from '../config';
import { withTransaction } from '../db';
import { log } from '../log';
import { WebhookDelivery, type Webhook } from '../models';
import { allowsPrivateNetworks, dingtalkSignedUrl, hostOf, isPrivateAddress, payloadFor, signatureHeader, testNotice, webhookUrlProblem, type DeliveryEvent } from './webhooks';

export interface DeliverySettings {
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  allowPrivate: boolean;
}

/** The delivery settings from the environment. */
export function deliverySettings(config: Config): DeliverySettings {
  return {
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    retryMaxMs: config.WEBHOOK_RETRY_MAX_MS,
    allowPrivate: allowsPrivateNetworks(config),
  };
}

/**
 * The wait before retry number `attempt` (1 = after the first failure): exponential, capped, with
 * "equal jitter" (half fixed, half random) so receivers that failed together do not all retry in
 * the same instant, while each wait is still at least as long as the one before (until the cap).
 */
export function retryDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  /** Short and scrubbed of the secret and the URL's path and query. */
  error: string | null;
  /** false: retrying cannot help (a refused URL); the delivery fails now. */
  retryable: boolean;
}

const ERROR_MAX = 300;
const RESPONSE_MAX_BYTES = 64 * 1024;

/** Remove the secret and the URL (whole, path, query) from a message, and shorten it. */
export function scrub(message: string, hook: Pick<Webhook, 'url' | 'secret'>): string {
  let out = message;
  const secrets = [hook.secret, hook.url];
  try {
    const u = new URL(hook.url);
    secrets.push(u.search.slice(1), u.pathname.length > 1 ? u.pathname : null, ...[...u.searchParams.values()]);
  } catch {
    /* an unparsable URL is refused before sending */
  }
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out.length > ERROR_MAX ? `${out.slice(0, ERROR_MAX - 1)}…` : out;
}

/** Read at most `max` bytes of a response body as text (a hostile receiver may send gigabytes). */
async function readSome(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/** Whether the host resolves only to public addresses (checked right before each send). */
async function publicHost(hostname: string): Promise<boolean> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) return !isPrivateAddress(host);
  const addresses = await dns.lookup(host, { all: true, verbatim: true });
  return addresses.length > 0 && addresses.every((a) => !isPrivateAddress(a.address));
}

/** DingTalk and WeCom answer HTTP 200 with `{errcode, errmsg}`; only errcode 0 is a delivery. */
function robotError(format: Webhook['format'], body: string): string | null {
  if (format !== 'dingtalk' && format !== 'wecom') return null;
  try {
    const parsed = JSON.parse(body) as { errcode?: unknown; errmsg?: unknown };
    if (parsed.errcode === 0) return null;
    return `errcode ${String(parsed.errcode)}: ${String(parsed.errmsg ?? '')}`;
  } catch {
    return 'unexpected response (not the robot API\'s JSON)';
  }
}

/** Make one HTTP attempt of a delivery. Never throws. */
export async function sendOnce(hook: Webhook, delivery: Pick<WebhookDelivery, 'id' | 'eventType' | 'payload'>, settings: Pick<DeliverySettings, 'timeoutMs' | 'allowPrivate'>): Promise<AttemptResult> {
  const problem = webhookUrlProblem(hook.url, settings.allowPrivate);
  if (problem) return { ok: false, statusCode: null, error: `refused URL: ${problem}`, retryable: false };
  try {
    if (!settings.allowPrivate && !(await publicHost(new URL(hook.url).hostname))) {
      return { ok: false, statusCode: null, error: 'refused URL: resolves to a private network address', retryable: false };
    }
  } catch (err) {
    return { ok: false, statusCode: null, error: scrub(`DNS lookup failed: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, hook), retryable: true };
  }
  const body = JSON.stringify(delivery.payload);
  const now = Date.now();
  const timestamp = String(Math.floor(now / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Resonance-Webhooks/1.0',
    'x-resonance-event': delivery.eventType,
    'x-resonance-delivery': String(delivery.id),
    'x-resonance-timestamp': timestamp,
  };
  if (hook.secret) headers['x-resonance-signature'] = signatureHeader(hook.secret, timestamp, body);
  const target = hook.format === 'dingtalk' && hook.secret ? dingtalkSignedUrl(hook.url, hook.secret, now) : hook.url;
  try {
    // No redirects: a 3xx to an internal address would walk around the SSRF check.
    const res = await fetch(target, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(settings.timeoutMs) });
    const text = await readSome(res, RESPONSE_MAX_BYTES);
    if (res.status < 200 || res.status > 299) return { ok: false, statusCode: res.status, error: scrub(`HTTP ${res.status}${text ? `: ${text.slice(0, 120)}` : ''}`, hook), retryable: true };
    const robot = robotError(hook.format, text);
    if (robot) return { ok: false, statusCode: res.status, error: scrub(robot, hook), retryable: true };
    return { ok: true, statusCode: res.status, error: null, retryable: false };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? `timed out after ${settings.timeoutMs} ms` : `network error: ${e.cause?.code ?? e.message}`;
    return { ok: false, statusCode: null, error: scrub(reason, hook), retryable: true };
  }
}

/**
 * Store an attempt's outcome: delivered, failed (out of attempts, or not retryable), or pending
 * again at `startedAt + retryDelay(attempts)`. `maxAttempts` 1 makes a one-shot (the test send).
 */
export async function recordAttempt(hook: Webhook, delivery: WebhookDelivery, startedAt: Date, result: AttemptResult, settings: Pick<DeliverySettings, 'maxAttempts' | 'retryBaseMs' | 'retryMaxMs'>): Promise<WebhookDelivery> {
  const attempts = delivery.attempts + 1;
  const giveUp = !result.ok && (!result.retryable || attempts >= settings.maxAttempts);
  const fields = {
    attempts,
    lastAttemptAt: startedAt,
    lockedUntil: null,
    lastStatusCode: result.statusCode,
    lastError: result.error,
    status: result.ok ? ('delivered' as const) : giveUp ? ('failed' as const) : ('pending' as const),
    deliveredAt: result.ok ? new Date() : null,
    nextAttemptAt: result.ok || giveUp ? null : new Date(startedAt.getTime() + retryDelay(attempts, settings.retryBaseMs, settings.retryMaxMs)),
  };
  // A static update: the instance never saw the claim's lockedUntil, so save() would skip clearing it.
  await withTransaction((transaction) => WebhookDelivery.update(fields, { where: { id: delivery.id }, transaction }));
  delivery.set(fields);
  const where = { webhookId: hook.id, deliveryId: delivery.id, host: hostOf(hook.url), attempt: attempts, statusCode: result.statusCode };
  if (result.ok) log.info('webhook delivered', where);
  else if (giveUp) log.error('webhook delivery failed; giving up', { ...where, error: result.error });
  else log.warn('webhook delivery failed; will retry', { ...where, error: result.error, nextAttemptAt: fields.nextAttemptAt?.toISOString() });
  return delivery;
}

/** Send a test notice now, once, and log it as a delivery of `webhook.test`. */
export async function sendTestDelivery(hook: Webhook, settings: DeliverySettings, publicUrl: string | null | undefined): Promise<WebhookDelivery> {
  const event: DeliveryEvent = 'webhook.test';
  const startedAt = new Date();
  const delivery = await withTransaction((transaction) =>
    WebhookDelivery.create(
      { webhookId: hook.id, eventId: null, eventType: event, status: 'pending', attempts: 0, nextAttemptAt: null, lockedUntil: new Date(startedAt.getTime() + settings.timeoutMs + 30_000), payload: payloadFor(hook.format, testNotice(startedAt), publicUrl, event) },
      { transaction },
    ),
  );
  const result = await sendOnce(hook, delivery, settings);
  return recordAttempt(hook, delivery, startedAt, result, { ...settings, maxAttempts: 1 });
}
