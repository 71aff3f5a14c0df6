/**
 * Shared helpers for the listening benchmarks (ingest, latency, search): a seeded PRNG, realistic
 * mixed Chinese/English brand chatter, a Resonance server per backend, an Elasticsearch node for
 * the run (started with scripts/elasticsearch.ts and stopped at the end, on error and on exit),
 * login + API keys, and percentiles.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, repoRoot, spawnTsx, stop, waitForOk } from './processes';
import { makeDocument } from '../../search/documents';
import type { SearchBackend, SearchDocument } from '../../search/backend';
import { createEmbeddedBackend } from '../../search/embedded';
import { createElasticsearchBackend } from '../../search/elasticsearch';
import { KOL_FOLLOWERS } from '../../server/workers/indexer';
import { rng } from '../../search/train/sentiment-data';
import { RAISED_LIMITS } from './limits';

export type BackendName = 'embedded' | 'elasticsearch';

export const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** `--name value` from argv, else the default. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] && !process.argv[i + 1].startsWith('--') ? process.argv[i + 1] : fallback;
}

export function backendsFromArgs(): BackendName[] {
  const b = arg('backend', 'both');
  if (b === 'both') return ['embedded', 'elasticsearch'];
  if (b === 'embedded' || b === 'elasticsearch') return [b];
  throw new Error(`--backend must be embedded, elasticsearch or both (got ${b})`);
}

/** mulberry32 (the same generator the sentiment splits use). */
export const prng = rng;

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

export const SOURCES = ['weibo', 'wechat', 'douyin', 'xiaohongshu', 'news'] as const;
const BRANDS = ['极光汽车', 'Aurora', '极光 X7', 'Aurora S', '极光'];
const CITIES = ['上海', '北京', '深圳', '杭州', '成都', '广州', '武汉'];
const FEATURES = ['续航', '充电', '车机', '智驾', '座椅', '内饰', '售后', '客服', '价格', '隔音'];
const GOOD = ['很满意', '超出预期', '真的香', '体验很好', '值得推荐', '没得说'];
const BAD = ['太失望了', '很拉胯', '问题很多', '让人生气', '完全不行', '投诉无门'];
const EN_GOOD = ['love the range', 'charging is fast', 'great value', 'the OTA update is solid'];
const EN_BAD = ['battery drain is real', 'service centre ignored me', 'phantom braking again', 'worst delivery experience'];
/** One rare word (about 1 document in 500): the "rare word" query of the search benchmark. */
export const RARE_WORD = '召回';

const TEMPLATES: Array<(r: () => number) => string> = [
  (r) => `${pick(r, BRANDS)}的${pick(r, FEATURES)}${pick(r, GOOD)}，在${pick(r, CITIES)}跑了一周，${pick(r, FEATURES)}也不错。`,
  (r) => `${pick(r, BRANDS)} ${pick(r, FEATURES)}${pick(r, BAD)}！预约了三次都被改期，客服只会说"已反馈"，希望官方看看。`,
  (r) => `Test drove the ${pick(r, BRANDS)} in ${pick(r, ['Shanghai', 'Shenzhen', 'Hangzhou'])} today: ${pick(r, EN_GOOD)}, but ${pick(r, EN_BAD)}.`,
  (r) => `#${pick(r, BRANDS)}# ${pick(r, CITIES)}车展现场人好多，新款${pick(r, FEATURES)}和${pick(r, FEATURES)}都升级了，价格${pick(r, ['不变', '降了两万', '涨了一点'])}。`,
  (r) => `${pick(r, EN_BAD)}. ${pick(r, BRANDS)} please fix this, my ${pick(r, ['battery', 'screen', 'app', 'charger'])} has been broken for ${2 + Math.floor(r() * 20)} days.`,
  (r) => `提车${1 + Math.floor(r() * 11)}个月小结：${pick(r, FEATURES)}${pick(r, GOOD)}，${pick(r, FEATURES)}${pick(r, BAD)}，总体${5 + Math.floor(r() * 5)}/10。`,
  (r) => `求问${pick(r, CITIES)}的车友，${pick(r, BRANDS)}冬天${pick(r, FEATURES)}怎么样？听说${pick(r, ['掉电很快', '还行', '比油车省心'])}，想下订了。`,
  (r) => `${pick(r, ['媒体报道', '快讯', '消息'])}：${pick(r, BRANDS)}本月交付量创新高，${pick(r, FEATURES)}口碑${pick(r, ['持续走高', '两极分化', '有所回落'])}。`,
];

