/**
 * The opinion console routes (server/routes/api/opinion.ts) on the embedded backend AND on real
 * Elasticsearch. The router is mounted on a small Express app with the real authentication and
 * error middleware (the main app mounts it itself), on a real database from startServer().
 */
import { expect } from 'chai';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { startServer, type TestServer } from '../support/server';
import { buildChapter, buildUser, type BuiltUser } from '../support/factories';
import { requireElasticsearch } from '../support/elasticsearch';
import { authentication } from '../../server/middleware/auth';
import { apiErrors } from '../../server/middleware/errors';
import { NotFound } from '../../server/errors';
import { opinionApi } from '../../server/routes/api/opinion';
import type { HttpDeps } from '../../server/routes/deps';
import type { SearchService } from '../../server/search';
import type { SearchBackend, SearchDocument } from '../../search/backend';
import { makeDocument } from '../../search/documents';
import { createEmbeddedBackend } from '../../search/embedded';
import { createElasticsearchBackend } from '../../search/elasticsearch';
import { defaultBaselineFrom } from '../../search/significance';

const MIN = 60_000;
const W = Date.parse('2024-06-01T12:00:00.000Z');
const WATCH = [{ key: 'brand', terms: ['小米', 'Xiaomi'] }, { key: 'rival', terms: ['蔚来'] }];
const KOLS = [{ source: 'weibo', author: 'kola' }];

function serviceFor(backend: SearchBackend): SearchService {
  return { backend, ready: () => backend.init(), healthy: () => backend.ping(), close: () => backend.close() };
}

/** The corpus: texts crafted to test CSV quoting and the formula guard. */
function corpus(secretChapterId: number): SearchDocument[] {
  const doc = (i: number, text: string, more: Partial<SearchDocument> = {}) =>
    makeDocument({
      id: `${more.kind ?? 'post'}:o${i}`, text, createdAt: new Date(W + i * MIN).toISOString(),
      keywords: ['续航'], sentiment: { label: 'negative', score: -0.5, confidence: 0.9 }, ...more,
    });
  return [
    doc(0, '=HYPERLINK("http://evil.example","点我") 小米', { kind: 'mention', source: 'weibo', author: 'kola' }),
    doc(1, '+1 小米, "续航" 不错\n第二行', { kind: 'mention', source: 'douyin', author: '@bob', sentiment: { label: 'positive', score: 0.5, confidence: 0.9 } }),
    doc(2, '-2 蔚来 还行', { chapter: 'su7', chapterId: 1, author: 'carol', sentiment: { label: 'neutral', score: 0, confidence: 0.9 } }),
    doc(3, '私密 小米', { chapter: 'secret', chapterId: secretChapterId, author: 'dave' }),
    doc(4, '小米 新词', { kind: 'mention', source: 'weibo', author: 'kola', keywords: ['新词'] }),
    makeDocument({ id: 'post:old', text: '很久以前', createdAt: new Date(W - 30 * 24 * 60 * MIN).toISOString() }),
  ];
}

