/**
 * The per-version request metrics, named once: what the local gateway counts, what the
 * function writes on AWS as CloudWatch Embedded Metric Format lines, and what the rollout and
 * the release console read back. Writer (src/service) and readers (src/platform, src/local)
 * import these names, so they cannot drift apart.
 */

/** CloudWatch namespace of the function's own metrics (EMF). */
export const METRICS_NAMESPACE = 'Stagecraft';

/** CloudWatch dimension names; every datum carries both. */
export const METRIC_DIMENSIONS = { stage: 'Stage', version: 'FunctionVersion' } as const;

/** CloudWatch metric names (units in the comments). */
export const METRIC_NAMES = {
  /** Count: one per request the function answered. */
  requests: 'Requests',
  /** Count: 1 when the function's answer was a 5xx, else 0. */
  errors5xx: 'Errors5xx',
  /** Milliseconds: the function's time from event to answer. */
  latency: 'Latency',
} as const;

/**
 * The function's environment variable that turns its EMF lines off (`off`). The local runtime
 * sets it: `stagecraft dev` counts per version in its gateway (GET /_stagecraft/metrics), so the
 * lines would only double the function log there. Unset on AWS, where the lines are the metrics.
 */
export const EMF_SWITCH_ENV = 'STAGECRAFT_EMF';

/**
 * Upper bounds (ms, inclusive) of the local latency histogram's buckets; one more bucket past
 * the last holds everything slower. Fixed, so two cumulative snapshots subtract bucket by
 * bucket into the histogram of the window between them.
 */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000,
  30000,
];
