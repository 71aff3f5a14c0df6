/** Debian's Chromium driven by playwright-core (no browser download): the e2e suites share one launch. */
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/** A new browser context signed in as user through the login form; page errors are printed. */
export async function signedInPage(browser: Browser, baseUrl: string, user: { username: string; password: string }, options: { locale?: string; width?: number; height?: number; timezoneId?: string } = {}): Promise<Page> {
  const context = await browser.newContext({ locale: options.locale ?? 'zh-CN', viewport: { width: options.width ?? 1100, height: options.height ?? 900 }, ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}) });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`  [browser ${user.username}] ${err.message}`));
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name="username"]', user.username);
  await page.fill('input[name="password"]', user.password);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button[type="submit"]')]);
  return page;
}
