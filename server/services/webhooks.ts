/**
 * Outbound webhooks for the alert desk: admins configure them (audited), alert events become
 * deliveries (server/workers/webhooks.ts), and each format gets the body its receiver accepts:
 * Slack incoming webhooks, DingTalk custom robots (钉钉自定义机器人), WeCom group robots
 * (企业微信群机器人), or generic JSON.
 *
 * Signing. Every request with a secret carries
 *   X-Resonance-Timestamp: <unix seconds>
 *   X-Resonance-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * A receiver verifies it by recomputing the HMAC over the timestamp, a dot and the raw request
 * body bytes (before any JSON parsing), comparing in constant time (crypto.timingSafeEqual), and
 * rejecting timestamps more than 5 minutes from its clock (replays). X-Resonance-Delivery is
 * stable across retries of one delivery, so receivers can de-duplicate on it.
 * DingTalk robots with 加签 enabled also get DingTalk's own scheme in the URL (dingtalkSignedUrl).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { z } from 'zod';
import type { Config } from '../config';
import { withTransaction } from '../db';
import { NotFound, Validation } from '../errors';
import type { AlertKind, AlertNotice } from '../events';
import { DEFAULT_LOCALE, t } from '../i18n';
import { Webhook, WebhookDelivery } from '../models';
import { WEBHOOK_EVENTS, WEBHOOK_FORMATS, type WebhookEvent, type WebhookFormat } from '../models/Webhook';
import type { Actor } from '../policies';
import { auditViewOf } from '../presenters/webhook';
import { text } from '../routes/schemas';
import { audit } from './audit';

/** What a delivery tells a receiver: an alert notice (or the admin's test notice) and its event. */
export type WebhookNotice = Omit<AlertNotice, 'kind'> & { kind: AlertKind | 'test'; overdueSeconds?: number };
/** The event names a delivery can carry (the alert events, and the admin's test send). */
export type DeliveryEvent = WebhookEvent | 'webhook.test';

/**
 * SSRF: a webhook URL is typed by an admin, but the request is made from inside our network, so
 * by default production refuses loopback, private, link-local (cloud metadata 169.254.169.254) and
 * other non-public targets, at save time and again, after DNS, at send time. Development and test
 * allow them (tests run receivers on 127.0.0.1); WEBHOOK_ALLOW_PRIVATE_NETWORKS overrides both.
 */
export function allowsPrivateNetworks(config: Pick<Config, 'NODE_ENV' | 'WEBHOOK_ALLOW_PRIVATE_NETWORKS'>): boolean {
  return config.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? config.NODE_ENV !== 'production';
}

const blocked = new net.BlockList();
for (const [net4, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net4, prefix, 'ipv4');
for (const [net6, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) blocked.addSubnet(net6, prefix, 'ipv6');

/** Whether an IP address is loopback, private, link-local, reserved or multicast (not a public target). */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return isPrivateAddress(mapped[1]);
  const family = net.isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) return blocked.check(ip, 'ipv6');
  return false;
}

/** A URL's host as it can go into logs (never the path or query: DingTalk and WeCom keys live there). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}

/** Why a webhook URL is refused, or null: http(s) only, no credentials, and (unless allowed) no private host. */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain credentials (user:password@)';
  if (!url.hostname) return 'must name a host';
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host)) return 'must not point at a private network address';
  }
  return null;
}

const url = z.string().min(1).max(2048);
// A secret as the receiver's settings page shows it (DingTalk: "SEC…"): printable ASCII.
const secret = z.string().min(8, 'must be at least 8 characters').max(256).regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces');
const events = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .max(WEBHOOK_EVENTS.length)
  .refine((list) => new Set(list).size === list.length, 'must not repeat an event');
const severity = z.number().int().min(1).max(10);

export const webhookCreateInput = z
  .object({
    name: text(1, 64),
    format: z.enum(WEBHOOK_FORMATS),
    url,
    secret: secret.nullable().optional(),
    events: events.default([...WEBHOOK_EVENTS]),
    minSeverity: severity.default(1),
    active: z.boolean().default(true),
  })
  .strict();
