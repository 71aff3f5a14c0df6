/**
 * A real Elasticsearch for tests and benchmarks, with no manual set-up.
 *
 * The server comes from Maven Central as the minimal "integ-test-zip"
 * distribution (server + transport + x-pack core/security; no analysis-common,
 * no painless, no _reindex, no `GET /`). It is fetched with `mvn` into
 * `.cache/elasticsearch/`, extracted there, and started on a free loopback
 * port with a fresh data directory per run. Elasticsearch refuses to run as
 * root, so when we are root it runs as the unprivileged system user
 * `resonance-es` (created on demand).
 *
 * - `startElasticsearch()` starts one (or checks `ELASTICSEARCH_URL`).
 * - `elasticsearchForSuite()` shares one instance across the whole mocha run;
 *   it returns null (non-CI) or throws (CI=true) when ES cannot be started.
 * - `requireElasticsearch(this)` is the one-liner for a suite's `before` hook.
 * - `stopSharedElasticsearch()` is called from the mocha root hook
 *   (test/support/hooks.ts); process exit and signals also kill the JVMs.
 */
import crypto from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ES_VERSION = process.env.RESONANCE_ES_VERSION || '8.19.9';
export const ES_ARTIFACT = `org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip`;
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const ES_USER = 'resonance-es';
const DEFAULT_JAVA_HOME = '/usr/lib/jvm/java-17-openjdk-amd64';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.cache', 'elasticsearch');

export interface ElasticsearchHandle {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  /** Stops the node and removes its data dir; a no-op for an external ES. */
  stop(): Promise<void>;
  /** True when ELASTICSEARCH_URL pointed at an already-running cluster. */
  external: boolean;
  /** Process-group id of the launcher (undefined when external). */
  pid?: number;
  /** Per-run directory holding config/, data/, logs/ (undefined when external). */
  runDir?: string;
  version: string;
}

export interface StartOptions {
  /** HTTP port; default: a free one. */
  port?: number;
  /** JVM heap, e.g. '512m' (default). */
  heap?: string;
  /** Time to wait for health yellow/green (default: env RESONANCE_ES_START_TIMEOUT_MS or 120 s). */
  timeoutMs?: number;
  /** Progress messages (default: silent). */
  log?: (msg: string) => void;
  /** Ignore ELASTICSEARCH_URL and always start a local node. */
  ignoreEnvUrl?: boolean;
  /** Keep the process running when this Node process exits (CLI --detach). */
  detached?: boolean;
  /** Extra elasticsearch.yml settings. */
  settings?: Record<string, string | number | boolean>;
}

// ---------------------------------------------------------------- utilities

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

