/**
 * Property-based conformance run of server/openapi.yaml against a live server (issue #8):
 * `npm run test:schemathesis [-- extra schemathesis args]`.
 *
 * Installs Schemathesis (pinned) into a venv under .cache/ on first use, starts a real Resonance on
 * a throwaway DATA_DIR with raised rate limits, makes a session token for each role (member,
 * moderator, pr, admin) and an ingest API key, then runs `schemathesis run` once per principal,
 * with logout excluded (it would revoke the token under test). Exits non-zero on any failure.
 * SCHEMATHESIS_MAX_EXAMPLES (default 5) and SCHEMATHESIS_SEED (default 8) bound and fix the run.
 */
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/config';
import { createResonance } from '../server/app';
import { register, createApiKey, actorFor } from '../server/services/accounts';
import { createChapter } from '../server/services/chapters';
import { createCategory } from '../server/services/categories';
import { createThread } from '../server/services/threads';
import type { Role } from '../server/models/User';

const VERSION = '4.32.5';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venv = path.join(root, '.cache', `venv-schemathesis`);
const bin = path.join(venv, 'bin', 'schemathesis');
const say = (m: string) => console.error(`[schemathesis] ${m}`);

/** The pinned Schemathesis, installed into .cache/ once. */
function ensureSchemathesis(): void {
  const have = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (have.status === 0 && have.stdout.includes(VERSION)) return;
  say(`installing schemathesis ${VERSION} into ${path.relative(root, venv)}`);
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', venv]],
    [path.join(venv, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${VERSION}`]],
  ] as Array<[string, string[]]>) {
    const r = spawnSync(cmd, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  }
}

/** Test cases over all runs, read from each run's "Test cases: N generated, N passed[, N failed]". */
const cases = { passed: 0, failed: 0 };

/**
 * Runs schemathesis with its output passed through, except that its pytest-style banner lines
 * ("==== 4 warnings in 35 s ====") become "---- … ----": CI reads pytest's closing line, and a
 * banner naming no passed test would read as a run that executed none.
 */
function run(args: string[]): Promise<number> {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
  let pending = '';
  const emit = (line: string) => {
    const counts = /^\s*\d+ generated, (.*)$/.exec(line);
    if (counts) {
      cases.passed += Number(/(\d+) passed/.exec(counts[1]!)?.[1] ?? 0);
      cases.failed += Number(/(\d+) failed/.exec(counts[1]!)?.[1] ?? 0);
    }
    process.stdout.write(`${line.replace(/^=+( .* )=+$/, '----$1----')}\n`);
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    lines.forEach(emit);
  });
  return new Promise((resolve) =>
    child.once('close', (code) => {
      if (pending) emit(pending);
      resolve(code ?? 1);
    }),
  );
}

async function main(): Promise<void> {
  ensureSchemathesis();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'resonance-schemathesis-'));
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    RATE_LIMIT_LOGIN_PER_ADDRESS_PER_MINUTE: '100000',
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_PER_MINUTE: '100000',
    RATE_LIMIT_REGISTRATIONS_PER_MINUTE: '100000',
    RATE_LIMIT_POSTS_PER_MINUTE: '100000',
    RATE_LIMIT_API_PER_MINUTE: '1000000',
    RATE_LIMIT_SEARCH_PER_MINUTE: '1000000',
    RATE_LIMIT_PREVIEW_PER_MINUTE: '1000000',
  });
  const resonance = await createResonance(config);
  const started = Date.now();
  let failed = 0;
  try {
    const url = await resonance.listen(0, '127.0.0.1');
    // Something for the generated ids and slugs to find now and then.
    const tokens: Array<[string, string]> = [];
    let adminActor = null;
    for (const role of ['member', 'moderator', 'pr', 'admin'] as Role[]) {
      const { user, token } = await register({ username: `st_${role}`, password: 'schemathesis password' });
      user.role = role;
      await user.save();
      tokens.push([role, token]);
      if (role === 'admin') adminActor = await actorFor(user);
    }
    const chapter = await createChapter(adminActor!, { slug: 'shanghai', name: '上海同城会', city: '上海', visibility: 'public' });
    const category = await createCategory(adminActor!, { slug: 'general', name: '综合' });
    await createThread(adminActor!, { title: '欢迎', body: '第一帖', chapter, category });
    const key = await createApiKey(adminActor!, 'schemathesis', ['ingest']);

    const maxExamples = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '5';
    const seed = process.env.SCHEMATHESIS_SEED ?? '8';
    const common = [
      'run', 'server/openapi.yaml', '--url', url,
      '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,negative_data_rejection,unsupported_method,allow_header_conformance',
      '--max-examples', maxExamples, '--seed', seed, '--workers', '1', '--generation-database', 'none', '--no-color',
      '--exclude-operation-id', 'logout', '--suppress-health-check', 'filter_too_much,too_slow,data_too_large',
      ...process.argv.slice(2).filter((a) => a !== '--'),
    ];
    const runs: Array<[string, string, string[]]> = [
      ...tokens.map(([role, token]) => [role, token, []] as [string, string, string[]]),
      // Ingest validates each item on its own: a bad item is reported in `rejected` of a 202, by design.
      ['ingest key', key.key, ['--include-operation-id', 'ingestMentions', '--exclude-checks', 'negative_data_rejection']],
    ];
    for (const [name, token, extra] of runs) {
      say(`--- as ${name}`);
      const code = await run([...common, '-H', `Authorization: Bearer ${token}`, ...extra]);
      if (code !== 0) {
        failed++;
        say(`as ${name}: FAILED (exit ${code})`);
      }
    }
  } finally {
    await resonance.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  say(`${failed ? `${failed} run(s) failed` : 'all runs passed'} in ${Math.round((Date.now() - started) / 1000)} s`);
  // The plain closing line CI reads; a run that failed without a counted case still fails.
  console.log(`schemathesis: ${cases.passed} passed, ${Math.max(cases.failed, failed)} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
