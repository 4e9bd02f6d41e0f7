/**
 * What a rollout on AWS judges by, built from the command's clients: the per-version
 * CloudWatch metrics of the function and the `--alarm` check. Shaped as the rollout's
 * dependencies (`metrics`, `alarms`), so `--target aws` wires both in one call.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { VersionMetricsSource } from '../metrics.ts';
import { alarmsInAlarm } from './alarms.ts';
import { CloudWatchVersionMetrics } from './metrics.ts';

/** The metrics source and the alarm check of one function. */
export interface AwsRolloutSignals {
  /** Per-version stats from GetMetricData (EMF metrics + AWS/Lambda Errors). */
  readonly metrics: VersionMetricsSource;
  /** Of the named alarms, those in ALARM; a name that does not exist is `alarm.not-found`. */
  readonly alarms: (names: readonly string[]) => Promise<string[]>;
}

/**
 * @example
 * const { metrics, alarms } = awsRolloutSignals({
 *   cloudwatch: clients.cloudwatch,
 *   functionName: controlPlane.functionName,
 * });
 */
export function awsRolloutSignals(options: {
  /** The CloudWatch client (createAwsClients). */
  readonly cloudwatch: CloudWatchClient;
  /** The function's name (the stack's `FunctionName` output, AwsControlPlane.functionName). */
  readonly functionName: string;
  /** Overrides the delay allowance (ms); default CLOUDWATCH_SETTLE_MS. */
  readonly settleMs?: number;
}): AwsRolloutSignals {
  return {
    metrics: new CloudWatchVersionMetrics(options),
    alarms: (names) => alarmsInAlarm(options.cloudwatch, names),
  };
}
