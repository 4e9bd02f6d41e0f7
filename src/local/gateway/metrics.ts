/**
 * The gateway's request metrics: per stage and function version, cumulative since the dev
 * server started, in the shapes of `platform/metrics.ts` — the JSON of `GET
 * /_stagecraft/metrics`, read by the rollout and the release console — and as Prometheus text.
 *
 * On the hot path {@link GatewayMetrics.record} does two map look-ups, a bucket search and a
 * few additions on a mutable record: no allocation per request once a stage's version has
 * been seen.
 */
import { LATENCY_BUCKETS_MS } from '../../config/metrics.ts';
import type { MetricsSnapshot, VersionCounters } from '../../platform/metrics.ts';

// The mutable twin of VersionCounters; copied out only when a snapshot is asked for.
interface Counters {
  requests: number;
  status2xx: number;
  status4xx: number;
  status5xx: number;
  functionErrors: number;
  readonly buckets: number[];
  latencySumMs: number;
}

/** Counts what the gateway answered, per stage and version. */
export class GatewayMetrics {
  readonly #stages = new Map<string, Map<string, Counters>>();
  readonly #startedAt: Date;
  readonly #now: () => Date;

  /** @param now the clock, for the snapshot's times */
  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
    this.#startedAt = now();
  }

  /**
   * Counts one answered request.
   * @param status the HTTP status the client got (a failed function's 502/504 included)
   * @param functionFailed the function crashed, timed out, threw or returned a malformed result
   * @param latencyMs from the request's arrival to its answer
   */
  record(
    stage: string,
    version: string,
    status: number,
    functionFailed: boolean,
    latencyMs: number,
  ): void {
    let versions = this.#stages.get(stage);
    if (versions === undefined) {
      versions = new Map();
      this.#stages.set(stage, versions);
    }
    let counters = versions.get(version);
    if (counters === undefined) {
      counters = {
        requests: 0,
        status2xx: 0,
        status4xx: 0,
        status5xx: 0,
        functionErrors: 0,
        buckets: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
        latencySumMs: 0,
      };
      versions.set(version, counters);
    }
    counters.requests++;
    if (status >= 500) counters.status5xx++;
    else if (status >= 400) counters.status4xx++;
    else if (status >= 200 && status < 300) counters.status2xx++;
    if (functionFailed) counters.functionErrors++;
    const bucket = bucketIndex(latencyMs);
    counters.buckets[bucket] = (counters.buckets[bucket] as number) + 1;
    counters.latencySumMs += latencyMs;
  }

  /** Every stage's versions now: the JSON of `GET /_stagecraft/metrics`. */
  snapshot(): MetricsSnapshot {
    const stages: Record<string, Record<string, VersionCounters>> = {};
    for (const [stage, versions] of this.#stages) {
      const out: Record<string, VersionCounters> = {};
      for (const [version, c] of versions) {
        out[version] = {
          requests: c.requests,
          status_2xx: c.status2xx,
          status_4xx: c.status4xx,
          status_5xx: c.status5xx,
          function_errors: c.functionErrors,
          latency_buckets: [...c.buckets],
          latency_sum_ms: c.latencySumMs,
        };
      }
      stages[stage] = out;
    }
    return {
      started_at: this.#startedAt.toISOString(),
      at: this.#now().toISOString(),
      latency_buckets_ms: [...LATENCY_BUCKETS_MS],
      stages,
    };
  }
}

/** The index of the histogram bucket of a latency (the last bucket holds everything slower). */
export function bucketIndex(latencyMs: number): number {
  // Binary search for the first upper bound ≥ latency (bounds are inclusive).
  let low = 0;
  let high = LATENCY_BUCKETS_MS.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((LATENCY_BUCKETS_MS[mid] as number) < latencyMs) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A snapshot in the Prometheus text exposition format 0.0.4: counters, and the latency as a
 * histogram in seconds (Prometheus's base unit) with cumulative `le` buckets, `_sum` and
 * `_count`; every series labelled with `stage` and `version`.
 */
export function toPrometheus(snapshot: MetricsSnapshot): string {
  const series: [string, string, string, (c: VersionCounters, labels: string) => string[]][] = [
    [
      'stagecraft_requests_total',
      'counter',
      'Requests the stage sent to the function version.',
      (c, l) => [`stagecraft_requests_total{${l}} ${c.requests}`],
    ],
    [
      'stagecraft_responses_total',
      'counter',
      'Answers the client got, by status class (a failed function answers 502/504).',
      (c, l) => [
        `stagecraft_responses_total{${l},class="2xx"} ${c.status_2xx}`,
        `stagecraft_responses_total{${l},class="4xx"} ${c.status_4xx}`,
        `stagecraft_responses_total{${l},class="5xx"} ${c.status_5xx}`,
      ],
    ],
    [
      'stagecraft_function_errors_total',
      'counter',
      'Function failures: crash, timeout, thrown error, malformed proxy result.',
      (c, l) => [`stagecraft_function_errors_total{${l}} ${c.function_errors}`],
    ],
    [
      'stagecraft_request_duration_seconds',
      'histogram',
      'Time from a request to its answer.',
      (c, l) => histogram(snapshot.latency_buckets_ms, c, l),
    ],
  ];
  const lines: string[] = [];
  for (const [name, type, help, render] of series) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [stage, versions] of Object.entries(snapshot.stages)) {
      for (const [version, counters] of Object.entries(versions)) {
        lines.push(...render(counters, `stage="${label(stage)}",version="${label(version)}"`));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

function histogram(boundsMs: readonly number[], c: VersionCounters, labels: string): string[] {
  const name = 'stagecraft_request_duration_seconds';
  const lines: string[] = [];
  let cumulative = 0;
  for (const [index, boundMs] of boundsMs.entries()) {
    cumulative += c.latency_buckets[index] ?? 0;
    lines.push(`${name}_bucket{${labels},le="${boundMs / 1000}"} ${cumulative}`);
  }
  lines.push(
    `${name}_bucket{${labels},le="+Inf"} ${c.requests}`,
    `${name}_sum{${labels}} ${c.latency_sum_ms / 1000}`,
    `${name}_count{${labels}} ${c.requests}`,
  );
  return lines;
}

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
