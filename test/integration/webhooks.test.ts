/**
 * Outbound webhooks against a real receiver on 127.0.0.1: retries with backoff until it answers,
 * the formats DingTalk, WeCom and Slack accept, HMAC and DingTalk 加签 signatures, filtering,
 * idempotency, the admin-only API, and the secret kept out of every response and log line.
 * Alert events are recorded directly (the alert rules are another module's job).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client, type Reply } from '../support/client';
import { buildUser, type BuiltUser } from '../support/factories';
import { waitFor } from '../support/wait';
import { withTransaction } from '../../server/db';
import { fromRow, outboxAfter, recordEvents, type AlertNotice, type StoredEvent } from '../../server/events';
import { AuditEntry, OutboxEvent, Webhook, WebhookDelivery } from '../../server/models';
import { webhookProcessor } from '../../server/workers/webhooks';

const PUBLIC_URL = 'https://community.example.com';
const SECRET = 'whsec-Top5ecret-never-shown';
const DING_SECRET = 'SEC0123456789abcdef-ding-secret';
const DING_TOKEN = 'ding-access-token-9f8e7d';
const WECOM_KEY = 'wecom-key-693a91f6-7aoc';

interface Received {
  path: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The delivery row as it stood when this request arrived (the sender awaits our answer). */
  row: WebhookDelivery | null;
}
type Answer = { status: number; body: string };

