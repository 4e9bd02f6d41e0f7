// The release console in a real browser (headless Chromium from @sparticuz/chromium, driven by
// playwright-core) against `stagecraft dev` as a child process (console-under-test.ts). The dev
// server runs on a copy of the project, so the test can change the handler's source and get a
// second version.
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnDev } from '../local/helpers.ts';
import { consoleUnderTest } from './console-under-test.ts';

const app = consoleUnderTest('stagecraft-console-');

async function metricsServed(): Promise<boolean> {
  const answer = await fetch(`${app.dev.url}/_stagecraft/metrics`, {
    headers: { accept: 'application/json' },
  });
  await answer.arrayBuffer();
  return answer.status === 200;
}

describe('the release console', () => {
  it('shows prod → v1 and staging → $LATEST after a fresh start', async () => {
    const page = await app.openConsole();
    await expect.poll(() => page.textContent('[data-serves="prod"]')).toBe('version 1');
    expect(await page.textContent('[data-serves="staging"]')).toBe('$LATEST');
    const prod = page.locator('[data-stage="prod"] [data-version]');
    expect(await prod.count()).toBe(1);
    expect(await prod.getAttribute('data-version')).toBe('1');
    expect(await page.locator('[data-stage="prod"]').textContent()).toContain('first deployment');
    // History: the first start's moves, newest first.
    expect(await page.locator('.history .entry').count()).toBe(2);
    await page.close();
  });

  it('shows a canary split within 2 s of `release promote --canary 50`, without a reload', async () => {
    // A second code: a change the bundle keeps, picked up by watch mode as the new $LATEST.
    const handler = join(app.project.root, 'src/service/handler.ts');
    await appendFile(handler, "\n(globalThis as Record<string, unknown>).consoleTest = 'v2';\n");
    expect(await readFile(handler, 'utf8')).toContain('consoleTest');
    await app.stagingHasNewCode();
    expect((await app.release('verify')).code).toBe(0);

    const page = await app.openConsole();
    // Page-side code is passed as text: the tests are type-checked without the DOM library.
    await page.evaluate('window.unreloaded = true');
    await page.locator('.panel-verification .badge.ok').waitFor();
    const promoted = await app.release('promote', '--canary', '50');
    expect(promoted).toMatchObject({ code: 0, stdout: 'prod: 1 → 1+2@50%\n' });
    const shown = Date.now();
    await page
      .locator('[data-serves="prod"]', { hasText: 'version 1 + 50% version 2' })
      .waitFor({ timeout: 2000 });
    expect(Date.now() - shown).toBeLessThan(2000);
    const weights = await page
      .locator('[data-stage="prod"] [data-version]')
      .evaluateAll((cards) =>
        cards.map((card) => [
          card.getAttribute('data-version'),
          card.querySelector('.weight')?.textContent,
        ]),
      );
    expect(weights).toEqual([
      ['1', '50%'],
      ['2', '50%'],
    ]);
    expect(await page.evaluate('window.unreloaded')).toBe(true);
    expect(await page.locator('.history .entry').first().textContent()).toContain('canary');
    await page.close();
  });

  it('shows the traffic the test sends in the per-version numbers', async (ctx) => {
    // GET /_stagecraft/metrics is the gateway's (issue 13); until it is served there is
    // nothing to count, and the page says so.
    if (!(await metricsServed())) ctx.skip();
    const page = await app.openConsole();
    const total = page.locator('[data-traffic="staging/$LATEST"] .total');
    await total.waitFor();
    const before = Number(await total.textContent());
    for (let i = 0; i < 20; i++) {
      const answer = await fetch(
        `${app.dev.url}/staging/user/traffic${String(i).padStart(4, '0')}`,
      );
      await answer.arrayBuffer();
    }
    await expect
      .poll(async () => Number(await total.textContent()), { timeout: 10_000 })
      .toBe(before + 20);
    const rps = page.locator('[data-traffic="staging/$LATEST"] [data-metric="rps"] .value');
    await expect.poll(() => rps.textContent(), { timeout: 10_000 }).not.toBe('—');
    await page.close();
  });

  it('draws per-version rates from successive metrics snapshots', async () => {
    // The metrics answered by the test (page.route), so the drawing is checked whether or not
    // this dev server serves GET /_stagecraft/metrics: 10 requests per 2 s on prod v2, 1 of
    // them a 5xx, all within (2, 5] ms.
    const page = await app.browser.newPage();
    let calls = 0;
    await page.route('**/_stagecraft/metrics', async (route) => {
      const n = calls++;
      const buckets = new Array<number>(22).fill(0);
      buckets[2] = 10 * n;
      const counters = {
        requests: 10 * n,
        status_2xx: 9 * n,
        status_4xx: 0,
        status_5xx: n,
        function_errors: 0,
        latency_buckets: buckets,
        latency_sum_ms: 40 * n,
      };
      await route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          started_at: '2026-01-01T00:00:00.000Z',
          at: new Date(Date.UTC(2026, 0, 1, 0, 0, 2 * n)).toISOString(),
          latency_buckets_ms: [
            1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000,
            10000, 30000,
          ],
          stages: { prod: { '2': counters } },
        }),
      });
    });
    await page.goto(`${app.dev.url}/`);
    const card = page.locator('[data-traffic="prod/2"]');
    await expect
      .poll(() => card.locator('[data-metric="rps"] .value').textContent(), { timeout: 10_000 })
      .toBe('5.00');
    expect(await card.locator('[data-metric="errorRate"] .value').textContent()).toBe('10.0%');
    expect(await card.locator('[data-metric="p50Ms"] .value').textContent()).toBe('3.5 ms');
    expect(await card.locator('[data-metric="p99Ms"] .value').textContent()).toBe('5.0 ms');
    expect(await card.locator('svg.spark path').count()).toBe(4);
    await page.close();
  });

  it('lists GET/POST/DELETE /user/{id} on the API page, and its form creates a user on staging', async () => {
    const page = await app.browser.newPage();
    await page.goto(`${app.dev.url}/_stagecraft/api`);
    for (const [operation, title] of [
      ['getUser', 'GET /user/{id}'],
      ['putUser', 'POST /user/{id}'],
      ['deleteUser', 'DELETE /user/{id}'],
    ]) {
      const section = page.locator(`[data-operation="${operation}"]`);
      await expect.poll(() => section.getAttribute('aria-label')).toBe(title);
    }
    const form = page.getByRole('form', { name: 'try POST /user/{id}' });
    await form.getByLabel('Stage').selectOption('/staging');
    const id = await form.getByLabel('id', { exact: true }).inputValue();
    await form.getByLabel('Body (JSON)').fill('{"name": "Grace Hopper"}');
    await form.getByRole('button', { name: 'Send POST /user/{id}' }).click();
    await form.locator('[data-status="201"]').waitFor();
    const created = await fetch(`${app.dev.url}/staging/user/${id}`);
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ id, name: 'Grace Hopper' });
    const onProd = await fetch(`${app.dev.url}/prod/user/${id}`);
    await onProd.arrayBuffer();
    expect(onProd.status).toBe(404); // another stage, another table
    await page.close();
  });

  it('has no horizontal overflow at phone width', async () => {
    const page = await app.browser.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    for (const path of ['/', '/_stagecraft/api']) {
      await page.goto(`${app.dev.url}${path}`);
      await page
        .locator(path === '/' ? '[data-serves="prod"]' : '.try')
        .first()
        .waitFor();
      const sizes = (await page.evaluate(`({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
        widest: Math.max(
          ...[...document.querySelectorAll('main *')].map((e) => e.getBoundingClientRect().right),
        ),
      })`)) as { scroll: number; client: number; widest: number };
      expect(sizes.client).toBe(360);
      expect(sizes.scroll, path).toBeLessThanOrEqual(sizes.client);
      expect(sizes.widest, path).toBeLessThanOrEqual(sizes.client);
    }
    // The check sees overflow when there is some.
    const overflowing = await page.evaluate(`(() => {
      const wide = document.createElement('div');
      wide.style.width = '600px';
      wide.style.height = '10px';
      document.getElementById('main').append(wide);
      return document.documentElement.scrollWidth;
    })()`);
    expect(overflowing).toBeGreaterThan(360);
    await page.close();
  });

  it('reconnects when the dev server restarts, and shows the state it finds', async () => {
    const page = await app.openConsole();
    const port = new URL(app.dev.url).port;
    expect(await app.dev.stop()).toBe(0);
    await page.locator('#live[data-status="reconnecting"]').waitFor({ timeout: 10_000 });
    app.dev = await spawnDev(['--state-dir', app.stateDir, '--port', port], {
      root: app.project.root,
      timeoutMs: 90_000,
    });
    await page.locator('#live[data-status="live"]').waitFor({ timeout: 15_000 });
    expect(await page.textContent('[data-serves="prod"]')).toBe('version 1 + 50% version 2');
    await page.close();
  });
});
