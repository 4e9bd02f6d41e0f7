/**
 * The single source of truth for stages, the aliases they call and the tables they use.
 * Imported by the Lambda, the local stack, the release CLI and the CDK stack, so that
 * local and AWS cannot drift.
 */

/** The stages the API is served through, in release order. */
export const STAGES = ['staging', 'prod'] as const;

/** A stage name: `staging` or `prod`. */
export type Stage = (typeof STAGES)[number];

/** The Lambda function's name (the seed's `example`). */
export const FUNCTION_NAME = 'example';

/** The Lambda version an alias points at when it follows the newest code. */
export const LATEST = '$LATEST';

/** Static facts about one stage. */
export interface StageConfig {
  /** Stage name, also the API Gateway stage and the value of its `stage` stage variable. */
  readonly name: Stage;
  /** The Lambda alias this stage invokes (the integration URI ends in `:${stageVariables.stage}`). */
  readonly alias: Stage;
  /** The DynamoDB table used when no environment override is given (the seed's names). */
  readonly defaultTable: string;
  /** The environment variable that overrides the table name for deployments. */
  readonly tableEnvVar: string;
}

/** Per-stage configuration, keyed by stage name. */
export const STAGE_CONFIG: Readonly<Record<Stage, StageConfig>> = {
  staging: {
    name: 'staging',
    alias: 'staging',
    defaultTable: 's-example_user',
    tableEnvVar: 'STAGECRAFT_TABLE_STAGING',
  },
  prod: {
    name: 'prod',
    alias: 'prod',
    defaultTable: 'example_user',
    tableEnvVar: 'STAGECRAFT_TABLE_PROD',
  },
};

/** The partition key attribute of every user table. */
export const USER_TABLE_KEY = 'id';

/** True when `value` names a known stage. */
export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/**
 * The table a stage reads and writes: the environment override when set, else the default.
 * @param stage the stage
 * @param env the environment to read overrides from
 * @default env process.env
 */
export function tableNameFor(stage: Stage, env: NodeJS.ProcessEnv = process.env): string {
  const config = STAGE_CONFIG[stage];
  const override = env[config.tableEnvVar];
  return override !== undefined && override !== '' ? override : config.defaultTable;
}
