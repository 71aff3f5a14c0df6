/**
 * Mocha root hooks, loaded through `"require": ["test/support/hooks.ts"]` in .mocharc.json.
 * Stops the Elasticsearch shared by the search suites (see ./elasticsearch.ts) once the
 * whole run is over. Process exit and SIGINT/SIGTERM/SIGHUP kill it as well, as a backstop.
 */
import { stopSharedElasticsearch } from './elasticsearch';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopSharedElasticsearch();
  },
};
