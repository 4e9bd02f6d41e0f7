/**
 * Reads what is live on AWS before a deploy: whether the stack exists, and where its `prod`
 * alias points. Only reads; the clients are injected so tests drive them with mocks.
 */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { STAGE_CONFIG } from '../../config/stages.ts';
import { OUTPUTS } from '../../config/aws-stack.ts';
import { StagecraftError } from '../../errors.ts';

/** The prod alias as Lambda reports it. */
export interface LiveAlias {
  /** The version it points at (`$LATEST` or a number). */
  readonly version: string;
  /** Canary weights: other version → share of traffic (empty when no canary runs). */
  readonly weights: Readonly<Record<string, number>>;
}

/** What the deploy found on AWS. */
export type LiveProd =
  /** No stack (or one whose creation failed and rolled back): the function does not exist. */
  | { readonly kind: 'absent'; readonly status?: string }
  /** A stack mid-operation: deploying now would fail or race it. */
  | { readonly kind: 'busy'; readonly status: string }
  /** A stack whose prod alias could not be found (no FunctionName output, or no alias). */
  | { readonly kind: 'unknown'; readonly status: string; readonly reason: string }
  /** A stack with a readable prod alias. */
  | {
      readonly kind: 'live';
      readonly status: string;
      readonly functionName: string;
      readonly alias: LiveAlias;
    };

/** Why the live prod alias could not be read. */
export type LiveReadErrorCode =
  /** The live stack or prod alias could not be read (credentials, region, permissions). */
  'aws.live-read';

/** An AWS failure the user can act on (credentials, region, permissions). */
export class LiveReadError extends StagecraftError<LiveReadErrorCode> {
  override readonly name = 'LiveReadError';

  /**
   * @param message what went wrong and what to do about it
   * @param options `code` (default `aws.live-read`) and the underlying error
   */
  constructor(message: string, options?: { code?: LiveReadErrorCode; cause?: unknown }) {
    super(
      options?.code ?? 'aws.live-read',
      message,
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
  }
}

// A stack that exists by name but holds no function: creation failed and rolled back, or a
// change set was created but never executed. CDK replaces such a stack on deploy.
const NOTHING_DEPLOYED = new Set(['ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS']);

/**
 * Finds the stack and reads its prod alias.
 * @throws LiveReadError for missing credentials or region, access denied, and other AWS errors
 */
export async function readLiveProd(options: {
  readonly cloudformation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly stackName: string;
}): Promise<LiveProd> {
  const { cloudformation, lambda, stackName } = options;
  let stack;
  try {
    const described = await cloudformation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    stack = described.Stacks?.[0];
  } catch (error) {
    // CloudFormation answers a missing stack with a generic ValidationError.
    if (errorName(error) === 'ValidationError' && /does not exist/i.test(errorMessage(error))) {
      return { kind: 'absent' };
    }
    throw explain(error, `reading stack ${stackName} (cloudformation:DescribeStacks)`);
  }
  if (stack === undefined) return { kind: 'absent' };
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (NOTHING_DEPLOYED.has(status)) return { kind: 'absent', status };
  if (status.endsWith('_IN_PROGRESS')) return { kind: 'busy', status };

  const functionName = stack.Outputs?.find(
    (o) => o.OutputKey === OUTPUTS.functionName,
  )?.OutputValue;
  if (functionName === undefined || functionName === '') {
    return { kind: 'unknown', status, reason: `the stack has no ${OUTPUTS.functionName} output` };
  }
  const aliasName = STAGE_CONFIG.prod.alias;
  try {
    const alias = await lambda.send(
      new GetAliasCommand({ FunctionName: functionName, Name: aliasName }),
    );
    if (alias.FunctionVersion === undefined) {
      return {
        kind: 'unknown',
        status,
        reason: `alias ${functionName}:${aliasName} has no version`,
      };
    }
    return {
      kind: 'live',
      status,
      functionName,
      alias: {
        version: alias.FunctionVersion,
        weights: { ...alias.RoutingConfig?.AdditionalVersionWeights },
      },
    };
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      return {
        kind: 'unknown',
        status,
        reason: `alias ${functionName}:${aliasName} does not exist`,
      };
    }
    throw explain(error, `reading alias ${functionName}:${aliasName} (lambda:GetAlias)`);
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function explain(error: unknown, doing: string): LiveReadError {
  const name = errorName(error);
  const message = errorMessage(error);
  let hint = '';
  if (name === 'CredentialsProviderError') {
    hint = '; no AWS credentials found: pass --profile NAME or set AWS_PROFILE / AWS_ACCESS_KEY_ID';
  } else if (/region is missing/i.test(message)) {
    hint = '; no AWS region: pass --region NAME or set AWS_REGION';
  } else if (
    name === 'AccessDeniedException' ||
    name === 'AccessDenied' ||
    /not authorized/i.test(message)
  ) {
    hint = '; the deploying identity needs cloudformation:DescribeStacks and lambda:GetAlias';
  }
  return new LiveReadError(
    `${doing} failed: ${name === '' || name === 'Error' ? '' : `${name}: `}${message}${hint}`,
    {
      cause: error,
    },
  );
}
