/**
 * The per-version metrics of a stage on AWS, read back from CloudWatch with one
 * `GetMetricData` call per window: the {@link VersionMetricsSource} the rollout judges with
 * `--target aws`.
 *
 * ## What is read, per version
 *
 * - `Stagecraft` `Requests` Sum, `Errors5xx` Sum and `Latency` p99, dimensions
 *   `Stage` = the stage, `FunctionVersion` = the version: the function's own EMF lines
 *   (src/service/emf.ts), one per answered request.
 * - `AWS/Lambda` `Errors` Sum, dimensions `FunctionName`, `Resource` = `function:alias`,
 *   `ExecutedVersion` = the version: invocations that failed instead of answering — an
 *   exception escaping the handler, a crash, out of memory, a timeout. Lambda publishes this
 *   dimension set for invocations through an alias ("By Executed Version (ExecutedVersion) –
 *   View metrics for a combination of alias and version. Use the ExecutedVersion dimension to
 *   compare error rates for two versions of a function that are both targets of a weighted
 *   alias": https://docs.aws.amazon.com/lambda/latest/dg/monitoring-functions-metrics.html,
 *   "Viewing metrics on the CloudWatch console"; aws-cdk-lib's generated
 *   `LambdaMetrics.errorsSum` overloads list the same three-dimension set). `Resource` of an
 *   alias invocation is `name:alias`: aws-cdk-lib's `Alias.metric()` builds it so
 *   (aws-lambda/lib/alias.ts).
 *
 * ## Counting a failure once
 *
 * The function writes its EMF line only once it has an answer, as its last step before
 * returning (src/service/app.ts). So every invocation is exactly one of:
 * - answered: one EMF line (`Requests` 1, `Errors5xx` 1 when the answer is a 5xx — a thrown
 *   error the handler turned into a 500 included) and, Lambda-side, a successful invocation,
 *   not in `AWS/Lambda Errors`;
 * - failed: no EMF line (it never got that far, or it crashed or timed out before), and one
 *   count in `AWS/Lambda Errors`; API Gateway answered the client 502/504.
 *
 * Hence, per version: `requests = Requests + LambdaErrors` and
 * `errors = Errors5xx + LambdaErrors`, with no request counted twice. (The one overlap left is
 * a result Lambda cannot serialise after the handler returned — `Runtime.MarshalError` — which
 * cannot happen with the string bodies this handler returns.) EMF delivery is at least once,
 * so an occasional duplicated line inflates both sums alike, and throttled invocations (429)
 * never reach a version, so they count for neither.
 *
 * ## Period and alignment
 *
 * The metrics have 60-second resolution. A window [from, to) is widened to whole minutes,
 * [floor(from), ceil(to)) — a minute counts when any part of it is in the window — and asked
 * for as ONE period of that length (a multiple of 60 s): CloudWatch computes the window's own
 * sums and its own p99 (percentiles of separate minutes cannot be combined). `StartTime` is
 * inclusive and `EndTime` exclusive, as the window. A window shorter than a minute becomes the
 * one (or, straddling a boundary, two) minutes it touches; an empty window (to ≤ from) asks
 * nothing and reports zero requests. Should CloudWatch still split the answer into several
 * datapoints, sums are added and the largest p99 kept (an upper bound: the judgement errs
 * towards calling a latency regression).
 *
 * ## Delay
 *
 * {@link CLOUDWATCH_SETTLE_MS} (3 minutes) after `to` before a window is judged complete:
 * Lambda sends its metrics to CloudWatch in 1-minute intervals, timestamped at invocation
 * ("Lambda sends metric data to CloudWatch in 1-minute intervals", "The timestamp on a metric
 * reflects when the function was invoked": the same Lambda page); 1-minute CloudWatch
 * metrics become readable about 2 minutes after their minute ("If you receive 1-minute metrics
 * with CloudWatch, then their availability delay is about 2 minutes":
 * https://docs.datadoghq.com/integrations/guide/cloud-metric-delay/); EMF lines are extracted
 * from the log stream on the same path, stamped with the request's arrival. Two minutes of
 * availability plus the last partial minute the window is widened by gives three; the
 * function's timeout (10 s) fits inside. Pass `settleMs` to wait longer.
 */
