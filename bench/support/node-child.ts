/**
 * Child processes with what bench/support/processes.ts's spawnTsx does not give: an IPC channel
 * and a raised open-file limit (thousands of sockets need thousands of fds per process). Every
 * child is adopted by processes.ts, so it is killed at the end, on error and on Ctrl-C.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { adopt, repoRoot } from './processes';

export interface NodeChildOptions {
  /** Open an IPC channel (child.send / process.send). */
  ipc?: boolean;
  /** Raise the child's open-file limit to at least this when the inherited soft limit is lower (through `bash -c 'ulimit -n N; exec node ...'`; it cannot go above the hard limit unless we may raise that). */
  nofile?: number;
}

/** The soft (or, with hard=true, the hard) open-file limit children inherit from this process. */
export function openFileLimit(hard = false): number {
  try {
    const out = execFileSync('bash', ['-c', hard ? 'ulimit -Hn' : 'ulimit -Sn'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out);
  } catch {
    return Number.NaN;
  }
}

/** Spawn `node --import tsx <script>` from the repo root (stderr inherited, stdout ignored). */
export function spawnNode(script: string, env: Record<string, string>, options: NodeChildOptions = {}): ChildProcess {
  const stdio: Array<'ignore' | 'inherit' | 'ipc'> = ['ignore', 'ignore', 'inherit'];
  if (options.ipc) stdio.push('ipc');
  const nodeArgs = ['--import', 'tsx', script];
  const limit = openFileLimit();
  // `exec` keeps the pid, so /proc/<pid>/status still describes the node process.
  const child =
    options.nofile && !(limit >= options.nofile)
      ? spawn('bash', ['-c', `ulimit -n ${options.nofile} && exec "$0" "$@"`, process.execPath, ...nodeArgs], { cwd: repoRoot, env: { ...process.env, ...env }, stdio })
      : spawn(process.execPath, nodeArgs, { cwd: repoRoot, env: { ...process.env, ...env }, stdio });
  return adopt(child);
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (null without /proc). */
export function cpuSeconds(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticksPerSecond = 100; // USER_HZ on Linux
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** CPU seconds all CPUs of the machine have spent busy so far (everything but idle and iowait), from /proc/stat. */
export function machineBusySeconds(): number | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return null;
  }
}