export const webhookUpdateInput = z
  .object({
    name: text(1, 64).optional(),
    format: z.enum(WEBHOOK_FORMATS).optional(),
    url: url.optional(),
    /** A new secret, or null to remove it; absent keeps the current one. */
    secret: secret.nullable().optional(),
    events: events.optional(),
    minSeverity: severity.optional(),
    active: z.boolean().optional(),
  })
  .strict();
export type WebhookCreateInput = z.output<typeof webhookCreateInput>;
export type WebhookUpdateInput = z.output<typeof webhookUpdateInput>;

function checkUrl(raw: string, allowPrivate: boolean): void {
  const problem = webhookUrlProblem(raw, allowPrivate);
  if (problem) throw Validation('url', problem);
}

/** Every webhook, oldest first. */
export function listWebhooks(): Promise<Webhook[]> {
  return Webhook.findAll({ order: [['id', 'ASC']] });
}

/** One webhook or 404. */
export async function getWebhook(id: number): Promise<Webhook> {
  const hook = await Webhook.findByPk(id);
  if (!hook) throw NotFound('Webhook');
  return hook;
}

/** Configure a webhook (the caller authorised `alerts.configure`); audit-logged without its secret. */
export async function createWebhook(actor: Actor, input: WebhookCreateInput, opts: { allowPrivate: boolean }): Promise<Webhook> {
  checkUrl(input.url, opts.allowPrivate);
  return withTransaction(async (transaction) => {
    const hook = await Webhook.create(
      { name: input.name, format: input.format, url: input.url, secret: input.secret ?? null, events: input.events, minSeverity: input.minSeverity, active: input.active, createdById: actor.id },
      { transaction },
    );
    await audit(transaction, actor.id, 'webhook.create', 'webhook', String(hook.id), null, { after: auditViewOf(hook) });
    return hook;
  });
}

/** Change a webhook; audit-logged with before and after (never the secret, only whether there is one). */
export async function updateWebhook(actor: Actor, id: number, patch: WebhookUpdateInput, opts: { allowPrivate: boolean }): Promise<Webhook> {
  if (patch.url !== undefined) checkUrl(patch.url, opts.allowPrivate);
  return withTransaction(async (transaction) => {
    const hook = await Webhook.findByPk(id, { transaction });
    if (!hook) throw NotFound('Webhook');
    const before = auditViewOf(hook);
    const { secret: newSecret, ...rest } = patch;
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) hook.set(key as keyof typeof rest, value as never);
    if (newSecret !== undefined) hook.secret = newSecret;
    // JSON columns: tell Sequelize the array changed even when it is a new array of equal content.
    if (patch.events) hook.changed('events', true);
    await hook.save({ transaction });
    await audit(transaction, actor.id, 'webhook.update', 'webhook', String(hook.id), null, { before, after: auditViewOf(hook), secretChanged: newSecret !== undefined });
    return hook;
  });
}

/** Remove a webhook and its delivery log (cascade); audit-logged. */
export async function deleteWebhook(actor: Actor, id: number): Promise<void> {
  await withTransaction(async (transaction) => {
    const hook = await Webhook.findByPk(id, { transaction });
    if (!hook) throw NotFound('Webhook');
    await audit(transaction, actor.id, 'webhook.delete', 'webhook', String(hook.id), null, { before: auditViewOf(hook) });
    await WebhookDelivery.destroy({ where: { webhookId: hook.id }, transaction });
    await hook.destroy({ transaction });
  });
}

/** A webhook's newest deliveries first. */
export async function listDeliveries(id: number, limit: number): Promise<WebhookDelivery[]> {
  await getWebhook(id);
  return WebhookDelivery.findAll({ where: { webhookId: id }, order: [['id', 'DESC']], limit });
}

/** The notice an admin's test send carries. */
export function testNotice(now = new Date()): WebhookNotice {
  return {
    alertId: 0,
    kind: 'test',
    severity: 1,
    title: t(DEFAULT_LOCALE, 'webhook.testTitle'),
    summary: t(DEFAULT_LOCALE, 'webhook.testSummary'),
    path: '/desk',
    chapterId: null,
    slaDueAt: now.toISOString(),
  };
}

// ---- payloads -------------------------------------------------------------------------------

const SUMMARY_MAX = 1_000; // WeCom markdown takes 4,096 bytes, Slack sections 3,000 characters

