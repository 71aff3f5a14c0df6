/**
 * The listening benchmarks' document corpus: `count` seeded mentions (mentionItems) analysed by
 * makeDocument, spread over the 7 days before `anchorMs`, cached as JSON lines under .cache/bench/
 * (keyed by count, seed and a hash of search/analysis/*.ts, search/documents.ts and
 * bench/support/listening.ts, so an analysis or generator change rebuilds). Shared by the search
 * and opinion benchmarks, so both run on the same documents and the cache is built once.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from './processes';
import { log, mentionDocument, mentionItems } from './listening';
import type { SearchDocument } from '../../search/backend';

function analysisHash(): string {
  const dir = path.join(repoRoot, 'search', 'analysis');
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|json|txt)$/.test(e.name)) h.update(e.name).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  h.update(fs.readFileSync(path.join(repoRoot, 'search', 'documents.ts')));
  h.update(fs.readFileSync(path.join(repoRoot, 'bench', 'support', 'listening.ts')));
  return h.digest('hex').slice(0, 12);
}

export interface Corpus {
  docs: SearchDocument[];
  built: boolean;
  buildSeconds: number;
  cacheFile: string;
}

/** Build (or load from the cache) the documents. */
export async function benchDocuments(opts: { count: number; seed: number; anchorMs: number; generatorVersion: number }): Promise<Corpus> {
  const dir = path.join(repoRoot, '.cache', 'bench');
  fs.mkdirSync(dir, { recursive: true });
  const cacheFile = path.join(dir, `search-docs-${opts.count}-${opts.seed}-v${opts.generatorVersion}-${analysisHash()}.jsonl`);
  if (fs.existsSync(cacheFile)) {
    log(`loading cached documents ${path.relative(repoRoot, cacheFile)}`);
    const docs: SearchDocument[] = [];
    for await (const line of readline.createInterface({ input: fs.createReadStream(cacheFile) })) if (line) docs.push(JSON.parse(line) as SearchDocument);
    if (docs.length === opts.count) return { docs, built: false, buildSeconds: 0, cacheFile };
    log('cache incomplete; rebuilding');
  }
  const items = mentionItems(opts.count, opts.seed, 'search', opts.anchorMs);
  const t0 = performance.now();
  const docs = items.map((it, i) => {
    if (i % 10_000 === 0) log(`makeDocument ${i}/${items.length}`);
    return mentionDocument(it, i);
  });
  const buildSeconds = (performance.now() - t0) / 1000;
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  // In chunks: a million documents joined into one string is past V8's string limit.
  const fd = fs.openSync(tmp, 'w');
  for (let i = 0; i < docs.length; i += 10_000) fs.writeSync(fd, docs.slice(i, i + 10_000).map((d) => `${JSON.stringify(d)}\n`).join(''));
  fs.closeSync(fd);
  fs.renameSync(tmp, cacheFile);
  return { docs, built: true, buildSeconds, cacheFile };
}
