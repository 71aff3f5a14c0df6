/** Debian's Chromium driven by playwright-core (no browser download): the e2e suites share one launch. */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launch headless Chromium, or explain why not: under CI=true a missing browser is a failure, not a skip. */
export async function launchBrowser(ctx: Mocha.Context): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    const why = `Chromium not found at ${CHROMIUM} (apt-get install chromium; .ci/run does it)`;
    if (process.env.CI === 'true') throw new Error(why);
    console.warn(`  [e2e] SKIPPED: ${why}`);
    ctx.skip();
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
