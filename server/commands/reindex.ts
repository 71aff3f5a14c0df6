/**
 * `resonance reindex`: rebuild the search index from the database while the server keeps running.
 * Elasticsearch: a new versioned index is filled and the alias swapped atomically. Embedded: the
 * documents are rewritten in place. Either way, events committed during the rebuild are replayed
 * afterwards by rewinding the indexer's cursor to where the rebuild started (upserts are idempotent).
 */
import { Op } from 'sequelize';
import type { Config } from '../config';
import { openDatabase, closeDatabase } from '../db';
import { migrate } from '../migrate';
import { createSearch } from '../search';
import { loadDictionary } from '../services/dictionary';
import { buildMentionDocuments, buildPostDocuments } from '../workers/indexer';
import { Mention, OutboxEvent, Post, ProcessorCursor } from '../models';
import type { SearchDocument } from '../../search/backend';
import { reindexElasticsearch } from '../../search/elasticsearch';

const BATCH = 500;

/** Every indexable document in the database, in batches. */
export async function* allDocuments(): AsyncGenerator<SearchDocument[]> {
  let after = 0;
  for (;;) {
    const posts = await Post.findAll({ where: { id: { [Op.gt]: after } }, order: [['id', 'ASC']], limit: BATCH, attributes: ['id'] });
    if (posts.length === 0) break;
    const { docs } = await buildPostDocuments(posts.map((p) => p.id));
    if (docs.length) yield docs;
    after = posts[posts.length - 1].id;
  }
  after = 0;
  for (;;) {
    const mentions = await Mention.findAll({ where: { id: { [Op.gt]: after } }, order: [['id', 'ASC']], limit: BATCH, attributes: ['id'] });
    if (mentions.length === 0) break;
    const { docs } = await buildMentionDocuments(mentions.map((m) => m.id));
    if (docs.length) yield docs;
    after = mentions[mentions.length - 1].id;
  }
}

/** Rebuild the index; prints a JSON summary. */
export async function reindex(config: Config): Promise<{ backend: string; documents: number; index?: string }> {
  const sequelize = await openDatabase(config);
  await migrate(sequelize);
  await loadDictionary();
  const search = await createSearch(config);
  await search.ready();
  const started = Date.now();
  const position = ((await OutboxEvent.max('id')) as number | null) ?? 0;
  let documents = 0;
  let index: string | undefined;
  const counted = async function* () {
    for await (const batch of allDocuments()) {
      documents += batch.length;
      process.stderr.write(`\rindexed ${documents}`);
      yield batch;
    }
  };
  if (search.backend.name === 'elasticsearch') {
    const result = await reindexElasticsearch({ node: config.ELASTICSEARCH_URL!, indexPrefix: config.ELASTICSEARCH_INDEX_PREFIX, docs: counted() });
    index = result.index;
  } else {
    await search.backend.reset();
    for await (const batch of counted()) await search.backend.index(batch);
  }
  process.stderr.write('\n');
  // Replay whatever the live pipeline indexed while we rebuilt (into the old index).
  await ProcessorCursor.update({ lastEventId: position }, { where: { name: 'index', lastEventId: { [Op.gt]: position } } });
  const summary = { backend: search.backend.name, documents, index, replayFromEvent: position, seconds: (Date.now() - started) / 1000 };
  console.log(JSON.stringify(summary));
  await search.close();
  await closeDatabase();
  return summary;
}
