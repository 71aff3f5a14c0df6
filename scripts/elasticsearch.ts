/**
 * Elasticsearch for benchmarks and manual use (the same one the tests use).
 *
 *   node --import tsx scripts/elasticsearch.ts fetch
 *       download + extract the distribution into .cache/elasticsearch (CI runs this before tests)
 *   node --import tsx scripts/elasticsearch.ts start [--port N] [--heap 1g] [--detach]
 *       start one on 127.0.0.1 and print ELASTICSEARCH_URL=... and ELASTICSEARCH_PID=...;
 *       without --detach it runs until Ctrl-C / SIGTERM and then stops the node and removes its data;
 *       with --detach it exits and leaves the node running (stop it with `stop PID`)
 *   node --import tsx scripts/elasticsearch.ts stop PID
 *       stop a detached node (its process group) and remove its run dir
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  ES_ARTIFACT,
  ensureDistribution,
  killElasticsearchGroup,
  startElasticsearch,
} from '../test/support/elasticsearch';

const log = (m: string) => console.error(`[elasticsearch] ${m}`);

function usage(code: number): never {
  console.error('usage: scripts/elasticsearch.ts fetch | start [--port N] [--heap SIZE] [--detach] | stop PID');
  process.exit(code);
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) usage(2);
  return v;
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  switch (cmd) {
    case 'fetch': {
      const t0 = Date.now();
      const dir = ensureDistribution(log);
      console.log(`${ES_ARTIFACT} ready in ${path.relative(process.cwd(), dir) || dir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      return;
    }
    case 'start': {
      const detach = args.includes('--detach');
      const port = flag(args, '--port');
      const es = await startElasticsearch({
        log,
        ignoreEnvUrl: true,
        detached: detach,
        port: port ? Number(port) : undefined,
        heap: flag(args, '--heap'),
      });
      console.log(`ELASTICSEARCH_URL=${es.url}`);
      console.log(`ELASTICSEARCH_PID=${es.pid}`);
      console.log(`ELASTICSEARCH_RUN_DIR=${es.runDir}`);
      if (detach) {
        log(`left running; stop it with: node --import tsx scripts/elasticsearch.ts stop ${es.pid}`);
        process.exit(0);
      }
      log('running; Ctrl-C (or SIGTERM) stops it');
      const shutdown = async () => {
        log('stopping ...');
        await es.stop();
        process.exit(0);
      };
      process.removeAllListeners('SIGINT');
      process.removeAllListeners('SIGTERM');
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      setInterval(() => {}, 1 << 30); // stay alive
      return;
    }
    case 'stop': {
      const pid = Number(args[0]);
      if (!Number.isInteger(pid) || pid <= 1) usage(2);
      let environ = '';
      try {
        environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      } catch {
        console.error(`no process ${pid}`);
        process.exit(1);
      }
      const conf = environ.split('\0').find((e) => e.startsWith('ES_PATH_CONF='))?.slice('ES_PATH_CONF='.length);
      if (!conf || !path.basename(path.dirname(conf)).startsWith('resonance-es-')) {
        console.error(`process ${pid} is not an Elasticsearch started by this script; not touching it`);
        process.exit(1);
      }
      await killElasticsearchGroup(pid);
      fs.rmSync(path.dirname(conf), { recursive: true, force: true });
      console.log(`stopped ${pid}`);
      return;
    }
    default:
      usage(cmd ? 2 : 0);
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