for (const which of ['embedded', 'elasticsearch'] as const) {
  describe(`opinion API (${which})`, function () {
    let server: TestServer;
    let backend: SearchBackend;
    let api: http.Server;
    let base = '';
    let cappedBase = '';
    let dir = '';
    let admin: BuiltUser;
    let member: BuiltUser;
    let secretId = 0;

    const get = async (p: string, who: BuiltUser | null = admin) => {
      const res = await fetch(base + p, { headers: who ? { authorization: `Bearer ${who.token}` } : {} });
      const bytes = Buffer.from(await res.arrayBuffer());
      const text = bytes.toString('utf8');
      const json = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined;
      return { status: res.status, headers: res.headers, bytes, text, json };
    };
    const range = `from=${new Date(W).toISOString()}&to=${new Date(W + 60 * MIN).toISOString()}`;

    before(async function () {
      this.timeout(Math.max(this.timeout(), 180_000));
      if (which === 'elasticsearch') {
        const es = await requireElasticsearch(this);
        backend = createElasticsearchBackend({ node: es.url, indexPrefix: `test_${crypto.randomBytes(6).toString('hex')}` });
      } else {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-opinion-'));
        backend = createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') });
      }
      server = await startServer();
      admin = await buildUser({ role: 'admin' });
      member = await buildUser();
      secretId = (await buildChapter({ visibility: 'private' })).id;
      await backend.init();
      await backend.reset();
      await backend.index(corpus(secretId));

      const app = express();
      app.use(authentication());
      const router = express.Router();
      router.use(opinionApi({ config: server.resonance.config } as HttpDeps, serviceFor(backend), { kolAuthors: async () => KOLS, watchLists: async () => WATCH }));
      router.use(() => {
        throw NotFound('Route');
      });
      router.use(apiErrors());
      app.use('/api/v1', router);
      api = http.createServer(app);
      await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
      const capped = express.Router();
      capped.use(opinionApi({ config: server.resonance.config } as HttpDeps, serviceFor(backend), { exportMaxRows: 3 }));
      capped.use(apiErrors());
      app.use('/capped/api/v1', capped);
      cappedBase = '/capped';
    });

    after(async function () {
      await new Promise((resolve) => api?.close(resolve));
      if (backend) {
        await backend.reset().catch(() => {});
        await backend.close();
      }
      await server?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('refuses anonymous callers (401) and members (403)', async () => {
      expect((await get(`/api/v1/opinion/summary?${range}`, null)).status).to.equal(401);
      const r = await get(`/api/v1/opinion/summary?${range}`, member);
      expect(r.status).to.equal(403);
      expect(r.json.error.code).to.equal('forbidden');
      expect((await get(`/api/v1/opinion/export.csv?${range}`, member)).status).to.equal(403);
    });

    it('answers 400 validation_failed for every bad parameter', async () => {
      const bad = [
        'from=yesterday', 'to=2024-13-01T00:00:00Z', 'interval=week', 'chapter=Not_A_Slug', 'source=WEIBO', 'sentiment=angry',
        'kind=tweet', 'kol=yes', `keyword=${'x'.repeat(65)}`, 'keyword=', `q=${'x'.repeat(501)}`,
        `from=${new Date(W + MIN).toISOString()}&to=${new Date(W).toISOString()}`,
        'from=2020-01-01T00:00:00Z&to=2024-01-01T00:00:00Z',
        'from=2024-01-01T00:00:00Z&to=2024-03-01T00:00:00Z&interval=minute',
        'from=a&from=b',
      ];
      for (const p of bad) {
        const r = await get(`/api/v1/opinion/summary?${p}`);
        expect(r.status, p).to.equal(400);
        expect(r.json.error.code, p).to.equal('validation_failed');
      }
      const csv = await get('/api/v1/opinion/export.csv?what=everything');
      expect(csv.status).to.equal(400);
      expect(csv.json.error.code).to.equal('validation_failed');
    });

    it('returns the backend aggregate, with the range it used', async () => {
      const r = await get(`/api/v1/opinion/summary?${range}&interval=minute`);
      expect(r.status).to.equal(200);
      const from = new Date(W);
      const to = new Date(W + 60 * MIN);
      const a = await backend.aggregate({ from, to, interval: 'minute', excludeChapterIds: [], baselineFrom: defaultBaselineFrom(from, to), topKeywords: 20, emerging: 10, watch: WATCH });
      expect(r.json).to.deep.equal({ ...JSON.parse(JSON.stringify(a)), range: { from: from.toISOString(), to: to.toISOString(), interval: 'minute', baselineFrom: new Date(W - 7 * 60 * MIN).toISOString() } });
      expect(r.json.buckets).to.have.length(60);
      expect(r.json.shareOfVoice).to.deep.equal([
        { key: 'brand', total: 4, negative: 3, neutral: 0, positive: 1 },
        { key: 'rival', total: 1, negative: 0, neutral: 1, positive: 0 },
      ]);
      expect(r.json.byChapter.map((c: { chapter: string }) => c.chapter)).to.include('secret'); // staff read private chapters
    });

    it('applies the filters, kol=true as the injected KOL authors', async () => {
      const total = (j: { buckets: { total: number }[] }) => j.buckets.reduce((n, b) => n + b.total, 0);
      expect(total((await get(`/api/v1/opinion/summary?${range}&kol=true`)).json)).to.equal(2);
      expect(total((await get(`/api/v1/opinion/summary?${range}&kol=false`)).json)).to.equal(5);
      expect(total((await get(`/api/v1/opinion/summary?${range}&sentiment=negative`)).json)).to.equal(3);
      expect(total((await get(`/api/v1/opinion/summary?${range}&keyword=${encodeURIComponent('新词')}`)).json)).to.equal(1);
      expect(total((await get(`/api/v1/opinion/summary?${range}&q=${encodeURIComponent('蔚来')}`)).json)).to.equal(1);
      expect(total((await get(`/api/v1/opinion/summary?${range}&kind=post&chapter=su7`)).json)).to.equal(1);
      expect(total((await get(`/api/v1/opinion/summary?${range}&source=weibo`)).json)).to.equal(2);
    });

    it('defaults to the last 24 hours, by hour, and picks the interval from the span', async () => {
      const r = await get('/api/v1/opinion/summary');
      expect(r.status).to.equal(200);
      expect(r.json.range.interval).to.equal('hour');
      expect(Date.parse(r.json.range.to) - Date.parse(r.json.range.from)).to.equal(24 * 60 * MIN);
      expect(r.json.buckets.length).to.be.within(24, 25);
      const short = await get(`/api/v1/opinion/summary?from=${new Date(W).toISOString()}&to=${new Date(W + 3 * 60 * MIN).toISOString()}`);
      expect(short.json.range.interval).to.equal('minute');
      const long = await get(`/api/v1/opinion/summary?from=${new Date(W).toISOString()}&to=${new Date(W + 8 * 24 * 60 * MIN).toISOString()}`);
      expect(long.json.range.interval).to.equal('day');
      expect(long.json.buckets).to.have.length(9); // UTC days: the first one starts at midnight before `from`
    });

    it('exports the matching items as CSV: BOM, header, quoting and the formula guard', async () => {
      const r = await get(`/api/v1/opinion/export.csv?${range}`);
      expect(r.status).to.equal(200);
      expect(r.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
      expect(r.headers.get('content-disposition')).to.match(/^attachment; filename="opinion-20240601T120000Z-20240601T130000Z\.csv"$/);
      expect([...r.bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const body = r.text.slice(1);
      const lines = body.split('\r\n');
      expect(lines[0]).to.equal('id,kind,createdAt,source,chapter,author,sentiment,score,text');
      expect(lines.at(-1)).to.equal(''); // CRLF after the last row
      // Newest first; the old document is outside the window.
      expect(body).to.contain(`mention:o4,mention,${new Date(W + 4 * MIN).toISOString()},weibo,,kola,negative,-0.5,小米 新词\r\n`);
      expect(body).to.contain(`post:o2,post,${new Date(W + 2 * MIN).toISOString()},forum,su7,carol,neutral,0,'-2 蔚来 还行\r\n`);
      expect(body).to.contain(`,douyin,,'@bob,positive,0.5,"'+1 小米, ""续航"" 不错\n第二行"\r\n`);
      expect(body).to.contain(`,weibo,,kola,negative,-0.5,"'=HYPERLINK(""http://evil.example"",""点我"") 小米"\r\n`);
      expect(body).not.to.contain('post:old');
      expect(body.match(/^(post|mention):o\d/gm)).to.deep.equal(['mention:o4', 'post:o3', 'post:o2', 'mention:o1', 'mention:o0']);
    });

    it('exports under the same filters, kol=true included', async () => {
      const ids = async (p: string) => (await get(`/api/v1/opinion/export.csv?${range}&${p}`)).text.slice(1).split('\r\n').slice(1, -1).map((l) => l.split(',')[0]);
      expect(await ids('kol=true')).to.deep.equal(['mention:o4', 'mention:o0']);
      expect(await ids(`keyword=${encodeURIComponent('新词')}`)).to.deep.equal(['mention:o4']);
      expect(await ids('sentiment=positive')).to.deep.equal(['mention:o1']);
      expect(await ids(`q=${encodeURIComponent('蔚来')}`)).to.deep.equal(['post:o2']);
      expect(await ids('source=nowhere')).to.deep.equal([]);
    });

    it('stops at the row cap', async () => {
      const r = await get(`${cappedBase}/api/v1/opinion/export.csv?${range}`);
      expect(r.text.slice(1).split('\r\n').slice(1, -1).map((l) => l.split(',')[0])).to.deep.equal(['mention:o4', 'post:o3', 'post:o2']);
    });

    it('pages through more than one backend page when exporting', async function () {
      this.timeout(Math.max(this.timeout(), 60_000));
      const many = Array.from({ length: 1500 }, (_, i) =>
        makeDocument({ id: `mention:bulk${i}`, kind: 'mention', source: 'news', text: `批量 ${i}`, keywords: [], createdAt: new Date(W + 10 * MIN + i * 1000).toISOString() }),
      );
      await backend.index(many);
      try {
        const r = await get(`/api/v1/opinion/export.csv?${range}&source=news`);
        const rows = r.text.slice(1).split('\r\n').slice(1, -1);
        expect(rows).to.have.length(1500);
        expect(new Set(rows.map((l) => l.split(',')[0])).size).to.equal(1500);
      } finally {
        await backend.remove(many.map((d) => d.id));
      }
    });
  });
}
