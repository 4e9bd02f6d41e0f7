/**
 * Deployment settings that are not part of the shared stage config: how each stage is
 * throttled, how long logs are kept, how the tables are protected. (The function's size and
 * timeout are in src/config/gateway.ts: the local stack uses them too.)
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Stage } from '../config/stages.ts';

/** API Gateway stage throttling: steady requests per second and burst size. */
export interface ThrottleSettings {
  /** Steady-state requests per second across the stage. */
  readonly rateLimit: number;
  /** Requests allowed in a burst above the steady rate. */
  readonly burstLimit: number;
}

/**
 * Per-stage throttling. Well below the account default (10,000 rps), so a runaway client
 * meets a 429 instead of running up the Lambda and DynamoDB bill; staging is for verification
 * and gets less.
 */
export const STAGE_THROTTLING: Readonly<Record<Stage, ThrottleSettings>> = {
  staging: { rateLimit: 10, burstLimit: 20 },
  prod: { rateLimit: 100, burstLimit: 200 },
};

/** How long the function's logs and the stages' access logs are kept. */
export const LOG_RETENTION = RetentionDays.ONE_MONTH;

/** How a stage's table is protected. */
export interface TablePolicy {
  /** Keep the table (and its data) when it leaves the stack or the stack is deleted. */
  readonly retain: boolean;
  /** Point-in-time recovery: restore to any second of the last 35 days. */
  readonly pointInTimeRecovery: boolean;
}

/** Prod data is kept and restorable; staging data is disposable test data. */
export const TABLE_POLICY: Readonly<Record<Stage, TablePolicy>> = {
  staging: { retain: false, pointInTimeRecovery: false },
  prod: { retain: true, pointInTimeRecovery: true },
};
