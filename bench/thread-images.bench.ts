/**
 * Benchmark: a thread page with 20 photos versus the same thread without them (reference,
 * measured in the same run), anonymous and signed in, plus serving one image variant.
 *
 *   node --import tsx bench/thread-images.bench.ts [--quick]
 *
 * Resonance runs in its own process (server/main.ts, SQLite and uploads in a temp DATA_DIR seeded
 * by a child process through the real upload pipeline); autocannon drives it over loopback.
 * Prints one JSON document on stdout.
 */
import { figure } from './support/headline';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, killAll, rssMB, runTsx, spawnTsx, stop, waitForOk, runBench } from './support/processes';
import { measure, settle, type LoadResult } from './support/load';
import { machine } from './support/machine';
import type { SeededImageThreads } from './support/seed-image-thread';
import { RAISED_LIMITS } from './support/limits';

const quick = process.argv.includes('--quick');
const params = {
  connections: [10],
  durationSec: quick ? 3 : 10,
  warmupSec: quick ? 1 : 2,
  pipelining: 1,
  postsPerThread: 20,
  imagesPerThread: 20,
  loadGenerator: 'autocannon (in the bench process, same machine, loopback)',
  server: 'node --import tsx server/main.ts, NODE_ENV=production, RESONANCE_ROLE=all, SQLite (WAL) and uploads in a temp DATA_DIR',
  note: 'page requests only (the HTML); browsers fetch the lazy images separately, measured as image-variant',
};

type Row = LoadResult & { name: string; connections: number; path: string; serverRssMB: number | null };
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function main(): Promise<void> {
  const loadavg1mAtStart = machine().loadavg1m;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-bench-'));
  try {
    log(`seeding two ${params.postsPerThread}-post threads (one with ${params.imagesPerThread} photos) in ${dataDir}`);
    const out = await runTsx('bench/support/seed-image-thread.ts', { DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    const seeded = JSON.parse(out.trim().split('\n').at(-1)!) as SeededImageThreads;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = spawnTsx('server/main.ts', { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...RAISED_LIMITS });
    await waitForOk(`${base}/healthz`, server);
    const memberCookie = `rs_session=${seeded.memberToken}; rs_csrf=${crypto.randomBytes(24).toString('base64url')}`;

    const withPath = `/t/${seeded.withImages}`;
    const withoutPath = `/t/${seeded.withoutImages}`;
    const withHtml = await (await fetch(base + withPath)).text();
    const withoutHtml = await (await fetch(base + withoutPath)).text();
    const images = (withHtml.match(/<img src="\/uploads\//g) ?? []).length;
    if (images !== params.imagesPerThread) throw new Error(`expected ${params.imagesPerThread} images on the page, found ${images}`);
    if (/<img src="\/uploads\//.test(withoutHtml)) throw new Error('the reference thread has images');
    const imageRes = await fetch(base + seeded.image);
    const imageBytes = (await imageRes.arrayBuffer()).byteLength;
    if (imageRes.headers.get('content-type') !== 'image/webp') throw new Error('image variant not served as WebP');

    const targets: Array<{ name: string; path: string; headers: Record<string, string> }> = [
      { name: 'reference-no-images-anonymous', path: withoutPath, headers: {} },
      { name: 'thread-20-images-anonymous', path: withPath, headers: {} },
      { name: 'reference-no-images-member', path: withoutPath, headers: { cookie: memberCookie } },
      { name: 'thread-20-images-member', path: withPath, headers: { cookie: memberCookie } },
      { name: 'image-variant', path: seeded.image, headers: {} },
    ];
    const results: Row[] = [];
    for (const connections of params.connections) {
      for (const target of targets) {
        log(`${target.name} c=${connections}`);
        const r = await measure(base + target.path, { connections, durationSec: params.durationSec, warmupSec: params.warmupSec, headers: target.headers });
        results.push({ name: target.name, connections, path: target.path, ...r, serverRssMB: rssMB(server.pid) });
        await settle(`${base}/healthz`);
      }
    }
    const rps = (name: string, c: number) => results.find((r) => r.name === name && r.connections === c)?.requestsPerSec ?? NaN;
    const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
    const byConnections = (f: (c: number) => number) => Object.fromEntries(params.connections.map((c) => [`c${c}`, f(c)]));
    const headline = params.connections.flatMap((c) => [
      figure(`thread page with 20 images, anonymous, ${c} conns`, rps('thread-20-images-anonymous', c), 'req/s', true, { params: { connections: c }, reference: { what: 'same thread without images', value: rps('reference-no-images-anonymous', c) } }),
      figure(`thread page with 20 images, member, ${c} conns`, rps('thread-20-images-member', c), 'req/s', true, { params: { connections: c }, reference: { what: 'same thread without images', value: rps('reference-no-images-member', c) } }),
      figure(`image variant, ${c} conns`, rps('image-variant', c), 'req/s', true, { params: { connections: c } }),
    ]);
    const report = {
      benchmark: 'thread-images',
      headline,
      date: new Date().toISOString(),
      params: { ...params, quick },
      machine: { ...machine(), loadavg1mAtStart, loadavg1mAtEnd: machine().loadavg1m, busy: Math.max(loadavg1mAtStart, machine().loadavg1m) > os.cpus().length },
      seeded: { ...seeded, memberToken: undefined, pageBytesWithImages: Buffer.byteLength(withHtml), pageBytesWithout: Buffer.byteLength(withoutHtml), imageVariantBytes: imageBytes },
      results,
      ratios: {
        anonymousImagesVsReference: byConnections((c) => ratio(rps('thread-20-images-anonymous', c), rps('reference-no-images-anonymous', c))),
        memberImagesVsReference: byConnections((c) => ratio(rps('thread-20-images-member', c), rps('reference-no-images-member', c))),
      },
    };
    await stop(server);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await killAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);
