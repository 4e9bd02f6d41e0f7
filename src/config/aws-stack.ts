/**
 * The names the AWS stack shares with the tools that drive it (the deploy command and the
 * release CLI's AWS target). Kept free of aws-cdk-lib imports so those tools load fast.
 */
import type { Stage } from './stages.ts';
import { VERSION_NAME_PATTERN } from './versions.ts';

/** The CloudFormation stack name used when `--context stackName=…` / `--stack` is not given. */
export const DEFAULT_STACK_NAME = 'Stagecraft';

/** The context key that overrides the stack name. */
export const STACK_NAME_CONTEXT = 'stackName';

/** The CloudFormation parameter holding the Lambda version the `prod` alias points at. */
export const PROD_VERSION_PARAMETER = 'ProdVersion';

/**
 * What {@link PROD_VERSION_PARAMETER} accepts: `$LATEST` (only sensible before the first
 * publish) or a published version number — the one version syntax of config/versions.ts.
 */
export const PROD_VERSION_PATTERN = VERSION_NAME_PATTERN;

/**
 * The CloudFormation parameter holding the API Gateway deployment the `prod` stage serves
 * (empty: the newest deployment, only on a first deploy). Like {@link PROD_VERSION_PARAMETER},
 * `stagecraft deploy` passes the live value back, so a deploy never moves prod's API.
 */
export const PROD_API_DEPLOYMENT_PARAMETER = 'ProdApiDeployment';

/** What {@link PROD_API_DEPLOYMENT_PARAMETER} accepts: an API Gateway deployment id, or empty. */
export const PROD_API_DEPLOYMENT_PATTERN = /^[0-9A-Za-z]{0,32}$/;

/** CloudFormation output keys of the stack (exact; the release CLI reads them). */
export const OUTPUTS = {
  /** The name of the Lambda function both aliases belong to. */
  functionName: 'FunctionName',
  /** The REST API id. */
  apiId: 'ApiId',
  /** base64 SHA-256 of the deployed zip: Lambda's `CodeSha256` for `$LATEST` after the deploy. */
  codeSha256: 'CodeSha256',
} as const;

/** Per-stage output keys: the stage's base URL (ending in `/<stage>/`) and its table name. */
export const STAGE_OUTPUTS: Readonly<
  Record<Stage, { readonly url: string; readonly table: string }>
> = {
  staging: { url: 'StagingUrl', table: 'StagingTableName' },
  prod: { url: 'ProdUrl', table: 'ProdTableName' },
};
