/**
 * Webhook and delivery shapes for the admin API. A webhook's secret never leaves the server
 * (`hasSecret` says whether there is one), and neither does its full URL: DingTalk and WeCom put
 * the robot's key in the query and Slack in the path, so the URL is a credential too. Admins
 * recognise a webhook by its host and the URL's last four characters.
 */
import type { Webhook, WebhookDelivery } from '../models';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** `https://oapi.dingtalk.com/…` (origin only, path and query elided). */
export function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === '/' && !u.search ? u.origin : `${u.origin}/…`;
  } catch {
    return '…';
  }
}

/** A configured webhook as admins see it. */
export function presentWebhook(hook: Webhook) {
  return {
    id: String(hook.id),
    name: hook.name,
    format: hook.format,
    endpoint: endpointOf(hook.url),
    urlSuffix: hook.url.slice(-4),
    hasSecret: Boolean(hook.secret),
    events: [...hook.events],
    minSeverity: hook.minSeverity,
    active: hook.active,
    createdAt: iso(hook.createdAt),
    updatedAt: iso(hook.updatedAt),
  };
}

/** What the audit log keeps of a webhook: the presented shape (no secret, no full URL). */
export function auditViewOf(hook: Webhook): Record<string, unknown> {
  const { createdAt: _c, updatedAt: _u, ...view } = presentWebhook(hook);
  return view;
}

/** One entry of a webhook's delivery log. */
export function presentDelivery(d: WebhookDelivery) {
  return {
    id: String(d.id),
    webhookId: String(d.webhookId),
    eventId: d.eventId === null ? null : String(d.eventId),
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: iso(d.nextAttemptAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode ?? null,
    lastError: d.lastError ?? null,
    deliveredAt: iso(d.deliveredAt),
    payload: d.payload,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
  };
}
