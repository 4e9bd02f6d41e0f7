// The release console under test in a real browser: `stagecraft dev` as a child process on a
// copy of the project (so a test can change the handler's source and get a second version),
// and headless Chromium (@sparticuz/chromium, driven by playwright-core). One per test file:
// consoleUnderTest() registers the beforeAll that starts both and the afterAll that stops them.
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchBrowser } from '../../scripts/chromium.ts';
import { copyProject, type DevProcess, eventually, spawnDev, tempDir } from '../local/helpers.ts';
import { runCli } from '../release/cli-helpers.ts';

export interface ConsoleUnderTest {
  /** The copy of the project `stagecraft dev` runs in. */
  readonly project: Awaited<ReturnType<typeof copyProject>>;
  readonly stateDir: string;
  /** The dev server; a test that restarts it assigns the new one here. */
  dev: DevProcess;
  readonly browser: BrowserContext;
  /** `stagecraft release ARGS --state-dir STATE_DIR` in the project copy. */
  release(...args: string[]): ReturnType<typeof runCli>;
  /** A new page on `path` of the dev server, once the console says it is live. */
  openConsole(path?: string): Promise<Page>;
  /** Waits (30 s at most) until staging serves other code than prod (watch mode rebuilt it). */
  stagingHasNewCode(): Promise<void>;
}

export function consoleUnderTest(tempPrefix: string): ConsoleUnderTest {
  let project: ConsoleUnderTest['project'] | undefined;
  let temp: Awaited<ReturnType<typeof tempDir>> | undefined;
  let browser: BrowserContext | undefined;
  const defined = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started (beforeAll failed?)`);
    return value;
  };
  const app: ConsoleUnderTest = {
    get project() {
      return defined(project, 'the project copy');
    },
    get stateDir() {
      return join(defined(temp, 'the temp dir').dir, 'state');
    },
    dev: undefined as unknown as DevProcess, // set by beforeAll, before any test runs
    get browser() {
      return defined(browser, 'the browser');
    },
    release: (...args) =>
      runCli(['release', ...args, '--state-dir', app.stateDir], app.project.root),
    async openConsole(path = '/') {
      const page = await app.browser.newPage();
      await page.goto(`${app.dev.url}${path}`);
      await page.locator('#live[data-status="live"]').waitFor();
      return page;
    },
    async stagingHasNewCode() {
      await eventually(async () => {
        const state = (await (await fetch(`${app.dev.url}/_stagecraft/state`)).json()) as {
          status: { aliases: Record<string, { code_sha256: string }> };
        };
        const { staging, prod } = state.status.aliases;
        return staging?.code_sha256 !== prod?.code_sha256;
      }, 30_000);
    },
  };

  beforeAll(async () => {
    project = await copyProject();
    temp = await tempDir(tempPrefix);
    [app.dev, browser] = await Promise.all([
      spawnDev(['--state-dir', app.stateDir], { root: project.root, timeoutMs: 90_000 }),
      launchBrowser(),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if ((app.dev as DevProcess | undefined) !== undefined) expect(await app.dev.stop()).toBe(0);
    await temp?.remove();
    await project?.remove();
  });

  return app;
}
