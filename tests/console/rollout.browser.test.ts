// The console's rollout panel in a real browser (headless Chromium, console-under-test.ts),
// against `stagecraft dev` on a copy of the project: a version that answers 500 for some ids is
// rolled out with `release rollout` in its own process while the test sends traffic to prod; the
// page shows the running rollout (step, weight, canary vs baseline), then the abort and prod
// back on the baseline, without a reload.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleUnderTest } from './console-under-test.ts';

const app = consoleUnderTest('stagecraft-console-rollout-');
let rolloutChild: ChildProcess | undefined;

// Registered after consoleUnderTest's, so it runs first (hooks run as a stack).
afterAll(() => {
  if (rolloutChild !== undefined && rolloutChild.exitCode === null) rolloutChild.kill('SIGKILL');
});

/**
 * GETs on prod, one at a time, until stopped (bounded: 90 s, 20 000 requests). While `bad` is
 * set, every third id starts with `boom` (answered 500 by the new version).
 */
function traffic() {
  const state = { running: true, bad: false, sent: 0 };
  const deadline = Date.now() + 90_000;
  const done = (async () => {
    while (state.running && Date.now() < deadline && state.sent < 20_000) {
      state.sent++;
      const boom = state.bad && state.sent % 3 === 0;
      const id = `${boom ? 'boom' : 'ok'}${String(state.sent).padStart(8, '0')}`;
      await fetch(`${app.dev.url}/prod/user/${id}`)
        .then((answer) => answer.arrayBuffer())
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    state,
    stop: async () => {
      state.running = false;
      await done;
    },
  };
}

describe('the release console during a rollout', () => {
  it('shows the running rollout, then the abort and prod back on the baseline, without a reload', async () => {
    // A second version that answers 500 for ids starting `boom`.
    const handler = join(app.project.root, 'src/service/handler.ts');
    const source = await readFile(handler, 'utf8');
    const marker = '  app ??= createHandler(';
    expect(source).toContain(marker);
    await writeFile(
      handler,
      source.replace(
        marker,
        "  if ((event.pathParameters?.id ?? '').startsWith('boom')) {\n" +
          '    return { statusCode: 500, body: \'{"message":"injected"}\' };\n  }\n' +
          marker,
      ),
    );
    await app.stagingHasNewCode();
    expect((await app.release('verify')).code).toBe(0);

    const page = await app.openConsole();
    await page.evaluate('window.unreloaded = true');
    const panel = page.locator('.panel-rollout');
    expect(await panel.textContent()).toContain('No rollout yet');

    const load = traffic();
    try {
      // A long step, so that only the canary's errors end it.
      rolloutChild = spawn(
        join(app.project.root, 'bin/stagecraft'),
        [
          'release',
          'rollout',
          '--steps',
          '20,100',
          '--interval',
          '60s',
          '--tick',
          '1s',
          '--max-p99-ratio',
          '20',
          '--state-dir',
          app.stateDir,
        ],
        { cwd: app.project.root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const output = { stdout: '', stderr: '' };
      rolloutChild.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
      rolloutChild.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
      const exited = new Promise<number | string | null>((resolve) =>
        rolloutChild?.once('exit', (code, signal) => resolve(code ?? signal)),
      );

      // Running: step 1 of 2 at 20 %, and a judgement with the canary's own requests.
      const running = page.locator('.rollout[data-rollout-state="running"]');
      await running.waitFor({ timeout: 20_000 });
      expect(await running.locator('.rollout-where').textContent()).toMatch(
        /^step 1 of 2 · 20% of prod to v2/,
      );
      await expect
        .poll(
          async () => Number(await running.locator('[data-side="canary"] .requests').textContent()),
          { timeout: 20_000 },
        )
        .toBeGreaterThan(0);
      expect(await running.locator('[data-side="canary"] th').textContent()).toBe('canary v2');
      expect(await running.locator('[data-side="baseline"] th').textContent()).toBe('baseline v1');
      expect(
        Number(await running.locator('[data-side="baseline"] .requests').textContent()),
      ).toBeGreaterThan(0);
      expect(await running.locator('.verdict').getAttribute('data-decision')).toBe('watch');
      expect(await page.textContent('[data-serves="prod"]')).toBe('version 1 + 20% version 2');
      // The panel's numbers fit a phone-width window.
      await page.setViewportSize({ width: 360, height: 740 });
      const widths = (await page.evaluate(`({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        widest: Math.max(
          ...[...document.querySelectorAll('.panel-rollout *')].map((e) => e.getBoundingClientRect().right),
        ),
      })`)) as { scroll: number; client: number; widest: number };
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      expect(widths.widest).toBeLessThanOrEqual(widths.client);

      // Now some ids fail on the canary: the rollout aborts mid-step.
      load.state.bad = true;
      const outcome = page.locator('.rollout[data-rollout-state="ended"] [data-outcome]');
      await outcome.waitFor({ timeout: 30_000 });
      expect(await exited, output.stderr).toBe(3);
      expect(await outcome.getAttribute('data-outcome')).toBe('aborted');
      const text = await outcome.textContent();
      expect(text).toContain('prod back on the baseline, version 1');
      expect(text).toMatch(/step 1\/2 \(20%\): canary error rate/);
      // The failed step with its numbers (from history).
      const step = page.locator('.rollout [data-step="1"][data-verdict="fail"]');
      expect(await step.textContent()).toMatch(
        /canary \d+ req · [\d.]+% · p99 .* baseline \d+ req/,
      );
      await expect
        .poll(() => page.textContent('[data-serves="prod"]'), { timeout: 5000 })
        .toBe('version 1');
      expect(await page.locator('[data-stage="prod"] [data-version]').count()).toBe(1);
      // History: the outcome, newest first, and the abort move.
      const rows = page.locator('.history .entry');
      expect(await rows.nth(0).getAttribute('data-action')).toBe('rollout');
      expect(await rows.nth(0).textContent()).toContain('aborted');
      expect(await page.locator('.history .entry[data-action="abort"]').count()).toBe(1);
      expect(await page.evaluate('window.unreloaded')).toBe(true);
    } finally {
      await load.stop();
      await page.close();
    }
  }, 150_000);
});