/** An absolute link when PUBLIC_URL is set, else the path as given. */
export function linkFor(path: string, publicUrl: string | null | undefined): string {
  if (!publicUrl) return path;
  try {
    return new URL(path, publicUrl).href;
  } catch {
    return path;
  }
}

const clip = (s: string, max: number) => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s);
/** Slack mrkdwn: &, < and > must be escaped (a post could otherwise inject <!channel> or links). */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** DingTalk/WeCom markdown: neutralise link and tag syntax from member text with full-width look-alikes. */
const markdownSafe = (s: string) => s.replace(/\[/g, '［').replace(/\]/g, '］').replace(/</g, '＜').replace(/>/g, '＞');
const quoted = (s: string) => s.split('\n').map((line) => `> ${line}`).join('\n');

function headline(event: DeliveryEvent, notice: WebhookNotice): string {
  if (event === 'alert.escalated') return t(DEFAULT_LOCALE, 'webhook.escalated', { minutes: Math.round((notice.overdueSeconds ?? 0) / 60) });
  if (event === 'webhook.test') return t(DEFAULT_LOCALE, 'webhook.test');
  return t(DEFAULT_LOCALE, 'webhook.raised');
}

/** The request body a receiver of this format accepts for this notice. */
export function payloadFor(format: WebhookFormat, notice: WebhookNotice, publicUrl: string | null | undefined, event: DeliveryEvent): Record<string, unknown> {
  const link = linkFor(notice.path, publicUrl);
  const absolute = /^https?:\/\//.test(link);
  const head = headline(event, notice);
  const severity = t(DEFAULT_LOCALE, 'webhook.severity', { severity: notice.severity });
  const sla = t(DEFAULT_LOCALE, 'webhook.slaDue', { time: notice.slaDueAt });
  const open = t(DEFAULT_LOCALE, 'webhook.open');
  const summary = clip(notice.summary, SUMMARY_MAX);
  const title = clip(notice.title.replace(/\s+/g, ' '), 200);
  switch (format) {
    case 'slack': {
      const linkText = absolute ? `<${link}|${slackEscape(open)}>` : slackEscape(link);
      return {
        text: `[${head}] ${slackEscape(title)} (${severity})`,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `*${slackEscape(head)}: ${slackEscape(title)}*\n${slackEscape(summary)}` } },
          { type: 'context', elements: [{ type: 'mrkdwn', text: `${slackEscape(severity)} · ${notice.kind} · ${slackEscape(sla)} · ${linkText}` }] },
        ],
      };
    }
    case 'dingtalk': {
      const linkText = absolute ? `[${open}](${link})` : link;
      return {
        msgtype: 'markdown',
        markdown: {
          title: `${head}：${markdownSafe(title)}`,
          text: `### ${head}：${markdownSafe(title)}\n\n${quoted(markdownSafe(summary))}\n\n${severity} · ${notice.kind} · ${sla}\n\n${linkText}`,
        },
      };
    }
    case 'wecom': {
      const linkText = absolute ? `[${open}](${link})` : link;
      return {
        msgtype: 'markdown',
        markdown: {
          content: `### ${head}：${markdownSafe(title)}\n${quoted(markdownSafe(summary))}\n<font color="warning">${severity}</font> · ${notice.kind} · <font color="comment">${sla}</font>\n${linkText}`,
        },
      };
    }
    case 'generic':
      return { event, ...notice, url: link };
  }
}

// ---- signing --------------------------------------------------------------------------------

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the X-Resonance-Signature header. */
export function signatureHeader(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** DingTalk's 加签: urlencode(base64(HMAC-SHA256(secret, "<timestamp ms>\n<secret>"))). */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return encodeURIComponent(crypto.createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64'));
}

/** The robot URL with DingTalk's `timestamp` and `sign` query parameters appended. */
export function dingtalkSignedUrl(robotUrl: string, secret: string, timestampMs: number): string {
  const u = new URL(robotUrl);
  u.hash = '';
  const base = u.href.replace(/\?$/, '');
  return `${base}${u.search ? '&' : '?'}timestamp=${timestampMs}&sign=${dingtalkSign(secret, timestampMs)}`;
}
