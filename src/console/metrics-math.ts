/**
 * Per-version rates from the dev server's cumulative metrics (`GET /_stagecraft/metrics`,
 * {@link MetricsSnapshot}): the difference of two snapshots is the window between them, so
 * requests per second, error rate and latency percentiles follow by subtraction. Pure, and
 * bundled into the browser script as is (it imports only platform/metrics.ts, which has no
 * Node imports).
 */
import {
  histogramQuantile,
  type MetricsSnapshot,
  type VersionCounters,
} from '../platform/metrics.ts';

/** One version's numbers over the window between two snapshots. */
export interface VersionRates {
  /** Requests in the window. */
  readonly requests: number;
  /** Requests per second over the window. */
  readonly rps: number;
  /** Share (0..1) of 5xx answers among the window's requests; undefined with no requests. */
  readonly errorRate: number | undefined;
  /** Median latency (ms); undefined with no samples. */
  readonly p50Ms: number | undefined;
  /** 99th percentile latency (ms); undefined with no samples. */
  readonly p99Ms: number | undefined;
  /** Requests since the dev server started (the newer snapshot's counter). */
  readonly total: number;
}

/**
 * `next - prev`, counter by counter. Without `prev` (the version's first requests), or when a
 * counter went backwards (the dev server restarted between the snapshots), `next` itself is
 * the window.
 */
export function diffCounters(
  prev: VersionCounters | undefined,
  next: VersionCounters,
): VersionCounters {
  if (prev === undefined || next.requests < prev.requests) return next;
  return {
    requests: next.requests - prev.requests,
    status_2xx: next.status_2xx - prev.status_2xx,
    status_4xx: next.status_4xx - prev.status_4xx,
    status_5xx: next.status_5xx - prev.status_5xx,
    function_errors: next.function_errors - prev.function_errors,
    latency_buckets: next.latency_buckets.map(
      (count, index) => count - (prev.latency_buckets[index] ?? 0),
    ),
    latency_sum_ms: next.latency_sum_ms - prev.latency_sum_ms,
  };
}

/** One version's {@link VersionRates} between two of its cumulative counter sets. */
export function versionRates(
  prev: VersionCounters | undefined,
  next: VersionCounters,
  seconds: number,
  boundsMs: readonly number[],
): VersionRates {
  const window = diffCounters(prev, next);
  return {
    requests: window.requests,
    rps: seconds > 0 ? window.requests / seconds : 0,
    // A failed function is answered 502/504 by the gateway, so 5xx already counts it once.
    errorRate: window.requests > 0 ? window.status_5xx / window.requests : undefined,
    p50Ms: histogramQuantile(window.latency_buckets, boundsMs, 0.5),
    p99Ms: histogramQuantile(window.latency_buckets, boundsMs, 0.99),
    total: next.requests,
  };
}

/**
 * Every stage's versions' rates between two snapshots (stage → version → rates). A version
 * only in `prev` is left out; one only in `next` counts from zero. When the dev server
 * restarted in between (`started_at` changed), `next` alone is the window, over its own age.
 */
export function snapshotRates(
  prev: MetricsSnapshot,
  next: MetricsSnapshot,
): Record<string, Record<string, VersionRates>> {
  const restarted = prev.started_at !== next.started_at;
  const from = Date.parse(restarted ? next.started_at : prev.at);
  const seconds = Math.max(0, (Date.parse(next.at) - from) / 1000);
  const result: Record<string, Record<string, VersionRates>> = {};
  for (const [stage, versions] of Object.entries(next.stages)) {
    const rates: Record<string, VersionRates> = {};
    for (const [version, counters] of Object.entries(versions)) {
      const before = restarted ? undefined : prev.stages[stage]?.[version];
      rates[version] = versionRates(before, counters, seconds, next.latency_buckets_ms);
    }
    result[stage] = rates;
  }
  return result;
}
