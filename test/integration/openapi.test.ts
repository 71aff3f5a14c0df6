import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startServer, type TestServer } from '../support/server';
import { Client, type Reply } from '../support/client';
import { buildCategory, buildChapter, buildPost, buildThread, buildUser, type BuiltUser } from '../support/factories';

// js-yaml is installed (a dependency of mocha) but has no types here; this is all we use of it.
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(source: string): unknown };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: Schema }> }>;
}
interface Spec {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, { content?: Record<string, { schema?: Schema }> }> };
}

const spec = yaml.load(fs.readFileSync(path.join(root, 'server/openapi.yaml'), 'utf8')) as Spec;

/** Every (METHOD path) the spec documents, e.g. `GET /api/v1/threads/{id}`. */
function specOperations(): string[] {
  return Object.entries(spec.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`));
}

function resolveRef<T>(ref: string): T {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let node: unknown = spec;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
  if (node === undefined) throw new Error(`dangling $ref ${ref}`);
  return node as T;
}

/** The JSON schema the spec declares for one operation's response status (undefined when none). */
function responseSchema(method: string, specPath: string, status: number): Schema | undefined {
  const op = spec.paths[specPath]?.[method.toLowerCase() as (typeof METHODS)[number]];
  if (!op) throw new Error(`no ${method} ${specPath} in the spec`);
  let response = op.responses[String(status)];
  if (!response) throw new Error(`${method} ${specPath} does not document status ${status}`);
  if (response.$ref) response = resolveRef(response.$ref);
  return response.content?.['application/json']?.schema;
}

// The validator knows exactly the keywords the spec uses; an unknown one fails loudly rather
// than being silently ignored.
const KNOWN = new Set([
  '$ref', 'allOf', 'oneOf', 'type', 'properties', 'required', 'items', 'enum', 'additionalProperties', 'pattern',
  'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'format', 'default', 'description',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Validate value against the JSON Schema subset used by openapi.yaml; returns error strings. */
function validate(schema: Schema, value: unknown, at = '$'): string[] {
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) throw new Error(`validator does not support "${key}" (at ${at})`);
  if (schema.$ref) return validate(resolveRef<Schema>(schema.$ref as string), value, at);
  const errors: string[] = [];
  for (const sub of (schema.allOf as Schema[] | undefined) ?? []) errors.push(...validate(sub, value, at));
  if (schema.oneOf) {
    // Exactly one branch: a forum hit must not also pass as a staff hit, nor the other way round.
    const results = (schema.oneOf as Schema[]).map((sub) => validate(sub, value, at));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing !== 1) errors.push(`${at}: matches ${passing} of the oneOf branches (${results.map((r) => r[0] ?? 'ok').join(' | ')})`);
  }
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const allowed = ([] as string[]).concat(schema.type as string | string[]);
    const ok = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
    if (!ok) return [...errors, `${at}: expected ${allowed.join('|')}, got ${actual}`];
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern as string, 'u').test(value)) errors.push(`${at}: "${value}" does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && [...value].length < (schema.minLength as number)) errors.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && [...value].length > (schema.maxLength as number)) errors.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.format === 'date-time' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) errors.push(`${at}: "${value}" is not a date-time`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < (schema.minimum as number)) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > (schema.maximum as number)) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < (schema.minItems as number)) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > (schema.maxItems as number)) errors.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, i) => errors.push(...validate(schema.items as Schema, item, `${at}[${i}]`)));
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) errors.push(`${at}: missing required "${key}"`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(props)) if (key in obj) errors.push(...validate(sub, obj[key], `${at}.${key}`));
    if (schema.additionalProperties === false) for (const key of Object.keys(obj)) if (!(key in props)) errors.push(`${at}: unexpected "${key}"`);
  }
  return errors;
}

/** Assert a real reply is documented for this operation and its JSON body matches the schema. */
function expectConforms(method: string, specPath: string, reply: Reply) {
  const schema = responseSchema(method, specPath, reply.status);
  if (!schema) return;
  const errors = validate(schema, reply.body);
  expect(errors, `${method} ${specPath} ${reply.status}: ${JSON.stringify(reply.body).slice(0, 400)}`).to.deep.equal([]);
}

interface RouterLayer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
}

/** Walk Express 5's router tree (app.router.stack, nested routers) into `METHOD /path` strings. */
function routedOperations(stack: RouterLayer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const p of ([] as string[]).concat(layer.route.path)) {
        const full = (prefix + p).replace(/:(\w+)/g, '{$1}');
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push(`${method.toUpperCase()} ${full}`);
      }
    } else if (layer.handle.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...routedOperations(layer.handle.stack, prefix + mount));
    }
  }
  return out;
}

