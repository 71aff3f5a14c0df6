/**
 * THE shared behaviour suite for SearchBackend (STYLE.md pattern 4): the identical assertions
 * run against `embedded` (SQLite FTS5) and `elasticsearch` (real ES from test/support). Documents
 * come from real analyze() output (makeDocument) with fixed timestamps; sentiments are pinned
 * where sums and averages are asserted.
 */
import { expect } from 'chai';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AggregateQuery, Aggregates, SearchBackend, SearchDocument, SearchHit, SearchQuery } from '../../search/backend';
import { jlhScore } from '../../search/significance';
import { rng } from '../../search/train/sentiment-data';
import { makeDocument } from '../../search/documents';
import { createEmbeddedBackend } from '../../search/embedded';
import { requireElasticsearch } from '../support/elasticsearch';

interface BackendFactory {
  name: 'embedded' | 'elasticsearch';
  /** Called from a `before` hook; may skip (ES unavailable outside CI) or throw. */
  make(ctx: Mocha.Context): Promise<SearchBackend>;
  cleanup(): Promise<void>;
}

function embedded(): BackendFactory {
  let dir = '';
  return {
    name: 'embedded',
    async make() {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-search-'));
      return createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') });
    },
    async cleanup() {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

type ElasticsearchModule = {
  createElasticsearchBackend(opts: { node: string; indexPrefix: string }): SearchBackend;
};

function elasticsearch(): BackendFactory {
  return {
    name: 'elasticsearch',
    async make(ctx) {
      const es = await requireElasticsearch(ctx); // skips outside CI when ES cannot start; fails under CI
      // Imported here, not at the top, so a broken or missing module fails this block with a clear
      // message instead of taking the embedded half down with it.
      let mod: ElasticsearchModule;
      try {
        mod = await import('../../search/elasticsearch');
      } catch (e) {
        throw new Error(`search/elasticsearch.ts could not be imported, so the elasticsearch backend cannot be tested: ${(e as Error).message}`);
      }
      if (typeof mod.createElasticsearchBackend !== 'function') {
        throw new Error('search/elasticsearch.ts does not export createElasticsearchBackend({ node, indexPrefix })');
      }
      return mod.createElasticsearchBackend({ node: es.url, indexPrefix: `test_${crypto.randomBytes(6).toString('hex')}` });
    },
    async cleanup() {},
  };
}

const T0 = Date.parse('2024-05-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const MIN = 60_000;
const ids = (hits: SearchHit[]) => hits.map((h) => h.id);

for (const factory of [embedded(), elasticsearch()]) {
  describe(`search backend: ${factory.name}`, function () {
    let backend: SearchBackend;
    const find = (q: Partial<SearchQuery>) => backend.search({ limit: 100, ...q });

    before(async function () {
      this.timeout(Math.max(this.timeout(), 120_000));
      backend = await factory.make(this);
      await backend.init();
      await backend.init(); // idempotent
    });

    after(async function () {
      if (backend) {
        await backend.reset().catch(() => {});
        await backend.close();
      }
      await factory.cleanup();
    });

    it('answers ping', async () => {
      expect(await backend.ping()).to.equal(true);
      expect(backend.name).to.equal(factory.name);
    });

    describe('search over a fixed corpus', () => {
      const docs: Record<string, SearchDocument> = {
        a1: makeDocument({
          id: 'post:a1', text: '续航很拉胯，车机也卡', chapter: 'su7', chapterId: 1, threadId: 't1', author: 'alice',
          sentiment: { label: 'negative', score: -0.9, confidence: 0.9 }, createdAt: at(1 * MIN),
        }),
        a2: makeDocument({
          id: 'post:a2', text: '续航表现遥遥领先', chapter: 'mate', chapterId: 2, threadId: 't2', author: 'bob',
          sentiment: { label: 'positive', score: 0.7, confidence: 0.8 }, createdAt: at(2 * MIN),
        }),
        a3: makeDocument({
          id: 'mention:a3', kind: 'mention', text: 'The Battery is GREAT, love it', source: 'weibo', author: 'kolguy',
          authorFollowers: 500_000, kol: true, url: 'https://weibo.example/a3',
          sentiment: { label: 'positive', score: 0.8, confidence: 0.9 }, createdAt: at(3 * MIN),
        }),
        a4: makeDocument({
          id: 'mention:a4', kind: 'mention', text: 'battery drains fast', source: 'xiaohongshu', author: 'carol',
          sentiment: { label: 'negative', score: -0.5, confidence: 0.7 }, createdAt: at(4 * MIN),
        }),
        a5: makeDocument({
          id: 'post:a5', text: '私密章节 续航 讨论', chapter: 'secret', chapterId: 99, author: 'dave',
          sentiment: { label: 'neutral', score: 0, confidence: 0.9 }, createdAt: at(5 * MIN),
        }),
        a6: makeDocument({
          id: 'mention:a6', kind: 'mention', text: "<script>alert('x')</script> 车机 太卡了", source: 'douyin', author: 'erin',
          sentiment: { label: 'neutral', score: -0.1, confidence: 0.6 }, createdAt: at(6 * MIN),
        }),
      };

      before(async () => {
        await backend.reset();
        await backend.index(Object.values(docs));
      });

      it('counts what was indexed', async () => {
        expect(await backend.count()).to.equal(6);
      });

      it('finds a Chinese word: 拉胯 finds exactly the document containing it', async () => {
        const r = await find({ q: '拉胯' });
        expect(ids(r.items)).to.deep.equal(['post:a1']);
        expect(r.total).to.equal(1);
      });

      it('finds every document with a shared word (续航), newest first', async () => {
        const r = await find({ q: '续航' });
        expect(ids(r.items)).to.deep.equal(['post:a5', 'post:a2', 'post:a1']);
        expect(r.total).to.equal(3);
      });

      it('matches words, not characters: 航很 spans a word boundary and finds nothing', async () => {
        const r = await find({ q: '航很' });
        expect(r.items).to.deep.equal([]);
        expect(r.total).to.equal(0);
      });

      it('searches English case-insensitively', async () => {
        expect(ids((await find({ q: 'BATTERY' })).items)).to.deep.equal(['mention:a4', 'mention:a3']);
        expect(ids((await find({ q: 'Great' })).items)).to.deep.equal(['mention:a3']);
      });

      it('ANDs the words of a multi-word query', async () => {
        expect(ids((await find({ q: 'battery great' })).items)).to.deep.equal(['mention:a3']);
        expect(ids((await find({ q: '续航 拉胯' })).items)).to.deep.equal(['post:a1']);
        expect(ids((await find({ q: '续航拉胯' })).items)).to.deep.equal(['post:a1']);
        expect((await find({ q: '拉胯 battery' })).total).to.equal(0);
      });

      it('returns everything, newest first, for an empty query', async () => {
        const r = await find({});
        expect(ids(r.items)).to.deep.equal(['mention:a6', 'post:a5', 'mention:a4', 'mention:a3', 'post:a2', 'post:a1']);
        expect(r.total).to.equal(6);
        expect(r.cursor).to.equal(undefined);
        expect((await find({ q: '' })).total).to.equal(6);
      });

      it('returns the hit shape of the contract', async () => {
        const [hit] = (await find({ q: 'great' })).items;
        expect(hit).to.include({
          id: 'mention:a3', kind: 'mention', text: 'The Battery is GREAT, love it', author: 'kolguy', kol: true,
          chapter: null, threadId: null, source: 'weibo', url: 'https://weibo.example/a3', createdAt: at(3 * MIN),
        });
        expect(hit.sentiment.label).to.equal('positive');
        expect(hit.sentiment.score).to.be.closeTo(0.8, 1e-4);
        const [post] = (await find({ q: '拉胯' })).items;
        expect(post).to.include({ kind: 'post', chapter: 'su7', threadId: 't1', source: 'forum', author: 'alice', kol: false, url: null });
      });

      it('filters by sentiment', async () => {
        expect(ids((await find({ sentiment: 'negative' })).items)).to.deep.equal(['mention:a4', 'post:a1']);
        expect(ids((await find({ sentiment: 'positive', q: '续航' })).items)).to.deep.equal(['post:a2']);
      });

      it('filters by chapter', async () => {
        expect(ids((await find({ chapter: 'su7' })).items)).to.deep.equal(['post:a1']);
        expect((await find({ chapter: 'nope' })).total).to.equal(0);
      });

      it('filters by source', async () => {
        expect(ids((await find({ source: 'weibo' })).items)).to.deep.equal(['mention:a3']);
        expect(ids((await find({ source: 'forum' })).items)).to.deep.equal(['post:a5', 'post:a2', 'post:a1']);
      });

      it('filters by kind', async () => {
        expect(ids((await find({ kind: 'mention' })).items)).to.deep.equal(['mention:a6', 'mention:a4', 'mention:a3']);
        expect(ids((await find({ kind: 'post', q: '车机' })).items)).to.deep.equal(['post:a1']);
      });

      it('filters by time range: from inclusive, to exclusive', async () => {
        const r = await find({ from: new Date(docs.a2.createdAt), to: new Date(docs.a4.createdAt) });
        expect(ids(r.items)).to.deep.equal(['mention:a3', 'post:a2']);
        expect(ids((await find({ from: new Date(docs.a6.createdAt) })).items)).to.deep.equal(['mention:a6']);
        expect(ids((await find({ to: new Date(docs.a2.createdAt) })).items)).to.deep.equal(['post:a1']);
        expect((await find({ from: new Date(T0 + 2 * MIN + 1), to: new Date(T0 + 3 * MIN) })).total).to.equal(0);
      });

      it('filters by kol', async () => {
        expect(ids((await find({ kol: true })).items)).to.deep.equal(['mention:a3']);
        expect((await find({ kol: false })).total).to.equal(5);
      });

      it('never returns documents of excluded (private) chapters', async () => {
        const r = await find({ q: '续航', excludeChapterIds: [99, 1234] });
        expect(ids(r.items)).to.deep.equal(['post:a2', 'post:a1']);
        expect(r.total).to.equal(2);
        const all = await find({ excludeChapterIds: [99] });
        expect(all.total).to.equal(5); // documents without a chapter stay visible
        expect(ids(all.items)).not.to.include('post:a5');
      });

      it('filters by authors: source and author must both match', async () => {
        expect(ids((await find({ authors: [{ source: 'weibo', author: 'kolguy' }] })).items)).to.deep.equal(['mention:a3']);
        expect((await find({ authors: [{ source: 'forum', author: 'kolguy' }] })).total).to.equal(0);
        expect((await find({ authors: [] })).total).to.equal(0);
        const two = await find({ authors: [{ source: 'forum', author: 'alice' }, { source: 'xiaohongshu', author: 'carol' }] });
        expect(ids(two.items)).to.deep.equal(['mention:a4', 'post:a1']);
      });

      it('filters by an exact keyword', async () => {
        const kw = docs.a1.keywords[0];
        expect(kw, 'analysis gave a1 no keyword').to.be.a('string');
        const expected = Object.values(docs).filter((x) => x.keywords.includes(kw)).sort((x, y) => (x.createdAt < y.createdAt ? 1 : -1)).map((x) => x.id);
        expect(ids((await find({ keyword: kw })).items)).to.deep.equal(expected);
        expect((await find({ keyword: `${kw}x` })).total).to.equal(0);
      });

      it('combines filters with the query', async () => {
        const r = await find({ q: '车机', sentiment: 'neutral', kind: 'mention', source: 'douyin', kol: false });
        expect(ids(r.items)).to.deep.equal(['mention:a6']);
      });

      it('highlights matched words with <mark>', async () => {
        const [hit] = (await find({ q: '拉胯' })).items;
        expect(hit.highlight).to.contain('<mark>拉胯</mark>');
        expect(hit.highlight).to.equal('续航很<mark>拉胯</mark>，车机也卡');
        const [en] = (await find({ q: 'battery' })).items.filter((h) => h.id === 'mention:a3');
        expect(en.highlight).to.contain('<mark>Battery</mark>');
      });

      it('escapes HTML from the text in highlights', async () => {
        const [hit] = (await find({ q: '车机', kind: 'mention' })).items;
        expect(hit.id).to.equal('mention:a6');
        expect(hit.highlight).to.contain('&lt;script&gt;');
        expect(hit.highlight).not.to.contain('<script>');
        expect(hit.highlight).to.contain('<mark>车机</mark>');
        expect(hit.text).to.equal("<script>alert('x')</script> 车机 太卡了"); // raw text stays raw
        expect((await find({ q: 'script' })).items[0].highlight).to.contain('&lt;<mark>script</mark>&gt;');
      });
    });

    describe('forum search: thread titles, categories, authors, opening posts', () => {
      // Two threads (t1 public in category "service", t2 in the private chapter 99), each with its
      // opening post (carrying the title) and a reply, plus a mention by a handle like a username.
      const forum: Record<string, SearchDocument> = {
        o1: makeDocument({
          id: 'post:o1', text: '门店的师傅很专业', title: '售后服务体验分享', threadId: 't1', category: 'service', author: 'alice',
          url: '/t/t1#po1', createdAt: at(1 * MIN),
        }),
        r1: makeDocument({ id: 'post:r1', text: '同意，售后确实不错', threadId: 't1', category: 'service', author: 'bob', url: '/t/t1#pr1', createdAt: at(2 * MIN) }),
        o2: makeDocument({
          id: 'post:o2', text: '周末一起去露营', title: '车友会售后活动', threadId: 't2', chapter: 'secret', chapterId: 99, category: 'meetups',
          author: 'bob', createdAt: at(3 * MIN),
        }),
        r2: makeDocument({ id: 'post:r2', text: '报名露营', threadId: 't2', chapter: 'secret', chapterId: 99, category: 'meetups', author: 'alice', createdAt: at(4 * MIN) }),
        m1: makeDocument({ id: 'mention:m1', kind: 'mention', text: '售后太慢了', source: 'weibo', author: 'alice', createdAt: at(5 * MIN) }),
      };

      before(async () => {
        await backend.reset();
        await backend.index(Object.values(forum));
      });

      it('finds a thread by a word of its title (segmented), on its opening post only', async () => {
        // 服务 is inside the title's 售后服务 (expanded at index time); no body says it.
        const r = await find({ q: '服务' });
        expect(ids(r.items)).to.deep.equal(['post:o1']);
        expect(r.items[0]).to.include({ title: '售后服务体验分享', category: 'service', threadId: 't1' });
        expect(r.items[0].titleHighlight).to.equal('售后<mark>服务</mark>体验分享');
        // The body is highlighted as before; a reply carries no title.
        const both = await find({ q: '售后', kind: 'post' });
        expect(ids(both.items)).to.deep.equal(['post:o2', 'post:r1', 'post:o1']);
        const reply = both.items.find((h) => h.id === 'post:r1')!;
        expect(reply).to.include({ title: null, titleHighlight: null, category: 'service' });
        expect(reply.highlight).to.equal('同意，<mark>售后</mark>确实不错');
      });

      it('filters by category', async () => {
        expect(ids((await find({ category: 'service' })).items)).to.deep.equal(['post:r1', 'post:o1']);
        expect(ids((await find({ category: 'meetups', q: '露营' })).items)).to.deep.equal(['post:r2', 'post:o2']);
        expect((await find({ category: 'nope' })).total).to.equal(0);
      });

      it('filters by author, on any source', async () => {
        expect(ids((await find({ author: 'alice' })).items)).to.deep.equal(['mention:m1', 'post:r2', 'post:o1']);
        expect(ids((await find({ author: 'alice', kind: 'post' })).items)).to.deep.equal(['post:r2', 'post:o1']);
        expect((await find({ author: 'nobody' })).total).to.equal(0);
      });

      it('filters opening posts (threads) from the rest (replies, mentions)', async () => {
        expect(ids((await find({ opening: true })).items)).to.deep.equal(['post:o2', 'post:o1']);
        expect(ids((await find({ opening: false, kind: 'post' })).items)).to.deep.equal(['post:r2', 'post:r1']);
      });

      it('keeps excluded (private) chapters out whatever the other filters say', async () => {
        const outsider = { excludeChapterIds: [99], kind: 'post' as const };
        expect(ids((await find({ ...outsider, q: '售后' })).items)).to.deep.equal(['post:r1', 'post:o1']);
        expect((await find({ ...outsider, category: 'meetups' })).total).to.equal(0);
        expect(ids((await find({ ...outsider, author: 'bob' })).items)).to.deep.equal(['post:r1']);
        expect(ids((await find({ ...outsider, opening: true })).items)).to.deep.equal(['post:o1']);
        expect((await find({ ...outsider, q: '车友会' })).total).to.equal(0); // a private thread's title
      });

      it('pages a filtered query with the cursor', async () => {
        const first = await find({ kind: 'post', q: '售后', limit: 2 });
        expect(first.total).to.equal(3);
        expect(ids(first.items)).to.deep.equal(['post:o2', 'post:r1']);
        const second = await find({ kind: 'post', q: '售后', limit: 2, cursor: first.cursor });
        expect(ids(second.items)).to.deep.equal(['post:o1']);
        expect(second.cursor).to.equal(undefined);
      });
    });

    describe('writes', () => {
      beforeEach(async () => {
        await backend.reset();
      });

      it('upserts idempotently: the same id twice is one document and the latest text wins', async () => {
        await backend.index([makeDocument({ id: 'post:u1', text: '续航很拉胯', createdAt: at(0) })]);
        await backend.index([makeDocument({ id: 'post:u1', text: '续航表现遥遥领先', createdAt: at(MIN) })]);
        expect(await backend.count()).to.equal(1);
        expect((await find({ q: '拉胯' })).total).to.equal(0);
        const r = await find({ q: '遥遥领先' });
        expect(ids(r.items)).to.deep.equal(['post:u1']);
        expect(r.items[0].text).to.equal('续航表现遥遥领先');
        expect(r.items[0].createdAt).to.equal(at(MIN));
      });

      it('keeps one document when a batch repeats an id', async () => {
        await backend.index([
          makeDocument({ id: 'post:d1', text: 'first version', createdAt: at(0) }),
          makeDocument({ id: 'post:d1', text: 'second version', createdAt: at(0) }),
        ]);
        expect(await backend.count()).to.equal(1);
        expect(ids((await find({ q: 'second' })).items)).to.deep.equal(['post:d1']);
        expect((await find({ q: 'first' })).total).to.equal(0);
      });

      it('indexes a batch of hundreds in one call', async () => {
        const batch = Array.from({ length: 500 }, (_, i) =>
          makeDocument({ id: `mention:b${i}`, kind: 'mention', text: `批量 导入 第${i}条 续航`, createdAt: at(i * 1000) }),
        );
        await backend.index(batch);
        expect(await backend.count()).to.equal(500);
        expect((await find({ q: '批量', limit: 1 })).total).to.equal(500);
      });

      it('removes by id (missing ids are fine)', async () => {
        await backend.index([
          makeDocument({ id: 'post:r1', text: '续航很拉胯', createdAt: at(0) }),
          makeDocument({ id: 'post:r2', text: '续航表现遥遥领先', createdAt: at(MIN) }),
        ]);
        await backend.remove(['post:r1', 'post:missing']);
        await backend.remove([]);
        expect(await backend.count()).to.equal(1);
        expect(ids((await find({ q: '续航' })).items)).to.deep.equal(['post:r2']);
        expect((await find({ q: '拉胯' })).total).to.equal(0);
      });

      it('removes every document of an author, only of the given kind', async () => {
        await backend.index([
          makeDocument({ id: 'mention:w1', kind: 'mention', author: 'alice', text: '续航 一般', createdAt: at(0) }),
          makeDocument({ id: 'mention:w2', kind: 'mention', author: 'alice', text: '车机 很卡', createdAt: at(MIN) }),
          makeDocument({ id: 'post:w3', kind: 'post', author: 'alice', text: '续航 还行', createdAt: at(2 * MIN) }),
          makeDocument({ id: 'mention:w4', kind: 'mention', author: 'bob', text: '续航 不错', createdAt: at(3 * MIN) }),
        ]);
        await backend.removeByAuthor(['alice', 'nobody'], 'mention');
        expect(await backend.count()).to.equal(2);
        expect(ids((await find({})).items)).to.deep.equal(['mention:w4', 'post:w3']);
        expect(ids((await find({ q: '续航' })).items)).to.deep.equal(['mention:w4', 'post:w3']);
      });

      it('reset drops every document', async () => {
        await backend.index([makeDocument({ id: 'post:x1', text: '续航', createdAt: at(0) })]);
        expect(await backend.count()).to.equal(1);
        await backend.reset();
        expect(await backend.count()).to.equal(0);
        expect((await find({})).total).to.equal(0);
        expect((await find({ q: '续航' })).items).to.deep.equal([]);
        await backend.index([makeDocument({ id: 'post:x2', text: '续航', createdAt: at(0) })]); // usable after reset
        expect(ids((await find({ q: '续航' })).items)).to.deep.equal(['post:x2']);
      });
    });

    describe('cursor pagination', () => {
      // 25 documents in 5 groups sharing one createdAt each: ties are broken by id.
      const pad = (i: number) => String(i).padStart(2, '0');
      const corpus = Array.from({ length: 25 }, (_, i) =>
        makeDocument({ id: `post:p${pad(i + 1)}`, text: `分页 测试 第${i + 1}条`, createdAt: at(Math.floor(i / 5) * MIN) }),
      );
      const expected = [...corpus]
        .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
        .map((d) => d.id);

      before(async () => {
        await backend.reset();
        await backend.index(corpus);
      });

      for (const q of ['', '分页']) {
        it(`walks every result exactly once, newest first (q=${JSON.stringify(q)})`, async () => {
          const seen: string[] = [];
          const sizes: number[] = [];
          let cursor: string | undefined;
          for (let page = 0; page < 10; page++) {
            const r = await backend.search({ q, limit: 10, cursor });
            expect(r.total).to.equal(25);
            sizes.push(r.items.length);
            seen.push(...ids(r.items));
            cursor = r.cursor;
            if (!cursor) break;
            expect(cursor).to.be.a('string').and.match(/^[A-Za-z0-9_-]+$/);
          }
          expect(sizes).to.deep.equal([10, 10, 5]);
          expect(new Set(seen).size).to.equal(25);
          expect(seen).to.deep.equal(expected);
        });
      }

      it('pages under a filter', async () => {
        const from = new Date(at(MIN));
        const to = new Date(at(4 * MIN));
        const first = await backend.search({ q: '测试', from, to, limit: 4 });
        expect(first.total).to.equal(15);
        const rest: string[] = [];
        let cursor = first.cursor;
        while (cursor) {
          const r = await backend.search({ q: '测试', from, to, limit: 4, cursor });
          rest.push(...ids(r.items));
          cursor = r.cursor;
        }
        expect([...ids(first.items), ...rest]).to.deep.equal(expected.slice(5, 20));
      });
    });

    describe('opinion aggregates: filters, emerging terms, share of voice', () => {
      // Window [W, W+1h) with 9 documents; the default baseline starts 7 windows earlier (W-7h) and
      // holds 18 more. Planted: 新词 (3 in the window, 0 before), 升温 (4 vs 2), 偶发 (2 vs 1, under
      // the minimum count), 平稳 (1/3 of the documents in both windows: not emerging).
      const W = Date.parse('2024-06-01T12:00:00.000Z');
      type Label = 'negative' | 'neutral' | 'positive';
      const w = (i: number, label: Label, keywords: string[], text: string, more: Partial<SearchDocument> = {}) =>
        makeDocument({
          id: `${more.kind ?? 'post'}:w${i}`, text, keywords, createdAt: new Date(W + i * 5 * MIN).toISOString(),
          sentiment: { label, score: label === 'negative' ? -0.5 : label === 'positive' ? 0.5 : 0, confidence: 0.9 }, ...more,
        });
      const mention = (source: string, author: string): Partial<SearchDocument> => ({ kind: 'mention', source, author });
      const windowDocs = [
        w(0, 'negative', ['新词', '升温', '平稳'], '小米汽车 新词 续航', { ...mention('weibo', 'kola'), kol: true }),
        w(1, 'positive', ['新词', '升温', '平稳'], 'Xiaomi 新词', mention('douyin', 'bob')),
        w(2, 'neutral', ['新词', '升温', '平稳'], '蔚来 新词 很好', { chapter: 'su7', chapterId: 1, author: 'carol' }),
        w(3, 'negative', ['升温', '偶发'], '小米 升温', { ...mention('weibo', 'kola'), kol: true }),
        w(4, 'positive', ['偶发'], '蔚来 蔚来', { chapter: 'su7', chapterId: 1 }),
        w(5, 'neutral', [], '华为 问界', { chapter: 'mate', chapterId: 2 }),
        w(6, 'negative', [], '其他 内容', mention('news', 'press')),
        w(7, 'negative', ['私密'], '小米 私密', { chapter: 'secret', chapterId: 99 }),
        w(8, 'positive', [], 'nothing here', mention('weibo', 'kolb')),
      ];
      const baselineKeywords = (i: number) => (i < 6 ? ['平稳'] : i < 8 ? ['升温'] : i === 8 ? ['偶发'] : ['背景']);
      const baselineDocs = Array.from({ length: 18 }, (_, i) =>
        makeDocument({
          id: `post:b${i}`, text: '背景 讨论', keywords: baselineKeywords(i), createdAt: new Date(W - (i + 1) * 20 * MIN).toISOString(),
          sentiment: { label: 'neutral', score: 0, confidence: 0.9 },
        }),
      );
      const old = makeDocument({ id: 'post:old', text: '新词 很早', keywords: ['新词'], createdAt: new Date(W - 8 * 60 * MIN).toISOString() }); // before the baseline
      const windowQuery = (more: Partial<AggregateQuery> = {}): AggregateQuery => ({
        from: new Date(W), to: new Date(W + 60 * MIN), interval: 'hour', ...more,
      });
      const total = (a: Aggregates) => a.buckets.reduce((n, b) => n + b.total, 0);
      const BRANDS = [
        { key: 'brand', terms: ['小米', 'Xiaomi', '小米汽车'] },
        { key: 'rival', terms: ['蔚来'] },
        { key: 'nobody', terms: ['不存在的词'] },
        { key: 'punctuation', terms: ['，'] },
      ];

      before(async () => {
        await backend.reset();
        await backend.index([...windowDocs, ...baselineDocs, old]);
      });

      it('ranks a term new in the window first and leaves out a term as frequent as before', async () => {
        const a = await backend.aggregate(windowQuery());
        expect(a.emerging.map(({ term, count, baselineCount }) => ({ term, count, baselineCount }))).to.deep.equal([
          { term: '新词', count: 3, baselineCount: 3 },
          { term: '升温', count: 4, baselineCount: 6 },
        ]);
        expect(a.emerging[0].score).to.be.closeTo(2 / 3, 1e-9); // (3/9 - 3/27) * (3/9) / (3/27)
        expect(a.emerging[1].score).to.be.closeTo(4 / 9, 1e-9); // (4/9 - 6/27) * (4/9) / (6/27)
        expect(a.emerging[0].score).to.equal(jlhScore(3, 9, 3, 27));
      });

      it('honours minDocCount, the emerging size and an explicit baseline', async () => {
        const two = await backend.aggregate(windowQuery({ minDocCount: 2 }));
        expect(two.emerging.map((e) => e.term)).to.deep.equal(['新词', '升温', '偶发']);
        expect(two.emerging[2].score).to.be.closeTo(2 / 9, 1e-9); // (2/9 - 3/27) * 2
        expect((await backend.aggregate(windowQuery({ emerging: 1 }))).emerging.map((e) => e.term)).to.deep.equal(['新词']);
        expect((await backend.aggregate(windowQuery({ emerging: 0 }))).emerging).to.deep.equal([]);
        // A baseline reaching back to `old` counts its 新词 too (3 of 9 vs 4 of 28), 升温 now leads, and
        // 平稳 becomes barely over-represented (3 of 9 vs 9 of 28).
        const longer = await backend.aggregate(windowQuery({ baselineFrom: new Date(W - 9 * 60 * MIN) }));
        expect(longer.emerging.map(({ term, count, baselineCount }) => ({ term, count, baselineCount }))).to.deep.equal([
          { term: '升温', count: 4, baselineCount: 6 },
          { term: '新词', count: 3, baselineCount: 4 },
          { term: '平稳', count: 3, baselineCount: 9 },
        ]);
        expect(longer.emerging[2].score).to.be.closeTo(1 / 81, 1e-12); // (1/3 - 9/28) * (1/3) / (9/28)
        expect(longer.emerging[1].score).to.be.closeTo(jlhScore(3, 9, 4, 28), 1e-12);
        expect(longer.emerging[1].score).to.be.closeTo(4 / 9, 1e-9);
      });

      it('applies the filters to the emerging baseline too', async () => {
        // Mentions only: the baseline has none before the window, so nothing is more frequent than "before".
        expect((await backend.aggregate(windowQuery({ kind: 'mention' }))).emerging).to.deep.equal([]);
      });

      it('counts share of voice per watched group with the sentiment split, in the order given', async () => {
        const a = await backend.aggregate(windowQuery({ watch: BRANDS }));
        expect(a.shareOfVoice).to.deep.equal([
          { key: 'brand', total: 4, negative: 3, neutral: 0, positive: 1 },
          { key: 'rival', total: 2, negative: 0, neutral: 1, positive: 1 },
          { key: 'nobody', total: 0, negative: 0, neutral: 0, positive: 0 },
          { key: 'punctuation', total: 0, negative: 0, neutral: 0, positive: 0 },
        ]);
        const visible = await backend.aggregate(windowQuery({ watch: BRANDS.slice(0, 1), excludeChapterIds: [99] }));
        expect(visible.shareOfVoice).to.deep.equal([{ key: 'brand', total: 3, negative: 2, neutral: 0, positive: 1 }]);
        expect((await backend.aggregate(windowQuery())).shareOfVoice).to.deep.equal([]);
      });

      it('splits sentiment by chapter and by source', async () => {
        const a = await backend.aggregate(windowQuery());
        const strip = <T extends { avgScore: number }>(xs: T[]) => xs.map(({ avgScore: _a, ...rest }) => rest);
        expect(strip(a.byChapter)).to.deep.equal([
          { chapter: 'su7', total: 2, negative: 0, neutral: 1, positive: 1 },
          { chapter: 'mate', total: 1, negative: 0, neutral: 1, positive: 0 },
          { chapter: 'secret', total: 1, negative: 1, neutral: 0, positive: 0 },
        ]);
        expect(strip(a.bySource)).to.deep.equal([
          { source: 'forum', total: 4, negative: 1, neutral: 2, positive: 1 },
          { source: 'weibo', total: 3, negative: 2, neutral: 0, positive: 1 },
          { source: 'douyin', total: 1, negative: 0, neutral: 0, positive: 1 },
          { source: 'news', total: 1, negative: 1, neutral: 0, positive: 0 },
        ]);
      });

      it('filters every panel by sentiment', async () => {
        const a = await backend.aggregate(windowQuery({ sentiment: 'negative', watch: BRANDS.slice(0, 1) }));
        expect(total(a)).to.equal(4);
        expect(a.bySource.map((s) => [s.source, s.total])).to.deep.equal([['weibo', 2], ['forum', 1], ['news', 1]]);
        expect(a.topKeywords).to.deep.equal([{ term: '升温', count: 2 }, { term: '偶发', count: 1 }, { term: '平稳', count: 1 }, { term: '新词', count: 1 }, { term: '私密', count: 1 }]);
        expect(a.shareOfVoice).to.deep.equal([{ key: 'brand', total: 3, negative: 3, neutral: 0, positive: 0 }]);
      });

      it('filters every panel by an exact keyword', async () => {
        const a = await backend.aggregate(windowQuery({ keyword: '升温', watch: BRANDS.slice(0, 2) }));
        expect(total(a)).to.equal(4);
        expect(a.topKeywords).to.deep.equal([{ term: '升温', count: 4 }, { term: '平稳', count: 3 }, { term: '新词', count: 3 }, { term: '偶发', count: 1 }]);
        expect(a.shareOfVoice.map((s) => s.total)).to.deep.equal([3, 1]);
        expect(total(await backend.aggregate(windowQuery({ keyword: '升' })))).to.equal(0); // exact, not a prefix
      });

      it('filters every panel by free text, segmented like search', async () => {
        expect(total(await backend.aggregate(windowQuery({ q: '新词' })))).to.equal(3);
        const a = await backend.aggregate(windowQuery({ q: '蔚来' }));
        expect(total(a)).to.equal(2);
        expect(a.byChapter.map((c) => [c.chapter, c.total])).to.deep.equal([['su7', 2]]);
        expect(total(await backend.aggregate(windowQuery({ q: '小米 升温' })))).to.equal(1);
      });

      it('filters every panel by kind, chapter and source', async () => {
        expect(total(await backend.aggregate(windowQuery({ kind: 'post' })))).to.equal(4);
        const su7 = await backend.aggregate(windowQuery({ chapter: 'su7', watch: BRANDS.slice(0, 2) }));
        expect(total(su7)).to.equal(2);
        expect(su7.shareOfVoice.map((s) => s.total)).to.deep.equal([0, 2]);
        const weibo = await backend.aggregate(windowQuery({ source: 'weibo' }));
        expect(total(weibo)).to.equal(3);
        expect(weibo.topKeywords.map((k) => k.term)).to.deep.equal(['升温', '偶发', '平稳', '新词']);
      });

      it('filters every panel by authors (source and author both match)', async () => {
        const kols = await backend.aggregate(windowQuery({ authors: [{ source: 'weibo', author: 'kola' }, { source: 'news', author: 'nobody' }], watch: BRANDS.slice(0, 1) }));
        expect(total(kols)).to.equal(2);
        expect(kols.bySource).to.have.length(1);
        expect(kols.bySource[0]).to.include({ source: 'weibo', total: 2, negative: 2 });
        expect(kols.shareOfVoice[0].total).to.equal(2);
        expect(total(await backend.aggregate(windowQuery({ authors: [{ source: 'douyin', author: 'kola' }] })))).to.equal(0);
        expect(total(await backend.aggregate(windowQuery({ authors: [] })))).to.equal(0);
        const two = await backend.aggregate(windowQuery({ authors: [{ source: 'weibo', author: 'kola' }, { source: 'weibo', author: 'kolb' }, { source: 'forum', author: 'carol' }] }));
        expect(total(two)).to.equal(4);
      });
    });

    describe('aggregates', () => {
      const H10 = Date.parse('2024-05-01T10:00:00.000Z');
      const d = (id: string, ms: number, label: 'negative' | 'neutral' | 'positive', score: number, more: Partial<SearchDocument> = {}) =>
        makeDocument({ id, text: more.text ?? '续航 讨论', createdAt: new Date(ms).toISOString(), sentiment: { label, score, confidence: 0.9 }, ...more });
      const corpus = [
        d('post:m1', H10, 'negative', -0.8, { chapter: 'su7', chapterId: 1, keywords: ['续航', '拉胯'] }),
        d('post:m2', H10 + 30_000, 'positive', 0.6, { chapter: 'su7', chapterId: 1, keywords: ['续航', '遥遥领先'] }),
        d('mention:m3', H10 + 3 * MIN - 1, 'neutral', 0, { kind: 'mention', source: 'weibo', keywords: ['续航'] }),
        d('mention:m4', H10 + 4 * MIN, 'negative', -0.4, { kind: 'mention', source: 'douyin', chapter: 'mate', chapterId: 2, keywords: ['车机', '拉胯'] }),
        d('mention:m5', H10 + 5 * MIN, 'negative', -0.6, { kind: 'mention', source: 'weibo', keywords: ['排除'] }), // == minute `to`
        d('post:m6', H10 - 1, 'positive', 1, { keywords: ['之前'] }), // just before `from`
        d('post:m7', H10 + MIN, 'negative', -1, { chapter: 'secret', chapterId: 99, keywords: ['私密'] }),
        d('post:m9', H10 + 150 * MIN, 'positive', 0.5, { keywords: [] }), // 12:30
        d('mention:m10', Date.parse('2024-05-02T23:59:59.999Z'), 'positive', 0.2, { kind: 'mention', source: 'news' }),
        d('mention:m11', Date.parse('2024-05-03T00:00:00.000Z'), 'positive', 0.2, { kind: 'mention', source: 'news' }),
      ];
      const byName = <T extends { chapter?: string; source?: string }>(xs: T[]) =>
        [...xs].sort((a, b) => String(a.chapter ?? a.source).localeCompare(String(b.chapter ?? b.source)));

      before(async () => {
        await backend.reset();
        await backend.index(corpus);
      });

      it('buckets by minute over [from, to) with zero-filled buckets', async () => {
        const a = await backend.aggregate({
          from: new Date(H10), to: new Date(H10 + 5 * MIN), interval: 'minute', excludeChapterIds: [99], topKeywords: 2,
        });
        expect(a.buckets.map((b) => b.t)).to.deep.equal([0, 1, 2, 3, 4].map((i) => new Date(H10 + i * MIN).toISOString()));
        expect(a.buckets.map(({ total, negative, neutral, positive }) => ({ total, negative, neutral, positive }))).to.deep.equal([
          { total: 2, negative: 1, neutral: 0, positive: 1 },
          { total: 0, negative: 0, neutral: 0, positive: 0 },
          { total: 1, negative: 0, neutral: 1, positive: 0 },
          { total: 0, negative: 0, neutral: 0, positive: 0 },
          { total: 1, negative: 1, neutral: 0, positive: 0 },
        ]);
        const avg = a.buckets.map((b) => b.avgScore);
        expect(avg[0]).to.be.closeTo(-0.1, 1e-4);
        expect(avg[1]).to.equal(0);
        expect(avg[2]).to.be.closeTo(0, 1e-4);
        expect(avg[3]).to.equal(0);
        expect(avg[4]).to.be.closeTo(-0.4, 1e-4);
      });

      it('counts top keywords over the matching documents', async () => {
        const a = await backend.aggregate({
          from: new Date(H10), to: new Date(H10 + 5 * MIN), interval: 'minute', excludeChapterIds: [99], topKeywords: 2,
        });
        expect(a.topKeywords).to.deep.equal([{ term: '续航', count: 3 }, { term: '拉胯', count: 2 }]);
      });

      it('breaks down by chapter and by source', async () => {
        const a = await backend.aggregate({
          from: new Date(H10), to: new Date(H10 + 5 * MIN), interval: 'minute', excludeChapterIds: [99],
        });
        const chapters = byName(a.byChapter);
        expect(chapters.map(({ chapter, total, negative }) => ({ chapter, total, negative }))).to.deep.equal([
          { chapter: 'mate', total: 1, negative: 1 },
          { chapter: 'su7', total: 2, negative: 1 },
        ]);
        expect(chapters[0].avgScore).to.be.closeTo(-0.4, 1e-4);
        expect(chapters[1].avgScore).to.be.closeTo(-0.1, 1e-4);
        const sources = byName(a.bySource);
        expect(sources.map(({ source, total, negative }) => ({ source, total, negative }))).to.deep.equal([
          { source: 'douyin', total: 1, negative: 1 },
          { source: 'forum', total: 2, negative: 1 },
          { source: 'weibo', total: 1, negative: 0 },
        ]);
        expect(sources[1].avgScore).to.be.closeTo(-0.1, 1e-4);
      });

      it('includes private chapters unless excluded', async () => {
        const a = await backend.aggregate({ from: new Date(H10), to: new Date(H10 + 5 * MIN), interval: 'minute' });
        expect(a.buckets[1]).to.include({ total: 1, negative: 1 });
        expect(a.buckets[1].avgScore).to.be.closeTo(-1, 1e-4);
        expect(a.byChapter.map((c) => c.chapter)).to.include('secret');
      });

      it('filters aggregates by chapter and source', async () => {
        const bySource = await backend.aggregate({ from: new Date(H10), to: new Date(H10 + 5 * MIN), interval: 'minute', source: 'weibo' });
        expect(bySource.buckets.map((b) => b.total)).to.deep.equal([0, 0, 1, 0, 0]);
        expect(bySource.bySource.map((s) => s.source)).to.deep.equal(['weibo']);
        const byChapter = await backend.aggregate({ from: new Date(H10), to: new Date(H10 + 5 * MIN), interval: 'minute', chapter: 'su7' });
        expect(byChapter.buckets.map((b) => b.total)).to.deep.equal([2, 0, 0, 0, 0]);
        expect(byChapter.byChapter.map((c) => c.chapter)).to.deep.equal(['su7']);
      });

      it('buckets by hour', async () => {
        const a = await backend.aggregate({ from: new Date(H10), to: new Date(H10 + 180 * MIN), interval: 'hour', excludeChapterIds: [99] });
        expect(a.buckets.map((b) => [b.t, b.total, b.negative, b.neutral, b.positive])).to.deep.equal([
          ['2024-05-01T10:00:00.000Z', 5, 3, 1, 1],
          ['2024-05-01T11:00:00.000Z', 0, 0, 0, 0],
          ['2024-05-01T12:00:00.000Z', 1, 0, 0, 1],
        ]);
        expect(a.buckets[0].avgScore).to.be.closeTo(-0.24, 1e-4);
        expect(a.buckets[1].avgScore).to.equal(0);
        expect(a.buckets[2].avgScore).to.be.closeTo(0.5, 1e-4);
      });

      it('buckets by day in UTC', async () => {
        const a = await backend.aggregate({
          from: new Date('2024-04-30T00:00:00.000Z'), to: new Date('2024-05-03T00:00:00.000Z'), interval: 'day', excludeChapterIds: [99],
        });
        expect(a.buckets.map((b) => [b.t, b.total])).to.deep.equal([
          ['2024-04-30T00:00:00.000Z', 0],
          ['2024-05-01T00:00:00.000Z', 7],
          ['2024-05-02T00:00:00.000Z', 1],
        ]);
        expect(a.buckets[2]).to.include({ positive: 1, negative: 0, neutral: 0 });
        expect(a.buckets[2].avgScore).to.be.closeTo(0.2, 1e-4);
        expect(a.bySource.find((s) => s.source === 'news')?.total).to.equal(1);
      });
    });
  });
}

describe('search backends agree: the same generated corpus gives the same opinion aggregates', function () {
  const backends: SearchBackend[] = [];
  const factories = [embedded(), elasticsearch()];
  const G = Date.parse('2024-07-10T00:00:00.000Z');
  const HOUR = 60 * MIN;
  const VOCABULARY = ['续航', '充电', '车机', '智驾', '座椅', '内饰', '售后', '客服', '价格', '隔音', '召回', '降价', '交付', '自燃', '发布会'];
  const SOURCES = ['forum', 'weibo', 'douyin', 'news'];
  const AUTHORS = ['kol_a', 'kol_b', 'fan_c', 'fan_d', 'press_e'];
  const LABELS = ['negative', 'neutral', 'positive'] as const;

  /** 400 seeded documents over [G − 8 days, G + 1 day); 召回 and 自燃 surge in the last day. */
  function corpus(): SearchDocument[] {
    const rand = rng(20240710);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    return Array.from({ length: 400 }, (_, i) => {
      const createdAt = G - 8 * 24 * HOUR + Math.floor(rand() * 9 * 24 * HOUR);
      const recent = createdAt >= G;
      const keywords = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(VOCABULARY)))];
      if (recent && rand() < 0.4) keywords.push('召回');
      if (recent && rand() < 0.25) keywords.push('自燃');
      const brand = rand() < 0.5 ? '小米' : rand() < 0.5 ? 'Xiaomi' : '蔚来';
      const source = pick(SOURCES);
      const chapter = source === 'forum' ? pick(['su7', 'mate', 'secret']) : null;
      const label = pick(LABELS);
      return makeDocument({
        id: `${source === 'forum' ? 'post' : 'mention'}:g${i}`,
        kind: source === 'forum' ? 'post' : 'mention',
        text: `${brand} ${[...new Set(keywords)].join(' ')}`,
        keywords: [...new Set(keywords)],
        source,
        chapter,
        chapterId: chapter ? { su7: 1, mate: 2, secret: 99 }[chapter]! : null,
        author: pick(AUTHORS),
        // Multiples of 1/16 are exact in Elasticsearch's float and SQLite's double alike.
        sentiment: { label, score: (Math.floor(rand() * 33) - 16) / 16, confidence: 0.9 },
        createdAt: new Date(createdAt).toISOString(),
      });
    });
  }

  const WATCH = [
    { key: 'brand', terms: ['小米', 'Xiaomi', '小米汽车'] },
    { key: 'rival', terms: ['蔚来'] },
  ];
  const QUERIES: AggregateQuery[] = [
    { from: new Date(G), to: new Date(G + 24 * HOUR), interval: 'hour', topKeywords: 20, emerging: 15, watch: WATCH },
    { from: new Date(G), to: new Date(G + 24 * HOUR), interval: 'hour', emerging: 15, minDocCount: 2, sentiment: 'negative', excludeChapterIds: [99], watch: WATCH },
    { from: new Date(G), to: new Date(G + 24 * HOUR), interval: 'hour', kind: 'mention', authors: [{ source: 'weibo', author: 'kol_a' }, { source: 'douyin', author: 'kol_b' }], watch: WATCH },
    { from: new Date(G + 6 * HOUR), to: new Date(G + 9 * HOUR), interval: 'minute', q: '小米', emerging: 5 },
    { from: new Date(G - 8 * 24 * HOUR), to: new Date(G + 24 * HOUR), interval: 'day', keyword: '续航', topKeywords: 50, watch: WATCH },
    { from: new Date(G - 2 * 24 * HOUR), to: new Date(G), interval: 'day', chapter: 'su7', baselineFrom: new Date(G - 8 * 24 * HOUR) },
  ];

  /** Every number rounded to 1e-9, so the comparison is exact up to float noise. */
  const rounded = (a: Aggregates): unknown => JSON.parse(JSON.stringify(a, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)));

  before(async function () {
    this.timeout(Math.max(this.timeout(), 180_000));
    for (const f of factories) {
      const b = await f.make(this); // skips the block when Elasticsearch is unavailable
      await b.init();
      await b.reset();
      backends.push(b);
    }
    const docs = corpus();
    for (const b of backends) await b.index(docs);
  });

  after(async function () {
    for (const b of backends) {
      await b.reset().catch(() => {});
      await b.close();
    }
    for (const f of factories) await f.cleanup();
  });

  it('deep-equals the full aggregate output of both backends for each query', async function () {
    this.timeout(Math.max(this.timeout(), 60_000));
    const [a, b] = backends;
    expect(await a.count()).to.equal(400);
    expect(await b.count()).to.equal(400);
    for (const q of QUERIES) {
      const [x, y] = [await a.aggregate(q), await b.aggregate(q)];
      expect(rounded(y), JSON.stringify({ ...q, watch: undefined })).to.deep.equal(rounded(x));
    }
    // The planted surge is found, so the comparison is not between two empty lists.
    const first = await a.aggregate(QUERIES[0]);
    expect(first.emerging.map((e) => e.term).slice(0, 2)).to.have.members(['召回', '自燃']);
    expect(first.shareOfVoice.every((s) => s.total > 0)).to.equal(true);
  });
});
