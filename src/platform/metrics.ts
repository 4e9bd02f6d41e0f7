/**
 * Per-version request metrics: the shapes every producer and reader shares.
 *
 * - The local gateway counts, per stage and function version, cumulative counters since the
 *   dev server started and serves them as {@link MetricsSnapshot} at `GET /_stagecraft/metrics`
 *   (JSON; Prometheus text when the client asks for `text/plain`).
 * - On AWS the function writes EMF log lines (names in config/metrics.ts) read back with
 *   CloudWatch `GetMetricData`.
 * - Readers (the rollout's judgement, the release console) see one version's
 *   {@link WindowStats} over a time window through a {@link VersionMetricsSource}.
 *
 * Pure and free of Node imports: the release console's browser script bundles it too.
 */
import { LATENCY_BUCKETS_MS } from '../config/metrics.ts';

/** Cumulative counts of one function version on one stage (JSON: snake_case, as all output). */
export interface VersionCounters {
  /** Requests the stage sent to this version. */
  readonly requests: number;
  /** Answers the client got, by class; gateway 502/504 for a failed function count as 5xx. */
  readonly status_2xx: number;
  readonly status_4xx: number;
  readonly status_5xx: number;
  /** Function failures: crash, timeout, thrown error, malformed proxy result. */
  readonly function_errors: number;
  /** Latency histogram: counts per bucket of LATENCY_BUCKETS_MS, plus one overflow bucket. */
  readonly latency_buckets: readonly number[];
  /** Sum of all latencies (ms), for a mean. */
  readonly latency_sum_ms: number;
}

/** `GET /_stagecraft/metrics`: every stage's versions, cumulative since `started_at`. */
export interface MetricsSnapshot {
  /** When the counters started (the dev server's start), ISO 8601. */
  readonly started_at: string;
  /** When this snapshot was taken, ISO 8601. */
  readonly at: string;
  /** Upper bounds of the histogram buckets (ms), as LATENCY_BUCKETS_MS. */
  readonly latency_buckets_ms: readonly number[];
  /** stage → version (`$LATEST`, `1`, `2`, ...) → counters. */
  readonly stages: Readonly<Record<string, Readonly<Record<string, VersionCounters>>>>;
}

/** What a judgement needs of one version over a window. */
export interface WindowStats {
  /** Requests the version answered in the window. */
  readonly requests: number;
  /** Of those, 5xx answers and function failures (a failure is counted once). */
  readonly errors: number;
  /** 99th percentile latency (ms), or undefined with no samples. */
  readonly p99Ms: number | undefined;
}

/** A window's stats, per version, on one stage. */
export interface VersionMetricsSource {
  /**
   * Each asked version's stats on `stage` for requests received in [from, to). A version with
   * no traffic has zero requests. Sources with a reporting delay (CloudWatch) say how long to
   * wait before a window is complete through {@link VersionMetricsSource.settleMs}.
   */
  window(query: {
    readonly stage: string;
    readonly versions: readonly string[];
    readonly from: Date;
    readonly to: Date;
  }): Promise<Readonly<Record<string, WindowStats>>>;
  /** How long after `to` a window's numbers are complete (ms): 0 locally. */
  readonly settleMs: number;
}

/** An empty counter set, the starting point of a version's first request. */
export function emptyCounters(): VersionCounters {
  return {
    requests: 0,
    status_2xx: 0,
    status_4xx: 0,
    status_5xx: 0,
    function_errors: 0,
    latency_buckets: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
    latency_sum_ms: 0,
  };
}

/**
 * The `q` quantile (0..1) of a latency histogram: `buckets[i]` counts samples ≤ `boundsMs[i]`
 * (and above the previous bound); one more bucket holds everything slower than the last bound.
 * Interpolates linearly inside the bucket, as Prometheus' `histogram_quantile` does; a quantile
 * that falls in the overflow bucket is reported as the last bound (its true value is unknown).
 * Undefined when the histogram is empty. The one quantile of the project: the rollout's
 * judgement (platform/local/metrics-source.ts) and the release console both use it.
 */
export function histogramQuantile(
  buckets: readonly number[],
  boundsMs: readonly number[],
  q: number,
): number | undefined {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  if (total <= 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (const [index, count] of buckets.entries()) {
    if (count > 0 && below + count >= rank) {
      const upper = boundsMs[index];
      if (upper === undefined) return boundsMs[boundsMs.length - 1];
      const lower = index === 0 ? 0 : (boundsMs[index - 1] ?? 0);
      return lower + ((upper - lower) * Math.max(0, rank - below)) / count;
    }
    below += count;
  }
  return boundsMs[boundsMs.length - 1];
}
