import { Client } from '@elastic/elasticsearch';
import { expect } from 'chai';
import { segmentForIndex } from '../../search/analysis';
import type { SearchBackend, SearchDocument } from '../../search/backend';
import { createElasticsearchBackend, DOCS_MAPPINGS, reindexElasticsearch } from '../../search/elasticsearch';
import { requireElasticsearch, type ElasticsearchHandle } from '../support/elasticsearch';

// What only the Elasticsearch backend has: the template, the versioned index behind an alias,
// strict mappings, bulk failures, and the reindex with its atomic alias swap. The behaviour
// both backends share is in search-backends.test.ts.

let seq = 0;
function doc(over: Partial<SearchDocument> & { text: string }): SearchDocument {
  seq += 1;
  return {
    id: `post:${seq}`,
    kind: 'post',
    tokens: segmentForIndex(over.text),
    lang: 'zh',
    sentiment: { label: 'neutral', score: 0, confidence: 0.5 },
    keywords: [],
    hashtags: [],
    author: `author${seq}`,
    authorFollowers: null,
    kol: false,
    chapter: null,
    chapterId: null,
    threadId: null,
    category: null,
    title: null,
    source: 'forum',
    url: null,
    complaint: null,
    createdAt: new Date(Date.UTC(2025, 0, 1, 0, seq)).toISOString(),
    ...over,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('Elasticsearch backend (index layout, bulk, reindex)', function () {
  let es: ElasticsearchHandle;
  let client: Client;
  const prefix = `esb-${process.pid}-${Date.now()}`;
  const alias = `${prefix}-docs`;
  const backends: SearchBackend[] = [];
  const make = (refresh?: boolean | 'wait_for') => {
    const b = createElasticsearchBackend({ node: es.url, indexPrefix: prefix, refresh });
    backends.push(b);
    return b;
  };
  const aliasTargets = async () => Object.keys(await client.indices.getAlias({ name: alias })).sort();

  before(async function () {
    es = await requireElasticsearch(this);
    client = new Client({ node: es.url });
  });

  after(async function () {
    for (const b of backends) await b.close().catch(() => {});
    if (client) {
      await client.indices.delete({ index: `${prefix}-docs-*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => {});
      await client.indices.deleteIndexTemplate({ name: `${prefix}-docs-template` }).catch(() => {});
      await client.close();
    }
  });

  it('init() is idempotent, sequentially and concurrently, and leaves one versioned index behind the alias', async function () {
    const a = make();
    const b = make();
    await Promise.all([a.init(), b.init(), a.init()]);
    await a.init();
    const targets = await aliasTargets();
    expect(targets).to.have.length(1);
    expect(targets[0]).to.match(new RegExp(`^${prefix}-docs-v\\d+$`));
    const all = await client.indices.get({ index: `${prefix}-docs-*` });
    expect(Object.keys(all)).to.deep.equal(targets);
    expect(await a.ping()).to.equal(true);
  });

  it('maps tokens with the whitespace analyzer under a strict dynamic mapping, from the template', async function () {
    const [index] = await aliasTargets();
    const mapping = (await client.indices.getMapping({ index }))[index].mappings;
    expect(mapping.dynamic).to.equal('strict');
    const props = mapping.properties!;
    expect(props.tokens).to.include({ type: 'text', analyzer: 'whitespace' });
    expect(props.text).to.include({ index: false });
    expect(props.createdAt).to.include({ type: 'date' });
    expect(props.chapterId).to.include({ type: 'integer' });
    const tpl = await client.indices.getIndexTemplate({ name: `${prefix}-docs-template` });
    expect(tpl.index_templates[0].index_template.index_patterns).to.deep.equal([`${prefix}-docs-*`]);
    const settings = (await client.indices.getSettings({ index }))[index].settings!.index!;
    expect(settings.refresh_interval).to.equal('1s'); // explicit, for writers using refresh: false

    const analyzed = await client.indices.analyze({ index, field: 'tokens', text: segmentForIndex('续航很拉胯').join(' ') });
    expect(analyzed.tokens!.map((t) => t.token)).to.deep.equal(['续航', '很', '拉胯']);
  });

  it('finds Chinese words as words, and upserts by id', async function () {
    const b = make();
    await b.reset();
    const hit = doc({ text: '续航很拉胯，充电也慢' });
    const distractor = doc({ text: '屏幕拉到胯部的设计' }); // has 拉 and 胯, not the word 拉胯
    await b.index([hit, distractor]);
    await b.index([hit]); // same id again: still one document
    expect(await b.count()).to.equal(2);
    const res = await b.search({ q: '拉胯', limit: 10 });
    expect(res.items.map((i) => i.id)).to.deep.equal([hit.id]);
    expect(res.items[0].highlight).to.contain('<mark>拉胯</mark>');
  });

  it('index() throws when any bulk item fails (wrong type, unknown field), so the pipeline retries', async function () {
    const b = make();
    const good = doc({ text: '正常的帖子' });
    const wrongType = { ...doc({ text: '坏日期' }), createdAt: 'not a date' } as SearchDocument;
    let err: Error | null = null;
    try {
      await b.index([good, wrongType]);
    } catch (e) {
      err = e as Error;
    }
    expect(err, 'index() should throw').to.be.instanceOf(Error);
    expect(err!.message).to.match(/1 of 2 items failed/).and.to.contain(wrongType.id);

    const unknownField = { ...doc({ text: '多余字段' }), surprise: 1 } as unknown as SearchDocument;
    let strictErr: Error | null = null;
    await b.index([unknownField]).catch((e: Error) => (strictErr = e));
    expect(strictErr, 'strict mapping rejects unknown fields').to.be.instanceOf(Error);
  });

  it('removes by id and by author without _delete_by_query, keeping the alias', async function () {
    const b = make();
    await b.reset();
    const [x, y, z] = [doc({ text: '一', author: 'alice' }), doc({ text: '二', author: 'alice' }), doc({ text: '三', author: 'bob' })];
    await b.index([x, y, z, { ...doc({ text: '四', author: 'alice' }), kind: 'mention', source: 'weibo' }]);
    await b.remove([z.id, 'post:does-not-exist']);
    expect(await b.count()).to.equal(3);
    await b.removeByAuthor(['alice'], 'post');
    expect((await b.search({ limit: 10 })).items.map((i) => i.kind)).to.deep.equal(['mention']);
    await b.reset();
    expect(await b.count()).to.equal(0);
    expect(await aliasTargets()).to.have.length(1);
  });

  it('with refresh: false, writes become searchable within the 1s refresh interval', async function () {
    const b = make(false);
    await b.reset();
    await b.index([doc({ text: '异步可见' })]);
    let n = 0;
    for (let i = 0; i < 40 && n === 0; i++) {
      await sleep(100);
      n = await b.count();
    }
    expect(n).to.equal(1);
  });

  it('reindex swaps the alias atomically while searches keep answering, deletes the old index, and only has what the iterable yields', async function () {
    this.timeout(120_000);
    const b = make();
    await b.reset();
    const before = await aliasTargets();
    const oldOnly = doc({ text: '旧索引独有' });
    const kept = doc({ text: '两边都有' });
    await b.index([oldOnly, kept]);

    // Searches against the alias in a loop for the whole reindex: none may fail, and until the
    // swap they see the old data.
    let reindexDone = false;
    let searches = 0;
    let sawOldDuringReindex = 0;
    const searchErrors: unknown[] = [];
    const searchLoop = (async () => {
      while (!reindexDone) {
        try {
          const r = await b.search({ q: '旧索引独有', limit: 5 });
          searches++;
          if (r.items.some((i) => i.id === oldOnly.id)) sawOldDuringReindex++;
        } catch (e) {
          searchErrors.push(e);
        }
      }
    })();

    // The live write made while the rebuild runs goes through the alias to the OLD index.
    const duringRebuild = doc({ text: '重建期间写入' });
    const fresh = Array.from({ length: 250 }, (_, i) => doc({ text: `新数据 第${i}条` }));
    async function* batches(): AsyncIterable<SearchDocument[]> {
      yield [kept];
      await sleep(300);
      await b.index([duringRebuild]);
      for (let i = 0; i < fresh.length; i += 50) {
        await sleep(100);
        yield fresh.slice(i, i + 50);
      }
    }
    const result = await reindexElasticsearch({ node: es.url, indexPrefix: prefix, docs: batches() }).finally(() => {
      reindexDone = true;
    });
    await searchLoop;

    expect(searchErrors, String(searchErrors[0])).to.deep.equal([]);
    expect(searches).to.be.greaterThan(5);
    expect(sawOldDuringReindex).to.be.greaterThan(0);

    expect(result.count).to.equal(1 + fresh.length);
    expect(result.previous).to.deep.equal(before);
    expect(await aliasTargets()).to.deep.equal([result.index]);
    expect(await client.indices.exists({ index: before[0] })).to.equal(false);
    const remaining = Object.keys(await client.indices.get({ index: `${prefix}-docs-*` }));
    expect(remaining).to.deep.equal([result.index]);

    // The new index holds exactly what the iterable yielded: the old-only doc is gone, and so
    // is the write made during the rebuild ...
    expect(await b.count()).to.equal(1 + fresh.length);
    expect((await b.search({ q: '旧索引独有', limit: 5 })).total).to.equal(0);
    expect((await b.search({ q: '两边都有', limit: 5 })).items.map((i) => i.id)).to.deep.equal([kept.id]);
    expect((await b.search({ q: '重建期间写入', limit: 5 })).total).to.equal(0);
    // ... until the caller replays the events recorded since the rebuild started (idempotent upserts).
    await b.index([duringRebuild, kept]);
    expect((await b.search({ q: '重建期间写入', limit: 5 })).items.map((i) => i.id)).to.deep.equal([duringRebuild.id]);
    expect(await b.count()).to.equal(2 + fresh.length);

    // Writes keep going through the alias to the new index; init() leaves it alone.
    await b.init();
    expect(await aliasTargets()).to.deep.equal([result.index]);
  });

  it('a failed reindex leaves the alias where it was and removes its half-built index', async function () {
    const targets = await aliasTargets();
    async function* broken(): AsyncIterable<SearchDocument[]> {
      yield [doc({ text: '好的' })];
      yield [{ ...doc({ text: '坏的' }), createdAt: 'nope' } as SearchDocument];
    }
    let err: Error | null = null;
    await reindexElasticsearch({ node: es.url, indexPrefix: prefix, docs: broken() }).catch((e: Error) => (err = e));
    expect(err).to.be.instanceOf(Error);
    expect(await aliasTargets()).to.deep.equal(targets);
    expect(Object.keys(await client.indices.get({ index: `${prefix}-docs-*` }))).to.deep.equal(targets);
  });

  it('ping() is false when nothing answers', async function () {
    const b = createElasticsearchBackend({ node: 'http://127.0.0.1:9', indexPrefix: prefix });
    expect(await b.ping()).to.equal(false);
    await b.close();
  });
});

describe('Elasticsearch backend: an index created before category and title', function () {
  let es: ElasticsearchHandle;
  let client: Client;
  const prefix = `esold-${process.pid}-${Date.now()}`;
  // Outside the template's pattern, so it keeps the old mapping it is created with.
  const legacy = `${prefix}-legacy`;
  let backend: SearchBackend | null = null;

  before(async function () {
    es = await requireElasticsearch(this);
    client = new Client({ node: es.url });
  });

  after(async function () {
    await backend?.close().catch(() => {});
    if (client) {
      await client.indices.delete({ index: [legacy, `${prefix}-docs-*`], ignore_unavailable: true, allow_no_indices: true }).catch(() => {});
      await client.indices.deleteIndexTemplate({ name: `${prefix}-docs-template` }).catch(() => {});
      await client.close();
    }
  });

  it('gets the new fields at init: old documents stay searchable, new ones are filtered by category and found by title', async function () {
    const { category: _category, title: _title, ...oldProperties } = DOCS_MAPPINGS.properties!;
    await client.indices.create({ index: legacy, mappings: { ...DOCS_MAPPINGS, properties: oldProperties }, aliases: { [`${prefix}-docs`]: { is_write_index: true } } });
    const { category: _c, title: _t, ...oldDoc } = doc({ id: 'post:old', text: '旧帖子 续航' });
    await client.index({ index: `${prefix}-docs`, id: 'post:old', document: { ...oldDoc, tokens: oldDoc.tokens.join(' ') }, refresh: true });
    backend = createElasticsearchBackend({ node: es.url, indexPrefix: prefix });
    await backend.init();
    await backend.init(); // idempotent
    await backend.index([doc({ id: 'post:new', text: '新帖子 续航', category: 'trips', title: '露营路线', tokens: [...segmentForIndex('新帖子 续航'), ...segmentForIndex('露营路线')] })]);
    expect((await backend.search({ q: '续航', limit: 10 })).items.map((h) => h.id)).to.deep.equal(['post:new', 'post:old']);
    const [old] = (await backend.search({ q: '旧帖子', limit: 10 })).items;
    expect(old).to.include({ id: 'post:old', category: null, title: null });
    expect((await backend.search({ category: 'trips', limit: 10 })).items.map((h) => h.id)).to.deep.equal(['post:new']);
    expect((await backend.search({ opening: true, limit: 10 })).items.map((h) => h.id)).to.deep.equal(['post:new']);
    expect((await backend.search({ q: '露营', limit: 10 })).items.map((h) => h.id)).to.deep.equal(['post:new']);
  });
});
