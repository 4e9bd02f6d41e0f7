// The function's per-request metrics on AWS: one CloudWatch Embedded Metric Format (EMF) line
// per answered request, written to stdout, from which CloudWatch Logs extracts the metrics
// (names in config/metrics.ts; the rollout reads them back with GetMetricData, see
// src/platform/aws/metrics.ts). A plain JSON line: no SDK, no library, no network call, so the
// cold-start budget is untouched.
//
// Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
// — the root holds `_aws` {Timestamp (ms since the epoch), CloudWatchMetrics: [{Namespace,
// Dimensions: [[dimension names]], Metrics: [{Name, Unit}]}]} and, as top-level members, every
// dimension's value and every metric's value. The log event must be the JSON object alone, so
// the line goes to stdout directly (as the request log does), not through the Lambda runtime's
// console.log, which prefixes a timestamp, the request id and the level.
import {
  EMF_SWITCH_ENV,
  METRIC_DIMENSIONS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
} from '../config/metrics.ts';

/** One answered request, as the metrics see it. */
export interface RequestMetrics {
  /** The API Gateway stage (`event.requestContext.stage`): the `Stage` dimension. */
  readonly stage: string;
  /** The Lambda version that answered (`context.functionVersion`): `FunctionVersion`. */
  readonly version: string;
  /** The HTTP status of the answer; 5xx counts in `Errors5xx`. */
  readonly status: number;
  /** The function's time from event to answer (ms): `Latency`. */
  readonly latencyMs: number;
  /** When the request arrived (ms since the epoch): the datum's timestamp. */
  readonly at: number;
}

/** Receives each EMF line, without the newline. */
export type MetricsSink = (line: string) => void;

// The metric directive never changes: serialised once, on first use.
let directive: string | undefined;

function directiveJson(): string {
  directive ??= JSON.stringify({
    Namespace: METRICS_NAMESPACE,
    Dimensions: [[METRIC_DIMENSIONS.stage, METRIC_DIMENSIONS.version]],
    Metrics: [
      { Name: METRIC_NAMES.requests, Unit: 'Count' },
      { Name: METRIC_NAMES.errors5xx, Unit: 'Count' },
      { Name: METRIC_NAMES.latency, Unit: 'Milliseconds' },
    ],
  });
  return directive;
}

/**
 * The EMF line of one request.
 * @example
 * emfLine({ stage: 'prod', version: '3', status: 200, latencyMs: 12.5, at: 1714557600000 })
 * // {"_aws":{"Timestamp":1714557600000,"CloudWatchMetrics":[{"Namespace":"Stagecraft",
 * //  "Dimensions":[["Stage","FunctionVersion"]],"Metrics":[{"Name":"Requests","Unit":"Count"},
 * //  {"Name":"Errors5xx","Unit":"Count"},{"Name":"Latency","Unit":"Milliseconds"}]}]},
 * //  "Stage":"prod","FunctionVersion":"3","Requests":1,"Errors5xx":0,"Latency":12.5}
 */
export function emfLine(metrics: RequestMetrics): string {
  const values = JSON.stringify({
    [METRIC_DIMENSIONS.stage]: metrics.stage,
    [METRIC_DIMENSIONS.version]: metrics.version,
    [METRIC_NAMES.requests]: 1,
    [METRIC_NAMES.errors5xx]: metrics.status >= 500 ? 1 : 0,
    [METRIC_NAMES.latency]: metrics.latencyMs,
  });
  return (
    `{"_aws":{"Timestamp":${Math.trunc(metrics.at)},"CloudWatchMetrics":[${directiveJson()}]},` +
    values.slice(1)
  );
}

/**
 * Where the EMF lines go by default: stdout inside a Lambda runtime (`AWS_LAMBDA_FUNCTION_NAME`
 * is set there), nowhere elsewhere (tests, scripts) or when {@link EMF_SWITCH_ENV} is `off`
 * (the local runtime).
 */
export function defaultMetricsSink(
  env: Readonly<Record<string, string | undefined>> = process.env,
): MetricsSink | undefined {
  if (env.AWS_LAMBDA_FUNCTION_NAME === undefined) return undefined;
  if (env[EMF_SWITCH_ENV]?.toLowerCase() === 'off') return undefined;
  return (line) => void process.stdout.write(`${line}\n`);
}
