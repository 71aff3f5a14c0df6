/** Crash points: only the armed name, only on its n-th pass, and then a real SIGKILL of the own process. */
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { REPO_ROOT } from '../support/elasticsearch';

/** Run a few passes in a child process; returns how it ended and what it printed before. */
function passes(setting: string | undefined, script: string) {
  const code = `import { armCrashPoint, crashPoint } from './server/crashPoints.ts';\narmCrashPoint(${JSON.stringify(setting)});\n${script}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { signal: r.signal, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('crash points', function () {
  this.timeout(30_000);

  it('kill the process with SIGKILL on the n-th pass through the armed point, not before', () => {
    const r = passes('indexer.bulk.before:3', `
      for (let i = 0; i < 5; i++) crashPoint('indexer.bulk.after');
      crashPoint('indexer.bulk.before'); crashPoint('indexer.bulk.before');
      process.stdout.write('alive after two passes\\n');
      crashPoint('indexer.bulk.before');
      process.stdout.write('still alive\\n');`);
    expect(r.signal, r.stderr).to.equal('SIGKILL');
    expect(r.stdout).to.equal('alive after two passes\n');
    expect(r.stderr).to.include('crash point indexer.bulk.before: SIGKILL');
  });

  it('do nothing when unarmed', () => {
    const r = passes(undefined, `for (let i = 0; i < 100; i++) crashPoint('post.committed'); process.stdout.write('done\\n');`);
    expect([r.status, r.signal, r.stdout]).to.deep.equal([0, null, 'done\n']);
  });
});
