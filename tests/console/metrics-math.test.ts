import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS } from '../../src/config/metrics.ts';
import { diffCounters, snapshotRates, versionRates } from '../../src/console/metrics-math.ts';
import {
  emptyCounters,
  histogramQuantile,
  type VersionCounters,
} from '../../src/platform/metrics.ts';
import type { MetricsSnapshot } from '../../src/platform/metrics.ts';

const BOUNDS = [10, 20, 50, 100];

// Counters after `latencies` requests with the given statuses.
function counters(latencies: readonly number[], statuses: readonly number[] = []): VersionCounters {
  const buckets = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  for (const ms of latencies) {
    const index = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
    const at = index === -1 ? LATENCY_BUCKETS_MS.length : index;
    buckets[at] = (buckets[at] ?? 0) + 1;
  }
  const status = (from: number) => statuses.filter((s) => s >= from && s < from + 100).length;
  return {
    ...emptyCounters(),
    requests: latencies.length,
    status_2xx: status(200),
    status_4xx: status(400),
    status_5xx: status(500),
    latency_buckets: buckets,
    latency_sum_ms: latencies.reduce((a, b) => a + b, 0),
  };
}

describe('histogramQuantile', () => {
  it('is undefined without samples', () => {
    expect(histogramQuantile([0, 0, 0, 0, 0], BOUNDS, 0.5)).toBeUndefined();
  });

  it('interpolates inside the bucket that holds the rank', () => {
    // 10 samples in (10, 20]: the median is half-way through that bucket.
    expect(histogramQuantile([0, 10, 0, 0, 0], BOUNDS, 0.5)).toBe(15);
    // 90 fast, 10 in (50, 100]: p99 sits 9/10 of the way through the slow bucket.
    expect(histogramQuantile([90, 0, 0, 10, 0], BOUNDS, 0.99)).toBeCloseTo(95);
    expect(histogramQuantile([90, 0, 0, 10, 0], BOUNDS, 0.5)).toBeCloseTo((50 / 90) * 10);
  });

  it('reports the last bound for a quantile in the overflow bucket', () => {
    expect(histogramQuantile([1, 0, 0, 0, 99], BOUNDS, 0.99)).toBe(100);
  });

  it('skips empty buckets at the rank boundary', () => {
    // rank 5 of 10 ends exactly at the first bucket: the answer stays in that bucket.
    expect(histogramQuantile([5, 0, 0, 5, 0], BOUNDS, 0.5)).toBe(10);
  });
});

describe('diffCounters', () => {
  it('subtracts counter by counter, histogram included', () => {
    const before = counters([3, 40], [200, 500]);
    const after = counters([3, 40, 4, 4, 90], [200, 500, 200, 404, 200]);
    const window = diffCounters(before, after);
    expect(window).toMatchObject({
      requests: 3,
      status_2xx: 2,
      status_4xx: 1,
      status_5xx: 0,
      latency_sum_ms: 98,
    });
    expect(window.latency_buckets.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('takes the newer counters alone when there is no earlier set or they went backwards', () => {
    const after = counters([5]);
    expect(diffCounters(undefined, after)).toBe(after);
    expect(diffCounters(counters([1, 2, 3]), after)).toBe(after);
  });
});

describe('versionRates', () => {
  it('gives rps, error rate and percentiles of the window', () => {
    const before = counters([1, 1]);
    const latencies = [1, 1, ...Array.from({ length: 99 }, () => 4), 800];
    const statuses = [200, 200, ...Array.from({ length: 95 }, () => 200), 500, 500, 502, 503, 504];
    const rates = versionRates(before, counters(latencies, statuses), 10, LATENCY_BUCKETS_MS);
    expect(rates.requests).toBe(100);
    expect(rates.rps).toBe(10);
    expect(rates.errorRate).toBeCloseTo(0.05);
    expect(rates.p50Ms).toBeGreaterThan(2);
    expect(rates.p50Ms).toBeLessThanOrEqual(5);
    expect(rates.p99Ms).toBeLessThanOrEqual(5);
    expect(rates.total).toBe(102);
  });

  it('has no error rate and no percentiles without requests', () => {
    const same = counters([1, 2]);
    expect(versionRates(same, same, 2, LATENCY_BUCKETS_MS)).toEqual({
      requests: 0,
      rps: 0,
      errorRate: undefined,
      p50Ms: undefined,
      p99Ms: undefined,
      total: 2,
    });
  });
});

describe('snapshotRates', () => {
  const snapshot = (
    at: string,
    stages: MetricsSnapshot['stages'],
    startedAt = '2026-01-01T00:00:00.000Z',
  ): MetricsSnapshot => ({
    started_at: startedAt,
    at,
    latency_buckets_ms: LATENCY_BUCKETS_MS,
    stages,
  });

  it('rates every stage and version between two snapshots', () => {
    const prev = snapshot('2026-01-01T00:00:10.000Z', { prod: { '1': counters([3]) } });
    const next = snapshot('2026-01-01T00:00:12.000Z', {
      prod: { '1': counters([3, 3, 3, 3, 3]), '2': counters([7, 7], [500, 200]) },
      staging: { $LATEST: counters([1]) },
    });
    const rates = snapshotRates(prev, next);
    expect(rates.prod?.['1']?.rps).toBe(2);
    expect(rates.prod?.['2']).toMatchObject({ requests: 2, rps: 1, errorRate: 0.5 });
    expect(rates.staging?.$LATEST).toMatchObject({ requests: 1, rps: 0.5 });
  });

  it('starts over when the dev server restarted between snapshots', () => {
    const prev = snapshot('2026-01-01T00:00:10.000Z', { prod: { '1': counters([3, 3, 3]) } });
    const next = snapshot(
      '2026-01-01T00:01:04.000Z',
      { prod: { '1': counters([3, 3, 3, 3]) } },
      '2026-01-01T00:01:00.000Z',
    );
    expect(snapshotRates(prev, next).prod?.['1']).toMatchObject({ requests: 4, rps: 1 });
  });
});
