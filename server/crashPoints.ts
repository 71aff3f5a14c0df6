/**
 * Deterministic crash points for the resilience suite: `RESONANCE_CRASH_AT=<name>:<n>` makes the
 * process SIGKILL itself on the n-th pass through `crashPoint(name)` (no cleanup, no flush: what
 * a power cut or the OOM killer does). Unset (always, outside the suite), a pass is one
 * comparison against null, so the hooks can stay on the hot paths.
 */
let armed: { name: string; remaining: number } | null = null;

/** Arm the crash point named in the setting (`name:n`, n ≥ 1); called once at start. */
export function armCrashPoint(setting: string | undefined): void {
  if (!setting) return;
  const at = setting.lastIndexOf(':');
  armed = { name: setting.slice(0, at), remaining: Number(setting.slice(at + 1)) };
}

/** A named place where a crash must lose nothing that was acknowledged. */
export function crashPoint(name: string): void {
  if (armed === null || armed.name !== name) return;
  if (--armed.remaining > 0) return;
  process.stderr.write(`crash point ${name}: SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}