/** A mention text of 20–200 characters (mixed zh/en), deterministic for a given PRNG state. */
export function mentionText(rand: () => number): string {
  let t = pick(rand, TEMPLATES)(rand);
  if (rand() < 0.35) t += ` ${pick(rand, TEMPLATES)(rand)}`;
  if (rand() < 0.002) t += ` 听说要${RARE_WORD}部分车辆。`;
  if (t.length > 200) t = t.slice(0, 200);
  return t;
}

export interface MentionItem {
  source: string;
  externalId: string;
  author: { handle: string; followers: number };
  text: string;
  publishedAt: string;
}

/** n mention items with unique externalIds, spread over the 7 days before `anchorMs`. */
export function mentionItems(n: number, seed: number, runTag: string, anchorMs = Date.now() - 60_000): MentionItem[] {
  const rand = prng(seed);
  const items: MentionItem[] = [];
  for (let i = 0; i < n; i++) {
    const followers = rand() < 0.05 ? 10_000 + Math.floor(rand() * 2_000_000) : Math.floor(rand() * 5_000);
    items.push({
      source: SOURCES[i % SOURCES.length],
      externalId: `${runTag}-${i}`,
      author: { handle: `user_${Math.floor(rand() * 5_000)}`, followers },
      text: mentionText(rand),
      publishedAt: new Date(anchorMs - Math.floor(rand() * 7 * 86_400_000)).toISOString(),
    });
  }
  return items;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i] * 10) / 10;
}

export function summary(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: percentile(s, 100) };
}

// ------------------------------------------------------------------ Elasticsearch for the run

export interface BenchElasticsearch {
  url: string;
  /** Started by this run (stopped at the end) or given through ELASTICSEARCH_URL (left alone). */
  started: boolean;
  stop(): Promise<void>;
}

/** ELASTICSEARCH_URL if set, else a fresh node from scripts/elasticsearch.ts (stopped on exit too). */
export async function elasticsearchForRun(): Promise<BenchElasticsearch> {
  if (process.env.ELASTICSEARCH_URL) return { url: process.env.ELASTICSEARCH_URL, started: false, stop: async () => {} };
  log('starting Elasticsearch (scripts/elasticsearch.ts start --detach)');
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/elasticsearch.ts', 'start', '--detach'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ELASTICSEARCH_URL: '' },
  });
  const url = /^ELASTICSEARCH_URL=(.+)$/m.exec(out)?.[1]?.trim();
  const pid = Number(/^ELASTICSEARCH_PID=(\d+)$/m.exec(out)?.[1]);
  if (!url || !pid) throw new Error(`could not start Elasticsearch: ${out}`);
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/elasticsearch.ts', 'stop', String(pid)], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch {
      // already gone
    }
  };
  // Synchronous on purpose: also runs from process.on('exit') (errors, Ctrl-C via processes.ts).
  process.on('exit', stopSync);
  log(`Elasticsearch ${url} (pid ${pid})`);
  return { url, started: true, stop: async () => stopSync() };
}

// ------------------------------------------------------------------ Resonance per backend

export interface BenchServer {
  base: string;
  pid: number | undefined;
  dataDir: string;
  /** ELASTICSEARCH_INDEX_PREFIX of this server (elasticsearch backend only). */
  esPrefix: string | null;
  /** With `split`: the pid of the separate `worker` process (pipeline), else undefined. */
  workerPid?: number;
  /** What the server printed on stdout so far (its log). */
  stdoutText(): string;
  stop(): Promise<void>;
}

export const ADMIN = { username: 'bench', password: 'benchpass123' };

