/** The e2e suites' shared setup: one Chromium and one Resonance per suite, and signed-in pages on them. */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from './server';
import { launchBrowser, signedInPage } from './browser';

/** Where the e2e screenshots go (the README's come from here). */
export const ARTIFACTS = path.resolve('test-artifacts/e2e');

/** The page options of signedInPage: locale, viewport and time zone. */
export type PageOptions = NonNullable<Parameters<typeof signedInPage>[3]>;

/** What a suite gets from useBrowserAndServer; browser and server are there once its before hook has run. */
export interface E2eSuite {
  readonly browser: Browser;
  readonly server: TestServer;
  /** A new browser context signed in as user, with the suite's page options under these. */
  loggedIn(user: { username: string; password: string }, options?: PageOptions): Promise<Page>;
}

/**
 * Call inside a describe: launches Chromium (or skips the suite, see launchBrowser), starts a
 * server and makes the artifacts folder before its tests, and closes both after them.
 */
export function useBrowserAndServer(pageDefaults: PageOptions = {}): E2eSuite {
  let browser: Browser | undefined;
  let server: TestServer | undefined;
  before(async function () {
    browser = await launchBrowser(this);
    server = await startServer();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the e2e ${what} is not started yet (use it inside a test or a later hook)`);
    return value;
  };
  return {
    get browser() {
      return started(browser, 'browser');
    },
    get server() {
      return started(server, 'server');
    },
    loggedIn(user, options = {}) {
      return signedInPage(started(browser, 'browser'), started(server, 'server').url, user, { ...pageDefaults, ...options });
    },
  };
}