/** A local HTTP receiver: scripted answers per path, every request recorded. */
async function startReceiver() {
  const received: Received[] = [];
  const scripts = new Map<string, Answer[]>();
  const fallback = new Map<string, Answer>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      const deliveryId = Number(req.headers['x-resonance-delivery']);
      const row = deliveryId ? await WebhookDelivery.findByPk(deliveryId) : null;
      received.push({ path: url.pathname, url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), row });
      const answer = scripts.get(url.pathname)?.shift() ?? fallback.get(url.pathname) ?? { status: 200, body: 'ok' };
      res.writeHead(answer.status, { 'content-type': answer.body.startsWith('{') ? 'application/json' : 'text/plain' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    at: (path: string) => received.filter((r) => r.path === path),
    /** Answer the next requests to path with these, then with `then` (default 200 ok). */
    script(path: string, answers: Answer[], then?: Answer) {
      scripts.set(path, [...answers]);
      if (then) fallback.set(path, then);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Capture the server's JSON log lines (LOG_LEVEL=debug) instead of printing them. */
function captureLogs() {
  const lines: string[] = [];
  const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const hook = (original: typeof process.stdout.write) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{"t":"')) {
        lines.push(text);
        return true;
      }
      return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = hook(originals.out);
  process.stderr.write = hook(originals.err);
  return {
    lines,
    restore() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

let alertSeq = 0;
/** A notice as the alert desk would write it. */
function notice(severity: number, extra: Partial<AlertNotice> = {}): AlertNotice {
  alertSeq += 1;
  return {
    alertId: 1000 + alertSeq,
    kind: 'watchword',
    severity,
    title: `关键词预警：起火 #${alertSeq}`,
    summary: '车主反映充电时电池冒烟，疑似起火 <!channel> [点我](http://evil.example)',
    path: `/desk#alert-${1000 + alertSeq}`,
    chapterId: null,
    slaDueAt: '2026-12-01T12:00:00.000Z',
    ...extra,
  };
}

/** Record an alert event as the desk's writer would; returns its outbox id. */
async function record(type: 'alert.raised' | 'alert.escalated', n: AlertNotice): Promise<number> {
  await withTransaction((t) => (type === 'alert.raised' ? recordEvents(t, { type, ...n }) : recordEvents(t, { type, overdueSeconds: 600, ...n })));
  return (await OutboxEvent.max('id')) as number;
}

const hmac = (secret: string, data: string, encoding: 'hex' | 'base64') => crypto.createHmac('sha256', secret).update(data).digest(encoding);
/** What a receiver does: recompute over the raw body, compare in constant time. */
function verifies(r: Received, secret: string): boolean {
  const expected = Buffer.from(`sha256=${hmac(secret, `${r.headers['x-resonance-timestamp']}.${r.body}`, 'hex')}`);
  const given = Buffer.from(String(r.headers['x-resonance-signature'] ?? ''));
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

describe('outbound webhooks (alert desk)', function () {
  this.timeout(60_000);
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let logs: ReturnType<typeof captureLogs>;
  let admin: Client;
  const replies: Reply[] = [];
  const env = { PUBLIC_URL, LOG_LEVEL: 'debug', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_RETRY_MAX_MS: '2000', WEBHOOK_MAX_ATTEMPTS: '8', WEBHOOK_TIMEOUT_MS: '2000' };

  /** An admin API call whose reply is kept for the "secret never in a response" check. */
  async function api(method: string, path: string, body?: unknown, as: Client = admin): Promise<Reply> {
    const reply = await as.request(method, `/api/v1${path}`, body);
    replies.push(reply);
    return reply;
  }
  async function createHook(input: Record<string, unknown>): Promise<string> {
    const res = await api('POST', '/webhooks', input);
    expect(res.status, res.text).to.equal(201);
    return res.body.webhook.id as string;
  }
  const deliveriesOf = (eventId: number) => WebhookDelivery.findAll({ where: { eventId }, order: [['webhookId', 'ASC']] });

  before(async () => {
    logs = captureLogs();
    receiver = await startReceiver();
    server = await startServer(env);
    admin = new Client(server.url).withToken((await buildUser({ role: 'admin' })).token);
  });
  // A failed test must not leave webhooks behind to receive the next test's events.
  afterEach(async () => {
    await Webhook.destroy({ where: {} });
  });
  after(async () => {
    await server?.close();
    await receiver?.close();
    logs?.restore();
  });

  it('retries a failing receiver with growing backoff until it answers 2xx, signing every attempt', async () => {
    receiver.script('/generic', [{ status: 500, body: 'down' }, { status: 500, body: 'still down' }]);
    const id = await createHook({ name: '值班群 (generic)', format: 'generic', url: `${receiver.base}/generic`, secret: SECRET, events: ['alert.raised'], minSeverity: 3 });
    const n = notice(7);
    const eventId = await record('alert.raised', n);

    await waitFor(async () => (await deliveriesOf(eventId))[0]?.status === 'delivered', 'delivery after two failures');
    const [d] = await deliveriesOf(eventId);
    expect(d.attempts).to.equal(3);
    expect(d.lastStatusCode).to.equal(200);
    expect(d.lastError).to.equal(null);
    expect(d.nextAttemptAt).to.equal(null);
    expect(d.deliveredAt).to.be.instanceOf(Date);

    const requests = receiver.at('/generic');
    expect(requests).to.have.length(3);
    // The log as each attempt found it: pending after each failure, with the retry scheduled.
    const [first, second, third] = requests.map((r) => r.row!);
    expect(first.attempts).to.equal(0);
    expect([second.status, second.attempts, second.lastStatusCode, second.lastError]).to.deep.equal(['pending', 1, 500, 'HTTP 500: down']);
    expect([third.status, third.attempts, third.lastStatusCode]).to.deep.equal(['pending', 2, 500]);
    // Backoff by the stored schedule, not by a clock: each retry is due after its attempt, is
    // not sent before it is due, and waits at least as long as the one before.
    const wait1 = second.nextAttemptAt!.getTime() - second.lastAttemptAt!.getTime();
    const wait2 = third.nextAttemptAt!.getTime() - third.lastAttemptAt!.getTime();
    expect(wait1).to.be.greaterThan(0);
    expect(wait2).to.be.at.least(wait1);
    expect(third.lastAttemptAt!.getTime()).to.be.at.least(second.nextAttemptAt!.getTime());
    expect(d.lastAttemptAt!.getTime()).to.be.at.least(third.nextAttemptAt!.getTime());

    for (const r of requests) {
      expect(verifies(r, SECRET), 'X-Resonance-Signature verifies with the secret').to.equal(true);
      expect(verifies(r, 'another-secret')).to.equal(false);
      expect(r.headers['x-resonance-event']).to.equal('alert.raised');
      expect(r.headers['x-resonance-delivery']).to.equal(String(d.id));
      expect(r.headers['content-type']).to.match(/^application\/json/);
    }
    expect(JSON.parse(requests[0].body)).to.deep.equal({ event: 'alert.raised', ...n, url: `${PUBLIC_URL}${n.path}` });

    const log = await api('GET', `/webhooks/${id}/deliveries?limit=10`);
    expect(log.status).to.equal(200);
    expect(log.body.items).to.have.length(1);
    expect(log.body.items[0]).to.include({ id: String(d.id), eventId: String(eventId), eventType: 'alert.raised', status: 'delivered', attempts: 3, lastStatusCode: 200 });
    expect((await api('DELETE', `/webhooks/${id}`)).status).to.equal(204);
    expect(await WebhookDelivery.count({ where: { eventId } }), 'the log goes with its webhook').to.equal(0);
  });

  it('sends the bodies Slack, DingTalk (with 加签) and WeCom accept, and treats errcode ≠ 0 as a failure', async () => {
    receiver.script('/ding/robot/send', [], { status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    receiver.script('/cgi-bin/webhook/send', [{ status: 200, body: '{"errcode":45009,"errmsg":"api freq out of limit"}' }], { status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    const slack = await createHook({ name: 'Slack #pr', format: 'slack', url: `${receiver.base}/services/T000/B000/slacktoken` });
    const ding = await createHook({ name: '钉钉 公关群', format: 'dingtalk', url: `${receiver.base}/ding/robot/send?access_token=${DING_TOKEN}`, secret: DING_SECRET });
    const wecom = await createHook({ name: '企业微信 值班群', format: 'wecom', url: `${receiver.base}/cgi-bin/webhook/send?key=${WECOM_KEY}` });
    const n = notice(9);
    const eventId = await record('alert.escalated', n);
    await waitFor(async () => (await deliveriesOf(eventId)).filter((d) => d.status === 'delivered').length === 3, 'three deliveries');

    const [s] = receiver.at('/services/T000/B000/slacktoken');
    const slackBody = JSON.parse(s.body);
    expect(slackBody.text).to.be.a('string').and.include(n.title);
    expect(slackBody.blocks.map((b: { type: string }) => b.type)).to.deep.equal(['section', 'context']);
    expect(slackBody.blocks[0].text.type).to.equal('mrkdwn');
    expect(slackBody.blocks[0].text.text).to.include('&lt;!channel&gt;').and.not.include('<!channel>');
    expect(slackBody.blocks[1].elements[0].type).to.equal('mrkdwn');
    expect(slackBody.blocks[1].elements[0].text).to.include(`<${PUBLIC_URL}${n.path}|`);
    expect(s.headers['x-resonance-signature'], 'no secret, no signature').to.equal(undefined);
    expect(s.headers['x-resonance-event']).to.equal('alert.escalated');

    const [dr] = receiver.at('/ding/robot/send');
    expect(dr.url.searchParams.get('access_token')).to.equal(DING_TOKEN);
    const timestamp = dr.url.searchParams.get('timestamp')!;
    expect(timestamp).to.match(/^\d{13}$/);
    // DingTalk's check: base64(HMAC-SHA256(secret, "timestamp\nsecret")), urlencoded in the query.
    expect(dr.url.searchParams.get('sign')).to.equal(hmac(DING_SECRET, `${timestamp}\n${DING_SECRET}`, 'base64'));
    expect(verifies(dr, DING_SECRET)).to.equal(true);
    const dingBody = JSON.parse(dr.body);
    expect(dingBody.msgtype).to.equal('markdown');
    expect(Object.keys(dingBody.markdown).sort()).to.deep.equal(['text', 'title']);
    expect(dingBody.markdown.text).to.include(n.title.replace(/\s+/g, ' ')).and.include(`(${PUBLIC_URL}${n.path})`);
    expect(dingBody.markdown.text).to.include('10 分钟').and.not.include('[点我]');

    const w = receiver.at('/cgi-bin/webhook/send');
    expect(w).to.have.length(2);
    const wecomBody = JSON.parse(w[0].body);
    expect(wecomBody.msgtype).to.equal('markdown');
    expect(Object.keys(wecomBody.markdown)).to.deep.equal(['content']);
    expect(wecomBody.markdown.content).to.include(n.title);
    expect(w[1].row!.lastError).to.equal('errcode 45009: api freq out of limit');
    expect(w[1].row!.lastStatusCode).to.equal(200);
    const [, , wecomDelivery] = await deliveriesOf(eventId);
    expect(wecomDelivery.attempts).to.equal(2);

    for (const id of [slack, ding, wecom]) expect((await api('DELETE', `/webhooks/${id}`)).status).to.equal(204);
  });

  it('delivers only the events and severities a webhook asks for, and nothing to inactive ones', async () => {
    const escalationsOnly = await createHook({ name: 'escalations', format: 'generic', url: `${receiver.base}/esc`, events: ['alert.escalated'] });
    const severeOnly = await createHook({ name: 'severe', format: 'generic', url: `${receiver.base}/severe`, minSeverity: 8 });
    const paused = await createHook({ name: 'paused', format: 'generic', url: `${receiver.base}/paused`, active: false });
    const raisedMild = await record('alert.raised', notice(5));
    const raisedSevere = await record('alert.raised', notice(8));
    const escalatedMild = await record('alert.escalated', notice(2));
    await server.resonance.dispatcher.drain();
    const targets = async (eventId: number) => (await deliveriesOf(eventId)).map((d) => String(d.webhookId));
    expect(await targets(raisedMild)).to.deep.equal([]);
    expect(await targets(raisedSevere)).to.deep.equal([severeOnly]);
    expect(await targets(escalatedMild)).to.deep.equal([escalationsOnly]);
    await waitFor(async () => (await WebhookDelivery.count({ where: { status: 'pending' } })) === 0, 'queued deliveries sent');
    expect(receiver.at('/paused')).to.have.length(0);
    // A webhook switched off stops receiving.
    expect((await api('PATCH', `/webhooks/${severeOnly}`, { active: false })).body.webhook.active).to.equal(false);
    const afterPause = await record('alert.raised', notice(10));
    await server.resonance.dispatcher.drain();
    expect(await targets(afterPause)).to.deep.equal([]);
    for (const id of [escalationsOnly, severeOnly, paused]) await api('DELETE', `/webhooks/${id}`);
  });

  it('processes the same event twice into one delivery, sent once', async () => {
    const id = await createHook({ name: 'idempotent', format: 'generic', url: `${receiver.base}/once` });
    const eventId = await record('alert.raised', notice(6));
    await waitFor(async () => (await deliveriesOf(eventId))[0]?.status === 'delivered', 'first delivery');
    const [row] = await outboxAfter(eventId - 1, 1);
    const event = fromRow(row) as StoredEvent<'alert.raised'>;
    const again = webhookProcessor({ kick: () => server.resonance.webhookSender.kick() }, PUBLIC_URL);
    await again.handle!(event);
    await again.handle!(event);
    server.resonance.webhookSender.kick();
    await server.resonance.dispatcher.drain();
    const deliveries = await deliveriesOf(eventId);
    expect(deliveries).to.have.length(1);
    expect([deliveries[0].status, deliveries[0].attempts]).to.deep.equal(['delivered', 1]);
    expect(receiver.at('/once')).to.have.length(1);
    await api('DELETE', `/webhooks/${id}`);
  });

  it('sends a test notice on request, once, and logs the outcome', async () => {
    receiver.script('/test-fail', [], { status: 500, body: 'nope' });
    const ok = await createHook({ name: 'test ok', format: 'dingtalk', url: `${receiver.base}/test-ok?access_token=${DING_TOKEN}`, secret: DING_SECRET });
    receiver.script('/test-ok', [], { status: 200, body: '{"errcode":0,"errmsg":"ok"}' });
    const sent = await api('POST', `/webhooks/${ok}/test`);
    expect(sent.status, sent.text).to.equal(200);
    expect(sent.body.delivery).to.include({ eventType: 'webhook.test', status: 'delivered', attempts: 1, eventId: null });
    const [r] = receiver.at('/test-ok');
    expect(r.headers['x-resonance-event']).to.equal('webhook.test');
    expect(JSON.parse(r.body).markdown.title).to.include('测试');

    const failing = await createHook({ name: 'test fail', format: 'generic', url: `${receiver.base}/test-fail` });
    const failed = await api('POST', `/webhooks/${failing}/test`);
    expect(failed.body.delivery).to.include({ status: 'failed', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500: nope' });
    expect(receiver.at('/test-fail'), 'a test send is not retried').to.have.length(1);
    expect((await api('POST', '/webhooks/999999/test')).status).to.equal(404);
    for (const id of [ok, failing]) await api('DELETE', `/webhooks/${id}`);
  });

  it('is for admins only: members, PR and moderators get 403, anonymous 401', async () => {
    const id = await createHook({ name: 'guarded', format: 'generic', url: `${receiver.base}/guarded`, secret: SECRET });
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/webhooks'],
      ['POST', '/webhooks', { name: 'x', format: 'generic', url: `${receiver.base}/x` }],
      ['PATCH', `/webhooks/${id}`, { active: false }],
      ['DELETE', `/webhooks/${id}`],
      ['GET', `/webhooks/${id}/deliveries`],
      ['POST', `/webhooks/${id}/test`, {}],
    ];
    const people: Array<[string, BuiltUser | null]> = [
      ['member', await buildUser()],
      ['pr', await buildUser({ role: 'pr' })],
      ['moderator', await buildUser({ role: 'moderator' })],
      ['anonymous', null],
    ];
    for (const [who, user] of people) {
      const client = new Client(server.url).withToken(user?.token ?? null);
      for (const [method, path, body] of calls) {
        const res = await api(method, path, body, client);
        expect(res.status, `${who} ${method} ${path}`).to.equal(user ? 403 : 401);
        expect(res.body.error.code).to.equal(user ? 'forbidden' : 'unauthenticated');
      }
    }
    expect(receiver.at('/guarded')).to.have.length(0);
    expect(await AuditEntry.count({ where: { action: 'webhook.update', subjectId: id } })).to.equal(0);
    await api('DELETE', `/webhooks/${id}`);
  });

  it('refuses bad input with 400 validation_failed naming the field', async () => {
    const good = { name: 'ok', format: 'generic', url: `${receiver.base}/ok` };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...good, format: 'teams' }, 'format'],
      [{ ...good, url: 'ftp://example.com/hook' }, 'url'],
      [{ ...good, url: 'https://user:pass@example.com/hook' }, 'url'],
      [{ ...good, url: 'not a url' }, 'url'],
      [{ ...good, minSeverity: 11 }, 'minSeverity'],
      [{ ...good, minSeverity: 0 }, 'minSeverity'],
      [{ ...good, events: ['post.created'] }, 'events'],
      [{ ...good, events: [] }, 'events'],
      [{ ...good, events: ['alert.raised', 'alert.raised'] }, 'events'],
      [{ ...good, secret: 'short' }, 'secret'],
      [{ ...good, name: '' }, 'name'],
      [{ ...good, extra: true }, 'body'],
      [{ name: 'no url', format: 'generic' }, 'url'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '/webhooks', body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.code).to.equal('validation_failed');
      expect(res.body.error.field, JSON.stringify(body)).to.match(new RegExp(`^${field}(\\.|$)`));
    }
    expect((await api('PATCH', '/webhooks/abc', { active: true })).status).to.equal(400);
    expect((await api('PATCH', '/webhooks/999999', { active: true })).status).to.equal(404);
    expect((await api('GET', '/webhooks/1/deliveries?limit=0')).status).to.equal(400);
    expect((await api('GET', '/webhooks')).body.items).to.deep.equal([]);
  });

  it('keeps secrets and robot keys out of every response, the audit log and the server log', async () => {
    receiver.script('/leaky/robot/send', [{ status: 200, body: JSON.stringify({ errcode: 310000, errmsg: `sign not match for ${DING_SECRET} access_token=${DING_TOKEN}` }) }], { status: 200, body: '{"errcode":0}' });
    const created = await api('POST', '/webhooks', { name: 'leaky', format: 'dingtalk', url: `${receiver.base}/leaky/robot/send?access_token=${DING_TOKEN}`, secret: DING_SECRET });
    expect(created.body.webhook).to.include({ hasSecret: true, endpoint: `${receiver.base}/…` });
    expect(created.body.webhook).to.not.have.property('secret');
    expect(created.body.webhook).to.not.have.property('url');
    const id = created.body.webhook.id as string;
    const eventId = await record('alert.raised', notice(4));
    await waitFor(async () => (await deliveriesOf(eventId))[0]?.status === 'delivered', 'delivery after a robot error');
    const second = receiver.at('/leaky/robot/send')[1].row!;
    expect(second.lastError).to.match(/^errcode 310000: sign not match for \[redacted\]/);
    await api('GET', `/webhooks/${id}/deliveries`);
    await api('GET', '/webhooks');
    expect((await api('PATCH', `/webhooks/${id}`, { secret: null })).body.webhook.hasSecret).to.equal(false);
    await api('DELETE', `/webhooks/${id}`);

    const audits = await AuditEntry.findAll({ where: { subjectType: 'webhook' } });
    expect(audits.length).to.be.greaterThan(5);
    const everything = [...replies.map((r) => r.text), ...audits.map((a) => JSON.stringify(a.data)), ...(await WebhookDelivery.findAll()).map((d) => String(d.lastError))];
    const logLines = logs.lines.filter((l) => l.includes('webhook'));
    expect(logLines.length, 'the sender logged its attempts').to.be.greaterThan(3);
    for (const leak of [SECRET, DING_SECRET, DING_TOKEN, WECOM_KEY, 'slacktoken']) {
      expect(everything.filter((t) => t.includes(leak)), `${leak} in a response or the audit log`).to.deep.equal([]);
      expect(logs.lines.filter((l) => l.includes(leak)), `${leak} in the log`).to.deep.equal([]);
    }
    expect(logLines.some((l) => l.includes('"host":"127.0.0.1:')), 'logs name the host').to.equal(true);
  });

  it('resumes pending deliveries after a restart (the schedule lives in the table)', async () => {
    receiver.script('/restart', [], { status: 503, body: 'maintenance' });
    await createHook({ name: 'restart', format: 'generic', url: `${receiver.base}/restart`, secret: SECRET });
    const eventId = await record('alert.raised', notice(5));
    await waitFor(async () => (await deliveriesOf(eventId))[0]?.attempts >= 1, 'a first failed attempt');
    const dataDir = server.dataDir;
    await server.close({ keepData: true });
    receiver.script('/restart', [], { status: 204, body: '' });
    server = await startServer({ ...env, DATA_DIR: dataDir });
    await waitFor(async () => (await deliveriesOf(eventId))[0]?.status === 'delivered', 'delivery after the restart');
    const [d] = await deliveriesOf(eventId);
    expect(d.attempts).to.be.at.least(2).and.at.most(8);
    expect(d.lastStatusCode).to.equal(204);
  });
});
