/** Polling for effects that land after commit (the pipeline, notifications): no fixed sleeps. */

/** Resolve once `check()` is true; throw naming `what` after timeoutMs. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
