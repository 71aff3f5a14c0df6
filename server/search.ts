/** Chooses and owns the search backend: Elasticsearch when ELASTICSEARCH_URL is set, else the embedded SQLite FTS5 index. */
import path from 'node:path';
import type { Config } from './config';
import type { SearchBackend } from '../search/backend';
import { log } from './log';
// Static imports on purpose: the analysis module holds the segmentation dictionary, and a dynamic
// import can load a second copy of it under some loaders (mocha's), with words added to only one.
import { createElasticsearchBackend } from '../search/elasticsearch';
import { createEmbeddedBackend } from '../search/embedded';
import { ensurePrivateFile } from './files';

export interface SearchService {
  backend: SearchBackend;
  /** Create indices/tables once; retried on later calls if the backend was down. */
  ready(): Promise<void>;
  /** Whether the backend answers right now. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** Build the configured backend (not yet initialised: a down backend must not stop the forum). */
export async function createSearch(config: Config): Promise<SearchService> {
  let backend: SearchBackend;
  if (config.ELASTICSEARCH_URL) {
    backend = createElasticsearchBackend({
      node: config.ELASTICSEARCH_URL,
      indexPrefix: config.ELASTICSEARCH_INDEX_PREFIX,
      refresh: config.ELASTICSEARCH_REFRESH === 'wait_for' ? 'wait_for' : false,
    });
  } else {
    const file = path.join(config.dataDir, 'search.sqlite');
    ensurePrivateFile(file);
    backend = createEmbeddedBackend({ file, aggregateCacheRows: config.EMBEDDED_AGGREGATE_CACHE_ROWS });
  }
  let initialised: Promise<void> | null = null;
  return {
    backend,
    ready() {
      initialised ??= backend.init().catch((err) => {
        initialised = null;
        throw err;
      });
      return initialised;
    },
    async healthy() {
      return backend.ping().catch(() => false);
    },
    async close() {
      await backend.close().catch((err) => log.warn('search backend close failed', { error: String(err) }));
    },
  };
}