import {
  type CloudWatchClient,
  type Dimension,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { METRIC_DIMENSIONS, METRIC_NAMES, METRICS_NAMESPACE } from '../../config/metrics.ts';
import { isStage, STAGE_CONFIG } from '../../config/stages.ts';
import { ReleaseError } from '../../errors.ts';
import type { VersionMetricsSource, WindowStats } from '../metrics.ts';
import { translateAwsError } from './errors.ts';

/** How long after a window's end its CloudWatch numbers are complete (ms); see the module. */
export const CLOUDWATCH_SETTLE_MS = 180_000;

/** The metrics' resolution and the alignment of every window (ms). */
export const METRIC_PERIOD_MS = 60_000;

/** The namespace of Lambda's own metrics. */
export const LAMBDA_NAMESPACE = 'AWS/Lambda';

// GetMetricData takes at most 500 queries per call; four per version.
const MAX_QUERIES = 500;
const QUERIES_PER_VERSION = 4;
// One datapoint per query is expected; the bound only stops a looping NextToken.
const MAX_PAGES = 100;

/** What {@link CloudWatchVersionMetrics} needs. */
export interface CloudWatchVersionMetricsOptions {
  /** The CloudWatch client (from createAwsClients, or a mock). */
  readonly cloudwatch: CloudWatchClient;
  /** The Lambda function's name (the stack's `FunctionName` output). */
  readonly functionName: string;
  /**
   * How long after a window's end its numbers are complete (ms).
   * @default CLOUDWATCH_SETTLE_MS (3 minutes)
   */
  readonly settleMs?: number;
}

/** A window: [start, end) on whole minutes, and the period covering it (s). */
export interface AlignedWindow {
  readonly start: Date;
  readonly end: Date;
  readonly periodSeconds: number;
}

/**
 * [floor(from), ceil(to)) on whole minutes, or undefined for an empty window. Pure, so the
 * alignment is tested on its own.
 */
export function alignWindow(from: Date, to: Date): AlignedWindow | undefined {
  if (!(to.getTime() > from.getTime())) return undefined;
  const start = Math.floor(from.getTime() / METRIC_PERIOD_MS) * METRIC_PERIOD_MS;
  const end = Math.ceil(to.getTime() / METRIC_PERIOD_MS) * METRIC_PERIOD_MS;
  return { start: new Date(start), end: new Date(end), periodSeconds: (end - start) / 1000 };
}

/** Query ids of version number `index` (ids must start with a lower-case letter). */
function idsOf(index: number) {
  return {
    requests: `requests_${index}`,
    errors5xx: `errors5xx_${index}`,
    p99: `p99_${index}`,
    failures: `failures_${index}`,
  };
}

/**
 * The MetricDataQueries of one window: per version, in order, Requests Sum, Errors5xx Sum,
 * Latency p99 (the function's EMF metrics on `stage`) and AWS/Lambda Errors Sum (failed
 * invocations through the stage's alias). Pure, so tests assert the exact queries.
 */
export function metricQueries(input: {
  readonly functionName: string;
  readonly stage: string;
  readonly versions: readonly string[];
  readonly periodSeconds: number;
}): MetricDataQuery[] {
  const alias = isStage(input.stage) ? STAGE_CONFIG[input.stage].alias : input.stage;
  const Period = input.periodSeconds;
  return input.versions.flatMap((version, index) => {
    const ids = idsOf(index);
    const own: Dimension[] = [
      { Name: METRIC_DIMENSIONS.stage, Value: input.stage },
      { Name: METRIC_DIMENSIONS.version, Value: version },
    ];
    const lambda: Dimension[] = [
      { Name: 'FunctionName', Value: input.functionName },
      { Name: 'Resource', Value: `${input.functionName}:${alias}` },
      { Name: 'ExecutedVersion', Value: version },
    ];
    const query = (
      Id: string,
      Namespace: string,
      MetricName: string,
      Dimensions: Dimension[],
      Stat: string,
    ): MetricDataQuery => ({
      Id,
      MetricStat: { Metric: { Namespace, MetricName, Dimensions }, Period, Stat },
      ReturnData: true,
    });
    return [
      query(ids.requests, METRICS_NAMESPACE, METRIC_NAMES.requests, own, 'Sum'),
      query(ids.errors5xx, METRICS_NAMESPACE, METRIC_NAMES.errors5xx, own, 'Sum'),
      query(ids.p99, METRICS_NAMESPACE, METRIC_NAMES.latency, own, 'p99'),
      query(ids.failures, LAMBDA_NAMESPACE, 'Errors', lambda, 'Sum'),
    ];
  });
}

/** Per-version stats from CloudWatch (see the module comment for what and why). */
export class CloudWatchVersionMetrics implements VersionMetricsSource {
  readonly settleMs: number;
  readonly #cloudwatch: CloudWatchClient;
  readonly #functionName: string;

  /** @param options the client, the function, and the delay allowance */
  constructor(options: CloudWatchVersionMetricsOptions) {
    this.#cloudwatch = options.cloudwatch;
    this.#functionName = options.functionName;
    this.settleMs = options.settleMs ?? CLOUDWATCH_SETTLE_MS;
  }

  /** One GetMetricData call (every page of it) for all versions of the window. */
  async window(query: {
    readonly stage: string;
    readonly versions: readonly string[];
    readonly from: Date;
    readonly to: Date;
  }): Promise<Readonly<Record<string, WindowStats>>> {
    const versions = [...new Set(query.versions)];
    const aligned = alignWindow(query.from, query.to);
    if (aligned === undefined || versions.length === 0) {
      return Object.fromEntries(versions.map((version) => [version, EMPTY]));
    }
    if (versions.length * QUERIES_PER_VERSION > MAX_QUERIES) {
      throw new Error(`GetMetricData takes ${MAX_QUERIES} queries: too many versions`);
    }
    const queries = metricQueries({
      functionName: this.#functionName,
      stage: query.stage,
      versions,
      periodSeconds: aligned.periodSeconds,
    });
    const values = await this.#fetch(queries, aligned, query.stage);
    const stats: Record<string, WindowStats> = {};
    versions.forEach((version, index) => {
      const ids = idsOf(index);
      const failures = sum(values.get(ids.failures));
      const p99 = values.get(ids.p99) ?? [];
      stats[version] = {
        requests: sum(values.get(ids.requests)) + failures,
        errors: sum(values.get(ids.errors5xx)) + failures,
        p99Ms: p99.length === 0 ? undefined : Math.max(...p99),
      };
    });
    return stats;
  }

  // Every page of one GetMetricData call: query id → its values.
  async #fetch(
    queries: MetricDataQuery[],
    window: AlignedWindow,
    stage: string,
  ): Promise<Map<string, number[]>> {
    const values = new Map<string, number[]>();
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let answer: GetMetricDataCommandOutput;
      try {
        answer = await this.#cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: window.start,
            EndTime: window.end,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
      } catch (error) {
        translateAwsError(
          error,
          `GetMetricData (${stage} metrics of ${this.#functionName})`,
          'cloudwatch:GetMetricData',
        );
      }
      for (const result of answer.MetricDataResults ?? []) {
        if (result.StatusCode === 'Forbidden' || result.StatusCode === 'InternalError') {
          const why = (result.Messages ?? []).map((m) => m.Value).join('; ');
          throw new ReleaseError(
            'aws.metrics',
            `GetMetricData could not read ${result.Id ?? 'a query'} (${result.StatusCode}` +
              `${why === '' ? '' : `: ${why}`}); check that the identity may call ` +
              'cloudwatch:GetMetricData and run the command again',
          );
        }
        if (result.Id === undefined) continue;
        const list = values.get(result.Id) ?? [];
        list.push(...(result.Values ?? []));
        values.set(result.Id, list);
      }
      nextToken = answer.NextToken;
      if (nextToken === undefined || nextToken === '') return values;
    }
    throw new Error(`GetMetricData returned more than ${MAX_PAGES} pages`);
  }
}

const EMPTY: WindowStats = { requests: 0, errors: 0, p99Ms: undefined };

function sum(values: readonly number[] | undefined): number {
  return (values ?? []).reduce((total, value) => total + value, 0);
}
