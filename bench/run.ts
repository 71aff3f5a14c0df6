/**
 * `npm run bench -- [name ...] [-- args]`: runs the named benchmarks (default: all) one after
 * another, each in its own process so none shares an event loop with another, and passes the
 * arguments after `--` through. Each prints its own JSON document.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
let failed = 0;
for (const name of chosen) {
  process.stderr.write(`\n=== bench ${name} ${passThrough.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, `${name}.bench.ts`), ...passThrough], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
