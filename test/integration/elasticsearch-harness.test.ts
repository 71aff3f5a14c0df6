import { Client } from '@elastic/elasticsearch';
import { expect } from 'chai';
import { requireElasticsearch, type ElasticsearchHandle } from '../support/elasticsearch';

// The minimal ES distribution has no analysis-common (no cjk analyzer): Chinese text is
// segmented in Node (jieba) before indexing and searched with a `whitespace` analyzer.
describe('Elasticsearch test harness', function () {
  let es: ElasticsearchHandle;
  let client: Client;
  const index = `harness-${process.pid}-${Date.now()}`;

  before(async function () {
    // Shared instance for the whole run; skips (with the reason) when ES can't start,
    // except under CI=true, where it throws and so fails the suite.
    es = await requireElasticsearch(this);
    client = new Client({ node: es.url });
  });

  after(async function () {
    if (client) {
      await client.indices.delete({ index, ignore_unavailable: true }).catch(() => {});
      await client.close();
    }
  });

  it('reports a yellow or green cluster health through the official client', async function () {
    const health = await client.cluster.health();
    expect(['green', 'yellow']).to.include(health.status);
    expect(health.number_of_nodes).to.equal(1);
  });

  it('indexes pre-segmented Chinese text and finds it by a whole word', async function () {
    await client.indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { properties: { body: { type: 'text', analyzer: 'whitespace' }, tag: { type: 'keyword' } } },
    });
    const docs = [
      { id: '1', body: '续航 很 拉胯', tag: 'battery-bad' },
      { id: '2', body: '续航 很 给力', tag: 'battery-good' },
      { id: '3', body: '屏幕 拉 胯部 设计', tag: 'distractor' }, // has 拉 and 胯 but not the word 拉胯
    ];
    const bulk = await client.bulk({
      refresh: 'wait_for',
      operations: docs.flatMap(({ id, ...doc }) => [{ index: { _index: index, _id: id } }, doc]),
    });
    expect(bulk.errors, JSON.stringify(bulk.items)).to.equal(false);

    const res = await client.search<{ body: string; tag: string }>({
      index,
      query: { match: { body: '拉胯' } },
    });
    const hits = res.hits.hits;
    expect(hits.map((h) => h._id)).to.deep.equal(['1']);
    expect(hits[0]._source?.tag).to.equal('battery-bad');

    const analyzed = await client.indices.analyze({ index, field: 'body', text: '续航 很 拉胯' });
    expect(analyzed.tokens?.map((t) => t.token)).to.deep.equal(['续航', '很', '拉胯']);

    await client.indices.delete({ index });
    expect(await client.indices.exists({ index })).to.equal(false);
  });
});
