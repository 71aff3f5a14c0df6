#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx resonance ...` works without a build step,
// from any working directory (tsx is resolved from this package, not from the cwd).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = import.meta.resolve('tsx');
const result = spawnSync(process.execPath, ['--import', tsx, path.join(root, 'server/cli.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
