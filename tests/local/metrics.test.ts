// The gateway's per-version counters: unit-level (buckets, Prometheus text) and over HTTP
// against an in-process stack on the misbehaving fixture (every kind of function failure).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS } from '../../src/config/metrics.ts';
import {
  bucketIndex,
  GatewayMetrics,
  PROMETHEUS_CONTENT_TYPE,
  toPrometheus,
} from '../../src/local/gateway/metrics.ts';
import type { MetricsSnapshot } from '../../src/platform/metrics.ts';
import { startTestStack } from './helpers.ts';

describe('GatewayMetrics', () => {
  it('puts a latency in the first bucket whose (inclusive) bound holds it', () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(1)).toBe(0);
    expect(bucketIndex(1.01)).toBe(1);
    expect(bucketIndex(10)).toBe(LATENCY_BUCKETS_MS.indexOf(10));
    expect(bucketIndex(10.5)).toBe(LATENCY_BUCKETS_MS.indexOf(20));
    expect(bucketIndex(1e9)).toBe(LATENCY_BUCKETS_MS.length); // the overflow bucket
  });

  it('counts per stage and version, by status class and failure', () => {
    const clock = new Date('2026-01-01T00:00:00.000Z');
    const metrics = new GatewayMetrics(() => clock);
    metrics.record('prod', '1', 200, false, 3);
    metrics.record('prod', '1', 404, false, 7);
    metrics.record('prod', '2', 502, true, 12);
    metrics.record('staging', '$LATEST', 201, false, 0.5);
    const snapshot = metrics.snapshot();
    expect(snapshot.started_at).toBe('2026-01-01T00:00:00.000Z');
    expect(snapshot.latency_buckets_ms).toEqual(LATENCY_BUCKETS_MS);
    expect(snapshot.stages.prod?.['1']).toMatchObject({
      requests: 2,
      status_2xx: 1,
      status_4xx: 1,
      status_5xx: 0,
      function_errors: 0,
      latency_sum_ms: 10,
    });
    expect(snapshot.stages.prod?.['2']).toMatchObject({
      requests: 1,
      status_5xx: 1,
      function_errors: 1,
    });
    const buckets = snapshot.stages.prod?.['2']?.latency_buckets ?? [];
    expect(buckets).toHaveLength(LATENCY_BUCKETS_MS.length + 1);
    expect(buckets[LATENCY_BUCKETS_MS.indexOf(20)]).toBe(1);
    // A snapshot is a copy: later requests do not change it.
    metrics.record('prod', '2', 200, false, 1);
    expect(snapshot.stages.prod?.['2']?.requests).toBe(1);
  });

  it('renders Prometheus text exposition 0.0.4: counters and a cumulative histogram', () => {
    const metrics = new GatewayMetrics();
    metrics.record('prod', '1', 200, false, 4);
    metrics.record('prod', '1', 500, false, 40);
    metrics.record('prod', '1', 502, true, 40_000);
    const text = toPrometheus(metrics.snapshot());
    const line = (prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));
    expect(text).toContain('# TYPE stagecraft_requests_total counter');
    expect(text).toContain('# TYPE stagecraft_request_duration_seconds histogram');
    expect(line('stagecraft_requests_total{stage="prod",version="1"}')).toMatch(/ 3$/);
    expect(line('stagecraft_responses_total{stage="prod",version="1",class="5xx"}')).toMatch(/ 2$/);
    expect(line('stagecraft_function_errors_total{stage="prod",version="1"}')).toMatch(/ 1$/);
    const bucket = (le: string) =>
      line(`stagecraft_request_duration_seconds_bucket{stage="prod",version="1",le="${le}"}`);
    expect(bucket('0.002')).toMatch(/ 0$/);
    expect(bucket('0.005')).toMatch(/ 1$/);
    expect(bucket('0.05')).toMatch(/ 2$/);
    expect(bucket('30')).toMatch(/ 2$/);
    expect(bucket('+Inf')).toMatch(/ 3$/);
    expect(line('stagecraft_request_duration_seconds_sum{stage="prod",version="1"}')).toMatch(
      / 40\.044$/,
    );
    expect(line('stagecraft_request_duration_seconds_count{stage="prod",version="1"}')).toMatch(
      / 3$/,
    );
    // Every sample line is `name{labels} value`.
    for (const sample of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      expect(sample).toMatch(/^[a-z_]+\{[^}]*\} [0-9.e+-]+$/);
    }
  });
});

describe('GET /_stagecraft/metrics on the local stack', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack({ timeoutMs: 1000 });
  }, 60_000);
  afterAll(() => stack?.close());

  async function get(path: string) {
    const response = await fetch(`${stack.url}${path}`);
    await response.arrayBuffer();
    return response.status;
  }

  it('counts what each stage version answered, failures included', async () => {
    expect(await get('/prod/user/echoUser1')).toBe(200);
    expect(await get('/prod/user/echoUser2')).toBe(200);
    expect(await get('/prod/user/throwing')).toBe(502);
    expect(await get('/prod/user/nostatus')).toBe(502);
    expect(await get('/prod/user/hanging')).toBe(502); // the function timeout, as Lambda's
    expect(await get('/staging/user/echoUser3')).toBe(200);
    expect(await get('/nowhere')).toBeGreaterThanOrEqual(400); // unmapped: not counted
    const response = await fetch(`${stack.url}/_stagecraft/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const snapshot = (await response.json()) as MetricsSnapshot;
    expect(Object.keys(snapshot.stages).sort()).toEqual(['prod', 'staging']);
    expect(snapshot.stages.prod?.['1']).toMatchObject({
      requests: 5,
      status_2xx: 2,
      status_5xx: 3,
      function_errors: 3,
    });
    expect(snapshot.stages.staging?.$LATEST).toMatchObject({ requests: 1, status_2xx: 1 });
    const prod = snapshot.stages.prod?.['1'];
    expect(prod?.latency_buckets.reduce((a, b) => a + b, 0)).toBe(5);
    // The timeout alone took about the function timeout (1 s).
    expect(prod?.latency_sum_ms).toBeGreaterThanOrEqual(900);
    expect(Date.parse(snapshot.at)).toBeGreaterThanOrEqual(Date.parse(snapshot.started_at));
  });

  it('answers Prometheus text when asked for text/plain', async () => {
    const response = await fetch(`${stack.url}/_stagecraft/metrics`, {
      headers: { accept: 'text/plain;version=0.0.4;q=0.3,*/*;q=0.2' },
    });
    expect(response.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    const text = await response.text();
    expect(text).toMatch(/^stagecraft_requests_total\{stage="prod",version="1"\} \d+$/m);
    const json = await fetch(`${stack.url}/_stagecraft/metrics`, {
      headers: { accept: 'application/json, text/plain, */*' },
    });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    await json.arrayBuffer();
  });
});
