/** Embedded-backend specifics beyond the shared suite. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sqlite3 from '../../server/sqlite';
import { createEmbeddedBackend } from '../../search/embedded';
import { makeDocument } from '../../search/documents';
import type { AggregateQuery, Aggregates, SearchBackend, SearchDocument } from '../../search/backend';

describe('embedded search backend: close()', () => {
  it('waits for searches still running instead of failing with SQLITE_BUSY (unfinalized statements)', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 20; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-close-'));
      const backend = createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') });
      await backend.init();
      await backend.index([makeDocument({ text: '续航很好，车机流畅' })]);
      // Fresh queries prepare new statements: close while they are in flight.
      const inFlight = [
        backend.count(),
        backend.search({ q: '续航', limit: 5 }),
        backend.ping(),
        backend.aggregate({ from: new Date(0), to: new Date(), interval: 'day' }),
      ].map((p) => p.catch(() => null));
      await backend.close().catch((err: Error) => failures.push(err.message));
      await Promise.all(inFlight);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(failures).to.deep.equal([]);
  });

  it('finalizes a statement prepared by two racing calls once (no leaked statement blocks close)', async () => {
    const failures: string[] = [];
    for (let i = 0; i < 10; i++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-close-'));
      const backend = createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') });
      await backend.init();
      await backend.index([makeDocument({ text: '续航很好' })]);
      // The same new SQL text from several callers at once, all finished before close().
      await Promise.all([backend.count(), backend.count(), backend.count(), backend.search({ q: '续航', limit: 5 }), backend.search({ q: '续航', limit: 5 })]);
      await backend.close().catch((err: Error) => failures.push(err.message));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(failures).to.deep.equal([]);
  });
});

describe('embedded search backend: schema upgrade', () => {
  it('upgrades a version-1 file in place: doc_keywords is filled from the documents already there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-upgrade-'));
    const file = path.join(dir, 'search.sqlite');
    try {
      const docs = [
        makeDocument({ id: 'mention:1', text: '售后服务太差了，客服不回复' }),
        makeDocument({ id: 'mention:2', text: '售后服务很好，续航也不错' }),
        makeDocument({ id: 'mention:3', text: '续航很好，车机流畅' }),
      ];
      const range = { from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 60_000), interval: 'day' as const, topKeywords: 20 };
      let backend = createEmbeddedBackend({ file });
      await backend.index(docs);
      const expected = (await backend.aggregate(range)).topKeywords;
      expect(expected.length).to.be.greaterThan(0);
      await backend.close();
      // Turn the file back into what version 1 wrote: no keyword table, triggers or aggregation index.
      const db = new sqlite3.Database(file);
      await new Promise<void>((resolve, reject) =>
        db.exec(
          'DROP TRIGGER docs_kw_ai; DROP TRIGGER docs_kw_ad; DROP TRIGGER docs_kw_au; DROP TABLE doc_keywords; DROP INDEX docs_agg; ' +
            'DROP TRIGGER docs_kc_ai; DROP TRIGGER docs_kc_ad; DROP TRIGGER docs_kc_au; DROP TABLE keyword_hours; DROP TABLE keyword_days; PRAGMA user_version = 1;',
          (err) => (err ? reject(err) : resolve()),
        ),
      );
      await new Promise<void>((resolve) => db.close(() => resolve()));
      backend = createEmbeddedBackend({ file });
      expect((await backend.aggregate(range)).topKeywords).to.deep.equal(expected);
      await backend.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('keyword counts (keyword_hours, keyword_days)', () => {
    const H = 3_600_000;
    const T = Date.parse('2024-06-03T10:30:00.000Z');
    const doc = (i: number, ms: number, keywords: string[], more: Partial<SearchDocument> = {}) =>
      makeDocument({ id: `mention:k${i}`, kind: 'mention', source: i % 2 ? 'weibo' : 'news', author: `a${i % 3}`, text: keywords.join(' ') || '空', keywords, createdAt: new Date(ms).toISOString(), ...more });
    // Spread over 3 days, with partial hours at both ends of the windows asked for below.
    const corpus = Array.from({ length: 120 }, (_, i) => doc(i, T - 60 * H + i * 37 * 60_000 + 1234, i % 4 === 0 ? ['续航', '召回'] : i % 3 === 0 ? ['召回'] : ['续航', '价格']));
    const authors = ['weibo', 'news'].flatMap((source) => ['a0', 'a1', 'a2'].map((author) => ({ source, author })));
    // `authors` listing every author is the same set of documents, answered without the counters.
    const both = async (backend: SearchBackend, q: AggregateQuery) => {
      const [fast, raw] = [await backend.aggregate(q), await backend.aggregate({ ...q, authors })];
      return { fast: { top: fast.topKeywords, emerging: fast.emerging }, raw: { top: raw.topKeywords, emerging: raw.emerging } };
    };
    const windows: AggregateQuery[] = [
      { from: new Date(T - 7 * H + 59_000), to: new Date(T + 3 * 60_000), interval: 'hour', minDocCount: 1, topKeywords: 10 },
      { from: new Date(T - 30 * H), to: new Date(T + 30 * 60_000), interval: 'hour', minDocCount: 1, topKeywords: 10, sentiment: 'neutral' },
      { from: new Date(T - 20 * 60_000), to: new Date(T - 10 * 60_000), interval: 'minute', minDocCount: 1, baselineFrom: new Date(T - 70 * H) },
      { from: new Date(T - 49 * H), to: new Date(T), interval: 'day', minDocCount: 1, source: 'weibo', excludeChapterIds: [5] },
    ];

    it('agree with counting doc_keywords directly, after upserts, re-dated and removed documents', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-counts-'));
      const backend = createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') });
      try {
        await backend.index(corpus);
        await backend.index([doc(3, T - 2 * H, ['新词', '召回'], { sentiment: { label: 'negative', score: -0.5, confidence: 1 } }), doc(4, T - 50 * H, [])]);
        await backend.index([doc(5, T - 3 * H, ['新词', '新词'])]); // a repeated keyword counts once
        await backend.remove(['mention:k6', 'mention:k7']);
        for (const q of windows) {
          const { fast, raw } = await both(backend, q);
          expect(fast, JSON.stringify(q)).to.deep.equal(raw);
          expect(fast.top.length, JSON.stringify(q)).to.be.greaterThan(0);
        }
      } finally {
        await backend.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('are rebuilt when a version-2 file is upgraded', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-upgrade2-'));
      const file = path.join(dir, 'search.sqlite');
      try {
        let backend = createEmbeddedBackend({ file });
        await backend.index(corpus);
        const expected = await backend.aggregate(windows[0]);
        await backend.close();
        const db = new sqlite3.Database(file);
        await new Promise<void>((resolve, reject) =>
          db.exec('DROP TRIGGER docs_kc_ai; DROP TRIGGER docs_kc_ad; DROP TRIGGER docs_kc_au; DROP TABLE keyword_hours; DROP TABLE keyword_days; PRAGMA user_version = 2;', (err) => (err ? reject(err) : resolve())),
        );
        await new Promise<void>((resolve) => db.close(() => resolve()));
        backend = createEmbeddedBackend({ file });
        expect(await backend.aggregate(windows[0])).to.deep.equal(expected);
        await backend.index([doc(200, T - H, ['升温'])]); // triggers are back
        expect((await backend.aggregate(windows[0])).topKeywords.map((k) => k.term)).to.include('升温');
        await backend.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('document counts (doc_hours, doc_days)', () => {
    const H = 3_600_000;
    const T = Date.parse('2024-06-03T10:30:00.000Z');
    const labels = ['negative', 'neutral', 'positive'] as const;
    const doc = (i: number, ms: number, more: Partial<SearchDocument> = {}) =>
      makeDocument({
        id: `mention:d${i}`, kind: i % 5 ? 'mention' : 'post', source: i % 5 ? (i % 2 ? 'weibo' : 'news') : 'forum', author: `a${i % 3}`,
        text: i % 4 ? '续航不错 价格' : '售后 客服', createdAt: new Date(ms).toISOString(),
        sentiment: { label: labels[i % 3], score: ((i % 7) - 3) / 3, confidence: 1 },
        ...(i % 5 ? {} : { chapter: i % 10 ? 'sz' : 'sh', chapterId: i % 10 ? 1 : 2 }), ...more,
      });
    const corpus = Array.from({ length: 150 }, (_, i) => doc(i, T - 60 * H + i * 29 * 60_000 + 777));
    const authors = ['weibo', 'news', 'forum'].flatMap((source) => ['a0', 'a1', 'a2'].map((author) => ({ source, author })));
    const watch = [{ key: 'range', terms: ['续航'] }, { key: 'service', terms: ['售后', '客服'] }];
    // Averages are summed in another order by the counters: equal to 1e-9.
    const rounded = (a: Aggregates) => JSON.parse(JSON.stringify(a, (k, v: unknown) => (k === 'avgScore' && typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v))) as Aggregates;
    const windows: AggregateQuery[] = [
      { from: new Date(T - 7 * H + 59_000), to: new Date(T + 3 * 60_000), interval: 'hour', watch },
      { from: new Date(T - 49 * H - 1), to: new Date(T), interval: 'day', watch, source: 'weibo', excludeChapterIds: [2] },
      { from: new Date(T - 30 * H), to: new Date(T + 30 * 60_000), interval: 'hour', sentiment: 'neutral', kind: 'post', watch },
      { from: new Date(T - 26 * H), to: new Date(T - 2 * H), interval: 'hour', chapter: 'sz', watch, emerging: 0 },
    ];
    // `authors` listing every author is the same set of documents, answered from the rows.
    const agree = async (backend: SearchBackend) => {
      for (const q of windows) {
        const [fast, raw] = [rounded(await backend.aggregate(q)), rounded(await backend.aggregate({ ...q, authors }))];
        expect(fast, JSON.stringify(q)).to.deep.equal(raw);
        expect(fast.buckets.some((b) => b.total > 0), JSON.stringify(q)).to.equal(true);
      }
    };

    it('agree with the rows, after upserts, re-dated, re-labelled and removed documents', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-doccounts-'));
      const backend = createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') });
      try {
        await backend.index(corpus);
        await backend.index([doc(3, T - 2 * H, { sentiment: { label: 'negative', score: -0.9, confidence: 1 } }), doc(10, T - 50 * H, { chapter: 'sh', chapterId: 2 })]);
        await backend.remove(['mention:d6', 'mention:d7', 'mention:d149']);
        await agree(backend);
        const [{ n }] = await new Promise<{ n: number }[]>((resolve) => {
          const db = new sqlite3.Database(path.join(dir, 'search.sqlite'), sqlite3.OPEN_READONLY);
          db.all('SELECT sum(n) AS n FROM doc_days', (_e, rows: { n: number }[]) => db.close(() => resolve(rows)));
        });
        expect(n).to.equal(await backend.count());
      } finally {
        await backend.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('per-hour partial results (cached, see doc_versions) stay equal to a fresh read after every kind of write, from this process or another', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-partials-'));
      const file = path.join(dir, 'search.sqlite');
      const backend = createEmbeddedBackend({ file });
      // A second instance has its own (empty) cache: what an uncached read gives.
      const fresh = async (q: AggregateQuery) => {
        const other = createEmbeddedBackend({ file });
        try {
          return rounded(await other.aggregate(q));
        } finally {
          await other.close();
        }
      };
      // The count-table path (share of voice cached) and the row path (panels cached) alike.
      const queries = windows.flatMap((q) => [q, { ...q, q: '续航' }, { ...q, keyword: '价格' }]);
      const check = async (step: string) => {
        for (const q of queries) expect(rounded(await backend.aggregate(q)), `${step}: ${JSON.stringify(q)}`).to.deep.equal(await fresh(q));
      };
      try {
        await backend.index(corpus);
        await check('first read');
        await check('warm');
        // Into hours already cached: a new document, an upsert that changes the text and the hour, a removal.
        await backend.index([doc(600, T - 5 * H + 600_000, { text: '续航 售后 价格' })]);
        await check('insert');
        await backend.index([doc(4, T - 6 * H + 1_000, { text: '价格 客服', sentiment: { label: 'positive', score: 0.8, confidence: 1 } })]);
        await check('upsert');
        await backend.remove(['mention:d121', 'mention:d122']);
        await check('remove');
        // Another process writing the same file.
        const other = createEmbeddedBackend({ file });
        await other.index([doc(601, T - 4 * H + 1_000, { text: '客服 续航' })]);
        await other.remove(['mention:d125']);
        await other.close();
        await check('another process');
        await backend.reset();
        await backend.index(corpus.slice(0, 100));
        await check('reset');
      } finally {
        await backend.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('are rebuilt when a version-3 file is upgraded', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-upgrade3-'));
      const file = path.join(dir, 'search.sqlite');
      try {
        let backend = createEmbeddedBackend({ file });
        await backend.index(corpus);
        const expected = rounded(await backend.aggregate(windows[0]));
        await backend.close();
        const db = new sqlite3.Database(file);
        await new Promise<void>((resolve, reject) =>
          db.exec('DROP TRIGGER docs_dc_ai; DROP TRIGGER docs_dc_ad; DROP TRIGGER docs_dc_au; DROP TABLE doc_hours; DROP TABLE doc_days; PRAGMA user_version = 3;', (err) => (err ? reject(err) : resolve())),
        );
        await new Promise<void>((resolve) => db.close(() => resolve()));
        backend = createEmbeddedBackend({ file });
        expect(rounded(await backend.aggregate(windows[0]))).to.deep.equal(expected);
        await backend.index([doc(500, T - H)]); // triggers are back
        await agree(backend);
        await backend.close();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('embedded search backend: version-4 files (before category and title)', () => {
  it('gain the columns in place: old documents stay searchable, new ones are filtered by category and found by title', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-upgrade4-'));
    const file = path.join(dir, 'search.sqlite');
    try {
      let backend: SearchBackend = createEmbeddedBackend({ file });
      await backend.index([makeDocument({ id: 'post:old', text: '旧帖子 续航', createdAt: new Date(Date.UTC(2025, 0, 1)).toISOString() })]);
      await backend.close();
      // What a version-4 file looks like: docs without the two columns.
      const db = new sqlite3.Database(file);
      await new Promise<void>((resolve, reject) =>
        db.exec('ALTER TABLE docs DROP COLUMN category; ALTER TABLE docs DROP COLUMN title; PRAGMA user_version = 4;', (err) => (err ? reject(err) : resolve())),
      );
      await new Promise<void>((resolve) => db.close(() => resolve()));
      backend = createEmbeddedBackend({ file });
      await backend.index([makeDocument({ id: 'post:new', text: '新帖子 续航', title: '露营路线', category: 'trips', createdAt: new Date(Date.UTC(2025, 0, 2)).toISOString() })]);
      expect((await backend.search({ q: '续航', limit: 10 })).items.map((h) => h.id)).to.deep.equal(['post:new', 'post:old']);
      const [old] = (await backend.search({ q: '旧帖子', limit: 10 })).items;
      expect(old).to.include({ id: 'post:old', category: null, title: null });
      expect((await backend.search({ category: 'trips', limit: 10 })).items.map((h) => h.id)).to.deep.equal(['post:new']);
      expect((await backend.search({ q: '露营', limit: 10 })).items.map((h) => h.id)).to.deep.equal(['post:new']);
      await backend.close();
      // Reopening a version-5 file changes nothing.
      backend = createEmbeddedBackend({ file });
      expect(await backend.count()).to.equal(2);
      await backend.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