describe('OpenAPI document (server/openapi.yaml)', function () {
  let server: TestServer;
  let admin: BuiltUser;
  let member: BuiltUser;
  let values: Record<string, string>;

  before(async function () {
    server = await startServer();
    admin = await buildUser({ role: 'admin' });
    member = await buildUser();
    const chapter = await buildChapter();
    await buildCategory();
    const { thread } = await buildThread({ chapter, author: member });
    const { post } = await buildPost({ thread, author: member });
    values = { threadId: String(thread.id), postId: String(post.id), slug: chapter.slug, username: member.username };
  });

  after(async function () {
    await server?.close();
  });

  it('is OpenAPI 3.1 and every $ref resolves', function () {
    expect(spec.openapi).to.match(/^3\.1\./);
    const refs = JSON.stringify(spec).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).to.be.greaterThan(50);
    for (const r of refs) resolveRef(r.slice(8, -1));
  });

  it('lists exactly the error codes of server/errors.ts', function () {
    const source = fs.readFileSync(path.join(root, 'server/errors.ts'), 'utf8');
    const statusTable = /const statusOf[^{]*\{([^}]*)\}/.exec(source)![1];
    const codes = [...statusTable.matchAll(/(\w+):\s*\d{3}/g)].map((m) => m[1]);
    expect(codes).to.include('not_found');
    const enumCodes = ((spec.components.schemas.Error.properties as Record<string, Schema>).error.properties as Record<string, Schema>).code.enum;
    expect([...(enumCodes as string[])].sort()).to.deep.equal([...codes].sort());
  });

  it('documents only routes the server has, each answering with a documented status and body', async function () {
    this.timeout(60_000);
    // A throwaway admin session: the probe edits, deletes and finally logs out.
    const prober = await buildUser({ role: 'admin' });
    const { thread } = await buildThread({ author: prober });
    const { post } = await buildPost({ thread, author: prober });
    const fill: Record<string, string> = { slug: values.slug, username: values.username, decision: 'reject', tag: 'probe' };
    const client = new Client(server.url).withToken(prober.token);
    // Logout last: it revokes the token the other probes use.
    const ops = specOperations().sort((a, b) => Number(a.endsWith('/auth/logout')) - Number(b.endsWith('/auth/logout')));
    for (const op of ops) {
      const [method, specPath] = op.split(' ');
      const url = specPath.replace(/\{(\w+)\}/g, (_m, name: string) => {
        if (name === 'id') return specPath.startsWith('/api/v1/posts/') ? String(post.id) : String(thread.id);
        if (!fill[name]) throw new Error(`no value for {${name}} in ${op}`);
        return encodeURIComponent(fill[name]);
      });
      const reply = await client.request(method, url, method === 'GET' ? undefined : {});
      const routeMissing = reply.status === 404 && reply.body?.error?.message === 'Route not found';
      expect(routeMissing, `${op} is in the spec but not routed`).to.equal(false);
      expect(reply.status, `${op} -> ${reply.status} ${reply.text.slice(0, 200)}`).to.not.equal(500);
      expectConforms(method, specPath, reply);
    }
  });

  it('documents every route registered under /api/v1 (and /healthz, /metrics)', function () {
    const app = server.resonance.app as unknown as { router: { stack: RouterLayer[] } };
    const routed = [...new Set(routedOperations(app.router.stack))].filter((op) => / \/api\/v1\/|^GET \/(healthz|metrics)$/.test(op));
    expect(routed.length, 'walking the router found no API routes').to.be.greaterThan(20);
    const documented = new Set(specOperations());
    expect(routed.filter((op) => !documented.has(op)), 'routed but missing from openapi.yaml').to.deep.equal([]);
    expect(specOperations().filter((op) => !routed.includes(op)), 'in openapi.yaml but not routed').to.deep.equal([]);
  });

  it('describes real success responses: register, create thread, get thread, list chapters', async function () {
    const client = new Client(server.url);
    const registered = await client.post('/api/v1/auth/register', { username: `oa_${Date.now().toString(36)}`, password: 'correct horse battery', displayName: '规范测试' });
    expect(registered.status).to.equal(201);
    expectConforms('POST', '/api/v1/auth/register', registered);
    client.withToken(registered.body.token);

    await client.post(`/api/v1/chapters/${values.slug}/join`);
    const created = await client.post('/api/v1/threads', { title: '规范测试 OpenAPI', body: `你好 @${member.username}，**欢迎**！`, chapter: values.slug });
    expect(created.status).to.equal(201);
    expectConforms('POST', '/api/v1/threads', created);

    const reply = await client.post(`/api/v1/threads/${created.body.thread.id}/posts`, { body: '第二楼', replyTo: created.body.post.id });
    expect(reply.status).to.equal(201);
    expectConforms('POST', '/api/v1/threads/{id}/posts', reply);

    const got = await client.get(`/api/v1/threads/${created.body.thread.id}`);
    expect(got.status).to.equal(200);
    expect(got.body.posts).to.have.length(2);
    expectConforms('GET', '/api/v1/threads/{id}', got);

    const chapters = await client.get('/api/v1/chapters');
    expect(chapters.status).to.equal(200);
    expect(chapters.body.items.length).to.be.greaterThan(0);
    expectConforms('GET', '/api/v1/chapters', chapters);

    const me = await client.get('/api/v1/me');
    expectConforms('GET', '/api/v1/me', me);
    const health = await client.get('/healthz');
    expectConforms('GET', '/healthz', health);
  });

  it('describes real profile responses: the profile, its tabs, and the bio and privacy on /me', async () => {
    const client = new Client(server.url);
    const registered = await client.post('/api/v1/auth/register', { username: `oa_p_${Date.now().toString(36)}`, password: 'correct horse battery' });
    client.withToken(registered.body.token);
    const name = registered.body.user.username as string;
    const created = await client.post('/api/v1/threads', { title: '规范测试 个人主页', body: '一楼' });
    await client.post(`/api/v1/threads/${created.body.thread.id}/posts`, { body: '二楼' });
    await client.post(`/api/v1/threads/${created.body.thread.id}/posts`, { body: '三楼' });
    const patched = await client.patch('/api/v1/me', { bio: '规范测试简介', privacy: { hideLikes: true } });
    expect(patched.status).to.equal(200);
    expectConforms('PATCH', '/api/v1/me', patched);
    expectConforms('GET', '/api/v1/me', await client.get('/api/v1/me'));
    for (const viewer of [client, new Client(server.url)]) {
      const profile = await viewer.get(`/api/v1/users/${name}`);
      expect(profile.status).to.equal(200);
      expectConforms('GET', '/api/v1/users/{username}', profile);
    }
    const replies = await client.get(`/api/v1/users/${name}/replies?limit=1`);
    expect(replies.body.next).to.be.a('string');
    expectConforms('GET', '/api/v1/users/{username}/replies', replies);
    expectConforms('GET', '/api/v1/users/{username}/threads', await client.get(`/api/v1/users/${name}/threads`));
    expectConforms('GET', '/api/v1/users/{username}/likes', await client.get(`/api/v1/users/${name}/likes`));
    const hidden = await new Client(server.url).get(`/api/v1/users/${name}/likes`);
    expect(hidden.status).to.equal(404);
    expectConforms('GET', '/api/v1/users/{username}/likes', hidden);
  });

  it('describes search for everyone: forum hits for visitors and members, listening hits for staff', async function () {
    await server.resonance.dispatcher.drain();
    const staff = new Client(server.url).withToken(admin.token);
    const replies: Array<[string, Reply]> = [
      ['anonymous', await new Client(server.url).get('/api/v1/search?limit=5')],
      ['member', await new Client(server.url).withToken(member.token).get('/api/v1/search?type=post&limit=5')],
      ['staff', await staff.get('/api/v1/search?limit=5')],
    ];
    for (const [who, reply] of replies) {
      expect(reply.status, who).to.equal(200);
      expect(reply.body.items.length, `${who} finds something`).to.be.greaterThan(0);
      expectConforms('GET', '/api/v1/search', reply);
    }
    expect(replies[0][1].body.items[0]).to.not.have.property('sentiment');
    expect(replies[2][1].body.items[0]).to.have.property('sentiment');
    expectConforms('GET', '/api/v1/search', await new Client(server.url).withToken(member.token).get('/api/v1/search?sentiment=negative'));
    expectConforms('GET', '/api/v1/search', await new Client(server.url).get('/api/v1/search?limit=0'));
  });

  it('describes private messages: start, list, read, send, report, block', async function () {
    const other = await buildUser();
    const client = new Client(server.url).withToken(member.token);
    const started = await client.post('/api/v1/conversations', { to: [other.username], body: '你好，**私信**' });
    expect(started.status, started.text).to.equal(201);
    expectConforms('POST', '/api/v1/conversations', started);
    const id = started.body.conversation.id as string;
    const sent = await new Client(server.url).withToken(other.token).post(`/api/v1/conversations/${id}/messages`, { body: '收到' });
    expectConforms('POST', '/api/v1/conversations/{id}/messages', sent);
    const list = await client.get('/api/v1/conversations');
    expectConforms('GET', '/api/v1/conversations', list);
    expect(list.body.items[0].lastMessage.body).to.equal('收到');
    expectConforms('GET', '/api/v1/conversations/{id}', await client.get(`/api/v1/conversations/${id}`));
    const report = await client.post(`/api/v1/conversations/${id}/report`, { reason: '测试举报', messageId: sent.body.message.id });
    expect(report.status).to.equal(201);
    expectConforms('POST', '/api/v1/conversations/{id}/report', report);
    expectConforms('GET', '/api/v1/reported-conversations', await new Client(server.url).withToken(admin.token).get('/api/v1/reported-conversations'));
    expectConforms('GET', '/api/v1/conversations/{id}', await new Client(server.url).withToken(admin.token).get(`/api/v1/conversations/${id}`));
    expectConforms('POST', '/api/v1/users/{username}/block', await client.post(`/api/v1/users/${other.username}/block`));
    expectConforms('GET', '/api/v1/me/blocks', await client.get('/api/v1/me/blocks'));
    await server.resonance.dispatcher.drain();
    const notes = await new Client(server.url).withToken(other.token).get('/api/v1/notifications');
    expect(notes.body.items.map((n: { kind: string }) => n.kind)).to.include('message');
    expectConforms('GET', '/api/v1/notifications', notes);
  });

  it('describes real error responses with their documented statuses', async function () {
    // A fresh client per request: a cookie jar holding rs_csrf would make POSTs need a CSRF token.
    const anonymous = () => new Client(server.url);
    const cases: Array<[string, string, Reply]> = [
      ['GET', '/api/v1/threads/{id}', await anonymous().get('/api/v1/threads/999999')],
      ['GET', '/api/v1/me', await anonymous().get('/api/v1/me')],
      ['POST', '/api/v1/auth/register', await anonymous().post('/api/v1/auth/register', { username: 'No Spaces!', password: 'correct horse battery' })],
      ['POST', '/api/v1/auth/register', await anonymous().post('/api/v1/auth/register', { username: member.username, password: 'correct horse battery' })],
      ['POST', '/api/v1/chapters', await new Client(server.url).withToken(member.token).post('/api/v1/chapters', { slug: 'nope', name: 'x', city: 'y', visibility: 'public' })],
    ];
    expect(cases.map(([, , r]) => r.status)).to.deep.equal([404, 401, 400, 409, 403]);
    for (const [method, specPath, reply] of cases) {
      expectConforms(method, specPath, reply);
      expect(validate(spec.components.schemas.Error, reply.body)).to.deep.equal([]);
    }
    expect(validate(spec.components.schemas.Error, { error: { code: 'oops', message: 'x' } })).to.have.length(1);
  });

  // The spec (and CONTRACT.md) promise `{error:{code,message}}` for every /api/v1 error, also
  // for those raised by app-level middleware before the API router: CSRF, body parsing, size.
  it('answers JSON errors for CSRF, malformed and oversized bodies under /api/v1', async function () {
    const cases: Array<[string, string, Reply, number]> = [
      ['POST', '/api/v1/posts/{id}/like', await new Client(server.url).post(`/api/v1/posts/${values.postId}/like`, {}, { cookie: `rs_session=${member.token}` }), 403],
      ['POST', '/api/v1/auth/login', await new Client(server.url).post('/api/v1/auth/login', '{"username":'), 400],
      ['POST', '/api/v1/threads', await new Client(server.url).withToken(member.token).post('/api/v1/threads', { title: 'x', body: 'y'.repeat(200_000) }), 413],
    ];
    const wrong = cases
      .filter(([, , reply, status]) => reply.status !== status || !(reply.headers.get('content-type') ?? '').includes('application/json'))
      .map(([method, specPath, reply, status]) => `${method} ${specPath}: expected JSON ${status}, got ${reply.status} ${reply.headers.get('content-type')}`);
    expect(wrong).to.deep.equal([]);
    for (const [method, specPath, reply] of cases) expectConforms(method, specPath, reply);
  });
});