/** Resonance in its own process on a free port: temp DATA_DIR (or the given one), rate limits lifted. */
export async function startResonance(backend: BackendName, esUrl: string | null, opts: { dataDir?: string; env?: Record<string, string>; split?: boolean; readyTimeoutMs?: number } = {}): Promise<BenchServer> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-bench-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    RESONANCE_ADMIN: `${ADMIN.username}:${ADMIN.password}`,
    ...RAISED_LIMITS,
    ...opts.env,
  };
  if (backend === 'elasticsearch') {
    if (!esUrl) throw new Error('elasticsearch backend without an Elasticsearch URL');
    env.ELASTICSEARCH_URL = esUrl;
    env.ELASTICSEARCH_REFRESH = 'false';
    // A restart on seeded data passes the prefix it seeded (opts.env); otherwise a fresh one.
    env.ELASTICSEARCH_INDEX_PREFIX = opts.env?.ELASTICSEARCH_INDEX_PREFIX ?? `bench-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  }
  // An empty ELASTICSEARCH_URL would fail the url() check in config: drop it instead.
  const childEnv = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')) as Record<string, string>;
  const saved = process.env.ELASTICSEARCH_URL;
  delete process.env.ELASTICSEARCH_URL; // spawnTsx merges process.env: the backend choice is ours
  // split: RESONANCE_ROLE=web serves HTTP and sockets, a second process runs the pipeline.
  const server = spawnTsx('server/main.ts', opts.split ? { ...childEnv, RESONANCE_ROLE: 'web' } : childEnv);
  await waitForOk(`${base}/healthz`, server, opts.readyTimeoutMs ?? 60_000);
  const worker = opts.split ? spawnTsx('server/main.ts', { ...childEnv, RESONANCE_ROLE: 'worker', PORT: '0' }) : null;
  if (saved !== undefined) process.env.ELASTICSEARCH_URL = saved;
  if (worker) await sleep(3_000); // boot: migrations are done by the web process already
  log(`resonance (${backend}, pid ${server.pid}${worker ? `, worker pid ${worker.pid}` : ''}) ready on ${base}`);
  return {
    base,
    pid: server.pid,
    workerPid: worker?.pid,
    dataDir,
    esPrefix: env.ELASTICSEARCH_INDEX_PREFIX ?? null,
    stdoutText: () => server.stdoutText(),
    async stop() {
      if (worker) await stop(worker);
      await stop(server);
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function api<T>(base: string, method: string, p: string, token: string | null, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(base + p, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}

/** Log in as the RESONANCE_ADMIN user (staff: may search) and return the session token. */
export async function adminToken(base: string, who = ADMIN): Promise<string> {
  const r = await api<{ token: string }>(base, 'POST', '/api/v1/auth/login', null, who);
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.token;
}

/** An API key with scope `ingest`, created by the admin. */
export async function ingestKey(base: string, token: string): Promise<string> {
  const r = await api<{ key: string }>(base, 'POST', '/api/v1/api-keys', token, { name: 'bench ingest', scopes: ['ingest'] });
  if (r.status !== 201) throw new Error(`api key failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.key;
}

export async function health(base: string): Promise<{ pipeline: { backlog: number; lagSeconds: number } }> {
  return (await (await fetch(`${base}/healthz`)).json()) as { pipeline: { backlog: number; lagSeconds: number } };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Delete the concrete indices behind `<prefix>-docs` (a user-provided Elasticsearch is left as we found it). */
export async function dropElasticsearchIndices(url: string, prefix: string): Promise<void> {
  const { Client } = await import('@elastic/elasticsearch');
  const client = new Client({ node: url });
  try {
    const targets = Object.keys(await client.indices.get({ index: `${prefix}-docs`, ignore_unavailable: true }));
    if (targets.length) await client.indices.delete({ index: targets.join(',') });
    await client.indices.deleteIndexTemplate({ name: `${prefix}-docs-template` }).catch(() => {});
  } catch (err) {
    log(`could not drop ${prefix} indices: ${String(err)}`);
  } finally {
    await client.close();
  }
}

/** Make everything written with refresh=false searchable now. */
export async function refreshElasticsearch(url: string, prefix: string): Promise<void> {
  const { Client } = await import('@elastic/elasticsearch');
  const client = new Client({ node: url });
  try {
    await client.indices.refresh({ index: `${prefix}-docs` });
  } finally {
    await client.close();
  }
}

export function machineWithLoad(loadAtStart: number, m: ReturnType<typeof import('./machine').machine>) {
  return { ...m, loadavg1mAtStart: loadAtStart, loadavg1mAtEnd: m.loadavg1m, busy: Math.max(loadAtStart, m.loadavg1m) > m.cpus };
}

/** The document the indexer would build for the i-th generated mention (analysed by makeDocument). */
export function mentionDocument(it: MentionItem, i: number): SearchDocument {
  return makeDocument({
    id: `mention:${i + 1}`,
    kind: 'mention',
    text: it.text,
    author: it.author.handle,
    authorFollowers: it.author.followers,
    kol: it.author.followers >= KOL_FOLLOWERS,
    source: it.source,
    createdAt: it.publishedAt,
  });
}

/**
 * A fresh, empty backend in the bench process (embedded: a new file in a temp dir; Elasticsearch:
 * a new index prefix, refresh off) and how to throw it away afterwards.
 */
export function freshBackend(
  backend: BackendName,
  es: BenchElasticsearch | null,
  tag: string,
): { backend: SearchBackend; refresh: () => Promise<void>; cleanup: () => Promise<void> } {
  if (backend === 'embedded') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `resonance-${tag}-`));
    return {
      backend: createEmbeddedBackend({ file: path.join(dir, 'search.sqlite') }),
      refresh: async () => {}, // searchable at commit
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const prefix = `${tag}-${Date.now().toString(36)}`;
  return {
    backend: createElasticsearchBackend({ node: es!.url, indexPrefix: prefix, refresh: false }),
    refresh: () => refreshElasticsearch(es!.url, prefix),
    cleanup: () => dropElasticsearchIndices(es!.url, prefix),
  };
}
