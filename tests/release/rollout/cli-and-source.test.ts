// `release rollout`'s command line (usage errors exit 2, refusals exit 1 before anything moves)
// and the local metrics source (windows from cumulative snapshots of a fake dev server).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS } from '../../../src/config/metrics.ts';
import { METRICS_PATH } from '../../../src/local/gateway/metrics-route.ts';
import {
  METRICS_ENDPOINT,
  openLocalMetricsSource,
  windowStats,
} from '../../../src/platform/local/metrics-source.ts';
import {
  emptyCounters,
  histogramQuantile,
  type MetricsSnapshot,
  type VersionCounters,
} from '../../../src/platform/metrics.ts';
import { isReleaseError } from '../../../src/errors.ts';
import { publishedStateDir } from '../../state/fixture.ts';
import { runCli } from '../cli-helpers.ts';
import { startTraffic } from '../../../src/release/rollout/traffic.ts';
import { tickLine } from '../../../src/cli/commands/release/rollout/index.ts';
import { formatHistoryEntry } from '../../../src/cli/commands/release/format.ts';

const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) server.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function stateDir() {
  const { stateDir: dir } = await publishedStateDir(2);
  dirs.push(dir);
  return dir;
}

describe('release rollout command line', () => {
  it.each([
    [['--strategy', 'canary:10'], /--strategy must be canary:PERCENT:DURATION/],
    [['--steps', '10,50'], /--steps needs --interval/],
    [['--tick', '5'], /--tick must be a duration/],
    [['--max-error-rate', 'lots'], /--max-error-rate must be a number/],
    [['--confidence', '1.5'], /--confidence must be a number above 0 and below 1/],
    [['--min-requests', '0'], /--min-requests must be a whole number of at least 1/],
    [['--on-inconclusive', 'maybe'], /--on-inconclusive must be fail or continue/],
    [['--alarm', 'x'], /--alarm applies to --target aws only/],
    [['--resume', '2'], /--resume .* takes no VERSION/],
    [['--resume', '--strategy', 'all-at-once'], /takes no --strategy/],
    [['abc'], /VERSION must be a published version number/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const result = await runCli(['release', 'rollout', ...args, '--state-dir', await stateDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('without a running dev server the local rollout refuses before moving anything', async () => {
    const dir = await stateDir();
    const result = await runCli([
      'release',
      'rollout',
      '2',
      '--force',
      '--json',
      '--state-dir',
      dir,
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'rollout.metrics' });
    expect(result.stderr).toMatch(/no `stagecraft dev` is running/);
    const status = JSON.parse(
      (await runCli(['release', 'status', '--json', '--state-dir', dir])).stdout,
    );
    expect(status.aliases.prod).toMatchObject({ version: '1' });
    expect(status.aliases.prod.weights).toBeUndefined();
    expect(status.rollout).toBeNull();
  });
});

function counters(requests: number, errors: number, latencyMs: number): VersionCounters {
  const buckets = emptyCounters().latency_buckets.slice();
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => bound >= latencyMs);
  buckets[index === -1 ? buckets.length - 1 : index] = requests;
  return {
    ...emptyCounters(),
    requests,
    status_2xx: requests - errors,
    status_5xx: errors,
    latency_buckets: buckets,
    latency_sum_ms: requests * latencyMs,
  };
}

describe('the local metrics source', () => {
  it('reads the path the gateway serves', () => {
    expect(`/${METRICS_ENDPOINT}`).toBe(METRICS_PATH);
  });

  it('subtracts counters bucket by bucket and interpolates the p99 inside its bucket', () => {
    const start = counters(100, 1, 8);
    const end = { ...counters(300, 11, 8) };
    expect(windowStats(start, end)).toEqual({
      requests: 200,
      errors: 10,
      p99Ms: expect.any(Number),
    });
    // 200 samples in the (5, 10] bucket: the p99 (rank 198) is 5 + 5 × 198/200.
    expect(windowStats(start, end).p99Ms).toBeCloseTo(5 + (5 * 198) / 200, 9);
    expect(windowStats(undefined, undefined)).toEqual({ requests: 0, errors: 0, p99Ms: undefined });
    expect(histogramQuantile([0, 0], [1], 0.99)).toBeUndefined();
    // Everything in the overflow bucket: its lower bound.
    const overflow = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
    overflow[LATENCY_BUCKETS_MS.length] = 5;
    expect(histogramQuantile(overflow, LATENCY_BUCKETS_MS, 0.99)).toBe(LATENCY_BUCKETS_MS.at(-1));
  });

  it('keeps the snapshot taken at a window start and subtracts it from later ones', async () => {
    let current: MetricsSnapshot;
    const snapshot = (
      at: string,
      prod: Record<string, VersionCounters>,
      startedAt = 'T0',
    ): MetricsSnapshot => ({
      started_at: startedAt,
      at,
      latency_buckets_ms: LATENCY_BUCKETS_MS,
      stages: { prod },
    });
    const server = createServer((req, res) => {
      expect(req.url).toBe(METRICS_PATH);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(current));
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const devUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const source = await openLocalMetricsSource({ stateDir: '/nonexistent', devUrl });
    expect(source.settleMs).toBe(0);
    const from = new Date('2026-01-01T00:00:10Z');
    current = snapshot('2026-01-01T00:00:10.005Z', { '1': counters(1000, 0, 8) });
    const first = await source.window({ stage: 'prod', versions: ['1', '2'], from, to: from });
    expect(first['1']?.requests).toBe(0);
    expect(first['2']?.requests).toBe(0);
    current = snapshot('2026-01-01T00:00:20Z', {
      '1': counters(1800, 2, 8),
      '2': counters(200, 20, 40),
    });
    const second = await source.window({
      stage: 'prod',
      versions: ['1', '2'],
      from,
      to: new Date('2026-01-01T00:00:20Z'),
    });
    expect(second['1']).toMatchObject({ requests: 800, errors: 2 });
    expect(second['2']).toMatchObject({ requests: 200, errors: 20 });
    current = snapshot('2026-01-01T00:00:30Z', {
      '1': counters(2800, 2, 8),
      '2': counters(400, 20, 40),
    });
    const third = await source.window({
      stage: 'prod',
      versions: ['1', '2'],
      from,
      to: new Date('2026-01-01T00:00:30Z'),
    });
    expect(third['1']).toMatchObject({ requests: 1800 });
    // The dev server restarted: its counters began again, and so does the window.
    current = snapshot('2026-01-01T00:00:40Z', { '1': counters(50, 0, 8) }, 'T1');
    const restarted = await source.window({
      stage: 'prod',
      versions: ['1'],
      from,
      to: new Date('2026-01-01T00:00:40Z'),
    });
    expect(restarted['1']).toMatchObject({ requests: 50 });
  });

  it('a dev server that stopped answering is a clear error', async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const devUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    server.close();
    const source = await openLocalMetricsSource({
      stateDir: '/nonexistent',
      devUrl,
      timeoutMs: 2000,
    });
    const now = new Date();
    await expect(
      source.window({ stage: 'prod', versions: ['1'], from: now, to: now }),
    ).rejects.toSatisfy(
      (error) =>
        isReleaseError(error, 'rollout.metrics') &&
        /is `stagecraft dev` still running/.test(error.message),
    );
  });
});

describe('--traffic', () => {
  it('replays the checks against the stage at no more than RPS, and stops when told', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"message":"not found"}');
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod/`;
    const traffic = startTraffic({
      baseUrl,
      rps: 20,
      checks: [
        {
          source: 'test',
          check: {
            name: 'two requests, the second failing the check',
            async run(ctx) {
              await ctx.request('GET', `user/${ctx.userId}`);
              await ctx.request('POST', `user/${ctx.userId}`, { json: { name: 'x' } });
              throw new Error('a failing check does not stop the traffic');
            },
          },
        },
      ],
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sent = await traffic.stop();
    const after = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.length).toBe(after); // stopped: nothing more
    expect(sent).toBe(after);
    expect(sent).toBeGreaterThanOrEqual(5);
    expect(sent).toBeLessThanOrEqual(22); // 20 per second, plus the first one at once
    expect(seen[0]).toMatch(/^GET \/prod\/user\/traffic[0-9a-f]{24}$/);
    expect(seen[1]).toMatch(/^POST \/prod\/user\/traffic/);
  });
});

describe('rollout lines', () => {
  it('a tick line: step, share, canary vs baseline, verdict', () => {
    const line = tickLine({
      step: 1,
      steps: 3,
      percent: 20,
      elapsed_ms: 30_000,
      canary: { version: '4', requests: 36, errors: 2, error_rate: 2 / 36, p99_ms: 12.5 },
      baseline: { version: '3', requests: 324, errors: 0, error_rate: 0, p99_ms: 9 },
      p_value: 0.00975,
      p99_ratio: null,
      decision: 'fail',
      reason: 'canary error rate 5.56% …',
    });
    expect(line).toBe(
      '  step 1/3 20% · 30s · canary v4 36 req 5.56% err p99 12.5 ms · baseline v3 324 req 0% err p99 9 ms · fail: canary error rate 5.56% …',
    );
  });

  it('history shows rollout events, and entries of older kinds as before', () => {
    const base = {
      at: '2026-01-01T00:00:00.000Z',
      user: 'ann',
      command: 'release rollout',
      forced: false,
    };
    expect(
      formatHistoryEntry({
        ...base,
        action: 'rollout',
        event: 'start',
        version: '4',
        baseline: '3',
        schedule: 'canary:10:5m',
      }),
    ).toBe(
      '2026-01-01T00:00:00.000Z  ann  release rollout  rollout start: version 4 over 3 (canary:10:5m)',
    );
    expect(
      formatHistoryEntry({
        ...base,
        action: 'rollout',
        event: 'end',
        outcome: 'aborted',
        reason: 'because',
      }),
    ).toBe('2026-01-01T00:00:00.000Z  ann  release rollout  rollout aborted — because');
    expect(
      formatHistoryEntry({
        ...base,
        command: 'release promote',
        action: 'promote',
        stage: 'prod',
        from: '1',
        to: '2',
        code_sha256: 'abc',
      }),
    ).toBe('2026-01-01T00:00:00.000Z  ann  release promote  prod 1 → 2  abc');
  });
});
