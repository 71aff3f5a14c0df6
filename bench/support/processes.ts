/**
 * Child processes for benchmarks: every child is registered so that it is killed at the end,
 * on error, on Ctrl-C and (as a last resort, synchronously) when the bench process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const children = new Set<ChildProcess>();
let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL whatever is still alive.
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void killAll().finally(() => process.exit(130));
    });
  }
}

/**
 * Spawn `node --import tsx <script>` from the repo root, stderr inherited, stdout captured.
 * With BENCH_PROFILE_DIR set, server children (server/main.ts) write a V8 CPU profile there when
 * they exit (--cpu-prof is refused inside NODE_OPTIONS, so it has to be an argument).
 */
export function spawnTsx(script: string, env: Record<string, string>): ChildProcess & { stdoutText: () => string } {
  installHooks();
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const profile = profileDir && script === 'server/main.ts' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    out += chunk;
  });
  return Object.assign(child, { stdoutText: () => out });
}

/** Run a script to completion and return its stdout; rejects on a non-zero exit. */
export async function runTsx(script: string, env: Record<string, string>): Promise<string> {
  const child = spawnTsx(script, env);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return child.stdoutText();
}

/** Stop one child: SIGTERM, then SIGKILL if it has not exited within graceMs. */
export async function stop(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Stop every child this process started. */
export async function killAll(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c)));
}

/** A free loopback TCP port (closed again before returning; the tiny race is acceptable here). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Poll url until it answers 200, the child dies, or timeoutMs passes. */
export async function waitForOk(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process for ${url} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resident set size of a process in MB from /proc/<pid>/status (null where /proc is missing). */
export function rssMB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Math.round((Number(kb) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** Register a child spawned elsewhere (e.g. with IPC or a raised ulimit) so it is killed like the others. */
export function adopt<C extends ChildProcess>(child: C): C {
  installHooks();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Run a benchmark's main: on failure print the stack, kill every child, exit 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch(async (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    await killAll();
    process.exit(1);
  });
}