function which(cmd: string): string | null {
  const r = run('sh', ['-c', `command -v ${cmd}`]);
  return r.status === 0 ? r.stdout.trim() : null;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function tail(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One health probe; returns the status string or throws. */
export async function clusterHealth(url: string, timeoutMs = 5000): Promise<string> {
  const res = await fetch(`${url.replace(/\/+$/, '')}/_cluster/health`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`GET _cluster/health -> HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const body = (await res.json()) as { status?: string };
  return body.status ?? 'unknown';
}

function findJavaHome(): string {
  const candidates = [process.env.ES_JAVA_HOME, DEFAULT_JAVA_HOME];
  try {
    for (const d of fs.readdirSync('/usr/lib/jvm').sort()) {
      if (/(^|-)(17|21)(\.|-|$)/.test(d)) candidates.push(path.join('/usr/lib/jvm', d));
    }
  } catch {
    /* no /usr/lib/jvm */
  }
  if (process.env.JAVA_HOME) candidates.push(process.env.JAVA_HOME);
  for (const c of candidates) if (c && fs.existsSync(path.join(c, 'bin', 'java'))) return c;
  throw new Error(
    `No JDK for Elasticsearch: set ES_JAVA_HOME (looked at ${DEFAULT_JAVA_HOME} and /usr/lib/jvm/*17*, *21*). ` +
      `On Debian: apt-get install -y openjdk-17-jre-headless`,
  );
}

// ------------------------------------------------------------ distribution

export function distributionDir(): string {
  return path.join(CACHE_DIR, `elasticsearch-${ES_VERSION}`);
}

function zipPath(): string {
  return path.join(CACHE_DIR, `elasticsearch-${ES_VERSION}.zip`);
}

/** Downloads the zip with mvn (reusing ~/.m2) into .cache/elasticsearch. */
export function fetchDistributionZip(log: (m: string) => void = () => {}): string {
  const zip = zipPath();
  if (fs.existsSync(zip) && fs.statSync(zip).size > 0) return zip;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const mvn = which('mvn');
  if (!mvn) {
    throw new Error(
      `Cannot download Elasticsearch: 'mvn' not found on PATH (Debian: apt-get install -y maven). ` +
        `Alternatively put ${path.basename(zip)} (artifact ${ES_ARTIFACT}) in ${CACHE_DIR}.`,
    );
  }
  const tmpOut = fs.mkdtempSync(path.join(CACHE_DIR, '.download-'));
  try {
    log(`downloading ${ES_ARTIFACT} with mvn ...`);
    const t0 = Date.now();
    const r = run(mvn, [
      '-B',
      '-q',
      '-Dstyle.color=never',
      `${DEPENDENCY_PLUGIN}:copy`,
      `-Dartifact=${ES_ARTIFACT}`,
      `-DoutputDirectory=${tmpOut}`,
    ]);
    const got = path.join(tmpOut, path.basename(zip));
    if (r.status !== 0 || !fs.existsSync(got)) {
      throw new Error(
        `mvn could not fetch ${ES_ARTIFACT} (exit ${r.status}):\n${(r.stdout + r.stderr).split('\n').slice(-25).join('\n')}`,
      );
    }
    fs.renameSync(got, zip); // atomic: concurrent runs never see a partial zip
    log(`downloaded ${(fs.statSync(zip).size / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return zip;
  } finally {
    fs.rmSync(tmpOut, { recursive: true, force: true });
  }
}

/** Ensures .cache/elasticsearch/elasticsearch-<ver>/ exists (download + extract). */
export function ensureDistribution(log: (m: string) => void = () => {}): string {
  const dir = distributionDir();
  const launcher = path.join(dir, 'bin', 'elasticsearch');
  if (!fs.existsSync(launcher)) {
    const zip = fetchDistributionZip(log);
    const tmp = fs.mkdtempSync(path.join(CACHE_DIR, '.extract-'));
    try {
      log(`extracting ${path.basename(zip)} ...`);
      let r;
      if (which('unzip')) r = run('unzip', ['-q', '-o', zip, '-d', tmp]);
      else if (which('jar')) r = run('jar', ['xf', zip], { cwd: tmp });
      else if (which('python3')) r = run('python3', ['-m', 'zipfile', '-e', zip, tmp]);
      else throw new Error('Cannot extract Elasticsearch: none of unzip, jar, python3 found (apt-get install -y unzip)');
      const extracted = path.join(tmp, `elasticsearch-${ES_VERSION}`);
      if (r.status !== 0 || !fs.existsSync(extracted)) {
        throw new Error(`extracting ${zip} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
      }
      // jar/python do not keep the exec bits
      for (const f of fs.readdirSync(path.join(extracted, 'bin'))) fs.chmodSync(path.join(extracted, 'bin', f), 0o755);
      try {
        fs.renameSync(extracted, dir);
      } catch (e) {
        if (!fs.existsSync(launcher)) throw e; // else: a concurrent run won the race
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return dir;
}

// ------------------------------------------------------------ the ES user

interface RunAs {
  uid: number;
  gid: number;
  user: string;
}

function ensureEsUser(): RunAs | null {
  if (!isRoot()) return null; // run as whoever we are
  let id = run('id', ['-u', ES_USER]);
  if (id.status !== 0) {
    const nologin = fs.existsSync('/usr/sbin/nologin') ? '/usr/sbin/nologin' : '/bin/false';
    const r = run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', nologin, ES_USER]);
    id = run('id', ['-u', ES_USER]); // exit 9 = created concurrently: fine
    if (id.status !== 0) throw new Error(`could not create system user ${ES_USER}: ${r.stderr.trim()}`);
  }
  const gid = run('id', ['-g', ES_USER]);
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()), user: ES_USER };
}

function chownR(p: string, as: RunAs) {
  const r = run('chown', ['-R', `${as.uid}:${as.gid}`, p]);
  if (r.status !== 0) throw new Error(`chown -R ${as.user} ${p} failed: ${r.stderr}`);
}

/** The distribution must be owned by, and reachable for, the ES user. */
function prepareDistributionFor(as: RunAs | null, log: (m: string) => void): string {
  let dir = ensureDistribution(log);
  if (!as) return dir;
  if (fs.statSync(dir).uid !== as.uid) chownR(dir, as);
  const canRead = run('setpriv', [`--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups', 'test', '-r', path.join(dir, 'lib')]);
  if (canRead.status !== 0) {
    // Some parent of the checkout is not traversable for the ES user: use a copy under the temp dir.
    const alt = path.join(os.tmpdir(), 'resonance-elasticsearch', `elasticsearch-${ES_VERSION}`);
    if (!fs.existsSync(path.join(alt, 'bin', 'elasticsearch'))) {
      log(`${dir} is not readable by ${as.user}; copying it to ${alt}`);
      fs.mkdirSync(path.dirname(alt), { recursive: true, mode: 0o755 });
      fs.chmodSync(path.dirname(alt), 0o755);
      const tmp = `${alt}.tmp-${process.pid}`;
      fs.cpSync(dir, tmp, { recursive: true });
      chownR(tmp, as);
      try {
        fs.renameSync(tmp, alt);
      } catch {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
    dir = alt;
  }
  return dir;
}

// ------------------------------------------------------ process tracking

/** launcher pid (= process group) -> run dir, for the exit/signal backstop */
const livePids = new Map<number, string>();
let exitHooksInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = () => {
    for (const [pid, dir] of livePids) {
      killGroup(pid, 'SIGKILL');
      if (!process.env.RESONANCE_ES_KEEP) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    }
    livePids.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = () => {
      killAll();
      // If nobody else handles the signal, behave like the default (die).
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, handler);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, handler);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills an Elasticsearch process group (SIGTERM, then SIGKILL after graceMs). */
export async function killElasticsearchGroup(pid: number, graceMs = 15000): Promise<void> {
  killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pid)) return;
    await sleep(200);
  }
  killGroup(pid, 'SIGKILL');
  for (let i = 0; i < 50 && groupAlive(pid); i++) await sleep(100);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ start

const RUN_DIR_PREFIX = 'resonance-es-';
const OWNER_FILE = 'owner.pid';
const LAUNCHER_FILE = 'launcher.pid';

/** Removes run dirs left by killed runs (their owner and launcher are both gone). */
function sweepStaleRunDirs() {
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(os.tmpdir()).filter((e) => e.startsWith(RUN_DIR_PREFIX));
  } catch {
    return;
  }
  for (const e of entries) {
    const dir = path.join(os.tmpdir(), e);
    const pidIn = (f: string) => Number(fs.readFileSync(path.join(dir, f), 'utf8')) || 0;
    try {
      const owner = pidIn(OWNER_FILE);
      const launcher = fs.existsSync(path.join(dir, LAUNCHER_FILE)) ? pidIn(LAUNCHER_FILE) : 0;
      if (owner && !isAlive(owner) && !(launcher && groupAlive(launcher))) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      /* not ours or half-written: leave it */
    }
  }
}

export async function startElasticsearch(opts: StartOptions = {}): Promise<ElasticsearchHandle> {
  const log = opts.log ?? (() => {});
  const envUrl = process.env.ELASTICSEARCH_URL;
  if (envUrl && !opts.ignoreEnvUrl) {
    const url = envUrl.replace(/\/+$/, '');
    const status = await clusterHealth(url).catch((e: Error) => {
      throw new Error(`ELASTICSEARCH_URL=${url} is set but its _cluster/health failed: ${e.message}`);
    });
    if (status === 'red') throw new Error(`ELASTICSEARCH_URL=${url}: cluster health is red`);
    return { url, external: true, version: 'external', stop: async () => {} };
  }

  const t0 = Date.now();
  const as = ensureEsUser();
  const home = prepareDistributionFor(as, log);
  const javaHome = findJavaHome();
  const port = opts.port ?? (await freePort());
  const transportPort = await freePort();

  // Fresh per-run dir: config/ (copied, ES writes its keystore there), data/, logs/, tmp/
  sweepStaleRunDirs();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), RUN_DIR_PREFIX));
  fs.writeFileSync(path.join(runDir, OWNER_FILE), String(process.pid));
  fs.chmodSync(runDir, 0o755);
  const confDir = path.join(runDir, 'config');
  const dataDir = path.join(runDir, 'data');
  const logsDir = path.join(runDir, 'logs');
  const tmpDir = path.join(runDir, 'tmp');
  fs.cpSync(path.join(home, 'config'), confDir, { recursive: true });
  for (const d of [dataDir, logsDir, tmpDir]) fs.mkdirSync(d);
  const clusterName = `resonance-test-${process.pid}-${port}`;
  const settings: Record<string, string | number | boolean> = {
    'cluster.name': clusterName,
    'node.name': 'resonance-test-node',
    'path.data': dataDir,
    'path.logs': logsDir,
    'network.host': '127.0.0.1',
    'http.port': port,
    'transport.port': transportPort,
    'discovery.type': 'single-node',
    'xpack.security.enabled': false,
    'cluster.routing.allocation.disk.threshold_enabled': false,
    'action.destructive_requires_name': false,
    'xpack.ml.enabled': false, // accepted by x-pack core although ml is not in this distribution
    ...opts.settings,
  };
  fs.writeFileSync(
    path.join(confDir, 'elasticsearch.yml'),
    Object.entries(settings)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : v}`)
      .join('\n') + '\n',
  );
  if (as) chownR(runDir, as);

  const heap = opts.heap ?? '512m';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ES_JAVA_HOME: javaHome,
    ES_PATH_CONF: confDir,
    ES_TMPDIR: tmpDir,
    ES_JAVA_OPTS: `-Xms${heap} -Xmx${heap}`,
    HOME: runDir,
  };
  delete env.JAVA_TOOL_OPTIONS;
  delete env.ELASTICSEARCH_URL;

  const stdoutFile = path.join(logsDir, 'console.log');
  const out = fs.openSync(stdoutFile, 'a');
  const launcher = path.join(home, 'bin', 'elasticsearch');
  // setpriv execs in place, so the child's pid is the launcher's and leads its own process group.
  // --pdeathsig: if this Node process dies hard (SIGKILL), the launcher gets SIGKILL and the
  // server JVM exits when its launcher's stdin pipe closes: no orphan JVMs.
  const [cmd, args] = as
    ? ['setpriv', [`--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups', ...(opts.detached ? [] : ['--pdeathsig', 'KILL']), launcher]]
    : [launcher, [] as string[]];
  log(`starting Elasticsearch ${ES_VERSION} on 127.0.0.1:${port}${as ? ` as ${as.user}` : ''} (run dir ${runDir})`);
  const child: ChildProcess = spawn(cmd, args, {
    cwd: logsDir, // the JVM writes gc.log / hs_err files relative to its cwd
    env,
    detached: true, // own process group, so we can kill launcher + server JVM together
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let spawnError = '';
  child.on('error', (e) => (spawnError = e.message));
  const pid = child.pid;
  if (pid === undefined) {
    await sleep(50); // let the 'error' event (e.g. ENOENT) arrive
    fs.rmSync(runDir, { recursive: true, force: true });
    throw new Error(`could not spawn ${cmd}${as ? ' (setpriv is in util-linux)' : ''}: ${spawnError || 'no pid'}`);
  }
  livePids.set(pid, runDir);
  fs.writeFileSync(path.join(runDir, LAUNCHER_FILE), String(pid));
  if (!opts.detached) installExitHooks();
  child.unref();
  let exited: string | null = null;
  child.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? `code ${code}`}`;
    livePids.delete(pid);
  });

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const cleanup = () => {
    if (!process.env.RESONANCE_ES_KEEP) fs.rmSync(runDir, { recursive: true, force: true });
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await killElasticsearchGroup(pid);
    livePids.delete(pid);
    cleanup();
  };

  const timeoutMs = opts.timeoutMs ?? (Number(process.env.RESONANCE_ES_START_TIMEOUT_MS) || 120_000);
  const deadline = Date.now() + timeoutMs;
  let lastErr = '';
  while (true) {
    if (exited) {
      const msg = explain(`Elasticsearch ${exited} before becoming healthy`);
      await stop();
      throw new Error(msg);
    }
    try {
      const status = await clusterHealth(url, 2000);
      if (status === 'green' || status === 'yellow') break;
      lastErr = `health ${status}`;
    } catch (e) {
      lastErr = (e as Error).message;
    }
    if (Date.now() > deadline) {
      const msg = explain(`Elasticsearch did not become healthy within ${timeoutMs / 1000} s (last: ${lastErr})`);
      await stop();
      throw new Error(msg);
    }
    await sleep(300);
  }
  log(`Elasticsearch healthy at ${url} after ${((Date.now() - t0) / 1000).toFixed(1)} s (pid ${pid})`);
  if (opts.detached) livePids.delete(pid);
  return { url, stop, external: false, pid, runDir, version: ES_VERSION };

  function explain(head: string): string {
    const clusterLog = tail(path.join(logsDir, `${clusterName}.log`), 40);
    const consoleLog = tail(stdoutFile, 40);
    // The run dir is removed on stop: keep the logs (test-artifacts/ is git-ignored).
    let kept = '';
    try {
      kept = path.join(REPO_ROOT, 'test-artifacts', `${path.basename(runDir)}-logs`);
      fs.cpSync(logsDir, kept, { recursive: true });
    } catch {
      kept = '(could not copy)';
    }
    return [
      head,
      `  logs kept in ${kept}`,
      `  launcher: ${cmd} ${args.join(' ')}`,
      `  ES_JAVA_HOME=${javaHome} ES_PATH_CONF=${confDir}`,
      `--- tail of ${stdoutFile} ---`,
      consoleLog || '(empty)',
      ...(clusterLog && clusterLog !== consoleLog ? [`--- tail of ${clusterName}.log ---`, clusterLog] : []),
    ].join('\n');
  }
}

// ------------------------------------------------------- shared instance

let shared: Promise<ElasticsearchHandle | null> | null = null;
let sharedHandle: ElasticsearchHandle | null = null;
let unavailableReason: string | null = null;

/**
 * The one Elasticsearch shared by the whole mocha run (started lazily on first call).
 * When it cannot be started: throws under CI=true, otherwise returns null
 * (see elasticsearchUnavailableReason()). Call it from a `before` hook with a
 * generous timeout (`this.timeout(300_000)`): a start takes ~10 s on an idle 2-core machine, a minute when it is busy.
 */
export async function elasticsearchForSuite(): Promise<ElasticsearchHandle | null> {
  if (!shared) {
    shared = startElasticsearch({ log: (m) => console.error(`[elasticsearch] ${m}`) }).then(
      (h) => (sharedHandle = h),
      (e: Error) => {
        unavailableReason = e.message;
        return null;
      },
    );
  }
  const h = await shared;
  if (!h) {
    if (process.env.CI === 'true') {
      throw new Error(
        `CI=true and Elasticsearch could not be started, so the search suites cannot run.\n` +
          `Fix the environment (mvn, JDK 17 at ${DEFAULT_JAVA_HOME}, useradd/setpriv as root) ` +
          `or set ELASTICSEARCH_URL.\n${unavailableReason}`,
      );
    }
    return null;
  }
  return h;
}

export function elasticsearchUnavailableReason(): string | null {
  return unavailableReason;
}

let warnedSkip = false;
/** For `before` hooks: returns the shared ES, or prints why and skips the suite (non-CI only). */
export async function requireElasticsearch(ctx: Mocha.Context): Promise<ElasticsearchHandle> {
  ctx.timeout(Math.max(ctx.timeout(), 300_000)); // download + extract + start on a cold, busy machine
  const es = await elasticsearchForSuite();
  if (!es) {
    const first = !warnedSkip;
    warnedSkip = true;
    console.warn(
      `\n  [elasticsearch] SKIPPING "${ctx.currentTest?.parent?.title ?? ctx.test?.parent?.title ?? 'suite'}": ` +
        `Elasticsearch is not available${first ? `:\n${unavailableReason}\n` : ' (see reason above)'}`,
    );
    ctx.skip();
  }
  return es as ElasticsearchHandle;
}

/** Stops the shared instance if one was started (mocha root afterAll hook). */
export async function stopSharedElasticsearch(): Promise<void> {
  const h = sharedHandle;
  shared = null;
  sharedHandle = null;
  if (h) await h.stop();
}

/** A search backend for a test server: its name and the server settings that select it. */
export type ServerBackend = { name: 'embedded' | 'elasticsearch'; env: (ctx: Mocha.Context) => Promise<Record<string, string>> };

/**
 * Both backends for suites that run a whole server once per backend: embedded needs nothing,
 * Elasticsearch the shared test cluster and an index prefix of its own (`prefix_<random>`).
 */
export function serverBackends(prefix: string): ServerBackend[] {
  return [
    { name: 'embedded', env: async () => ({}) },
    {
      name: 'elasticsearch',
      env: async (ctx) => {
        const es = await requireElasticsearch(ctx);
        return { ELASTICSEARCH_URL: es.url, ELASTICSEARCH_INDEX_PREFIX: `${prefix}_${crypto.randomBytes(4).toString('hex')}` };
      },
    },
  ];
}
