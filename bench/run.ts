/**
 * `npm run bench -- [name ...] [--quick] [-- args]`: runs the named benchmarks (default: all) one
 * after another, each in its own process so none shares an event loop with another, and passes
 * the flags (or everything after `--`) through. Each bench's stdout is echoed and parsed, and the
 * run is written to bench/results/latest.{json,md,svg} after every bench, so an interrupted run
 * still leaves a report. A bench that fails is reported as failed and the others still run.
 * Benches that take `--backend` (default both) share one Elasticsearch node, started before the
 * first of them (unless ELASTICSEARCH_URL is set) and stopped after the last: on a busy 2-core
 * machine each bench starting its own spent ~45 s of the run waiting for the JVM.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { elasticsearchForRun, type BenchElasticsearch } from './support/listening';
import { machine } from './support/machine';
import { parseBenchOutput, writeReport, type BenchOutcome, type BenchRun } from './support/report';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = fs.readdirSync(here).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length)).sort();
const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const names = (split >= 0 ? argv.slice(0, split) : argv).filter((a) => !a.startsWith('-'));
const passThrough = split >= 0 ? argv.slice(split + 1) : argv.filter((a) => a.startsWith('-'));
const chosen = names.length ? names : available;
const unknown = chosen.filter((n) => !available.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

/** Runs one bench, echoing its stdout while keeping it to parse. */
function runOne(name: string): Promise<BenchOutcome> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, `${name}.bench.ts`), ...passThrough], { stdio: ['inherit', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => {
    chunks.push(c);
    process.stdout.write(c);
  });
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`bench ${name}: ${String(err)}\n`);
      resolve({ exitCode: null, seconds: round((performance.now() - t0) / 1000), result: null });
    });
    child.on('close', (code) => resolve({ exitCode: code, seconds: round((performance.now() - t0) / 1000), result: parseBenchOutput(Buffer.concat(chunks).toString('utf8')) }));
  });
}

const round = (x: number) => Math.round(x * 10) / 10;

/** The benches that run on both backends unless told `--backend embedded`. */
const embeddedOnly = passThrough.some((a, i) => a === '--backend=embedded' || (a === '--backend' && passThrough[i + 1] === 'embedded'));
const wantsElasticsearch = (name: string) => !embeddedOnly && fs.readFileSync(path.join(here, `${name}.bench.ts`), 'utf8').includes('backendsFromArgs()');
let es: BenchElasticsearch | null = null;
let esTried = false;
// Ctrl-C: exit through the 'exit' hook that stops the shared node (the benches get the signal too).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const resultsDir = path.join(here, 'results');
const m = machine();
const run: BenchRun = {
  startedAt: new Date().toISOString(),
  finishedAt: null,
  quick: passThrough.includes('--quick'),
  args: argv,
  machine: { ...m, loadavg1mAtStart: m.loadavg1m },
  elasticsearch: process.env.ELASTICSEARCH_URL ? 'ELASTICSEARCH_URL' : 'none',
  benches: {},
};
let failures = 0;
for (const name of chosen) {
  process.stderr.write(`\n=== bench ${name} ${passThrough.join(' ')}\n`);
  if (!esTried && !process.env.ELASTICSEARCH_URL && wantsElasticsearch(name)) {
    esTried = true;
    try {
      es = await elasticsearchForRun();
      process.env.ELASTICSEARCH_URL = es.url; // inherited by every later bench
      run.elasticsearch = `one node started by bench/run.ts before ${name}, shared by the benches that take --backend`;
    } catch (err) {
      process.stderr.write(`shared Elasticsearch did not start (${String(err)}); each bench starts its own\n`);
    }
  }
  const outcome = await runOne(name);
  // An idle JVM would still take memory and some CPU from the benches after the last that needs it.
  if (es && !chosen.slice(chosen.indexOf(name) + 1).some(wantsElasticsearch)) {
    await es.stop();
    es = null;
    delete process.env.ELASTICSEARCH_URL;
  }
  run.benches[name] = outcome;
  if (outcome.exitCode !== 0 || outcome.result === null) {
    failures++;
    process.stderr.write(`=== bench ${name} FAILED (exit code ${outcome.exitCode}${outcome.result === null ? ', no JSON document on stdout' : ''})\n`);
  }
  run.machine.loadavg1mAtEnd = machine().loadavg1m;
  writeReport(resultsDir, run);
}
await es?.stop();
run.finishedAt = new Date().toISOString();
const files = writeReport(resultsDir, run);
process.stderr.write(`\nreport: ${Object.values(files).map((f) => path.relative(process.cwd(), f)).join(', ')}${failures ? `; ${failures} bench(es) failed` : ''}\n`);
process.exit(failures ? 1 : 0);
