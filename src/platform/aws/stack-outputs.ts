import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { OUTPUTS, STAGE_OUTPUTS } from '../../config/aws-stack.ts';
import { ReleaseError } from '../../errors.ts';
import { awsErrorName, translateAwsError } from './errors.ts';

/**
 * The outputs release control reads, each field named after the output it comes from (the
 * keys themselves are in config/aws-stack.ts: OUTPUTS, STAGE_OUTPUTS).
 */
export interface StackOutputs {
  /** The Lambda function's name. */
  readonly FunctionName: string;
  /** Base URL of the staging stage, ending in `/staging/`. */
  readonly StagingUrl: string;
  /** Base URL of the prod stage, ending in `/prod/`. */
  readonly ProdUrl: string;
  /** Every output of the stack, including the ones above. */
  readonly all: Readonly<Record<string, string>>;
}

const REQUIRED = [OUTPUTS.functionName, STAGE_OUTPUTS.staging.url, STAGE_OUTPUTS.prod.url];

/** A stack as DescribeStacks reports it: its status and its outputs by key. */
export interface StackDescription {
  /** `CREATE_COMPLETE`, `UPDATE_IN_PROGRESS`, … (`UNKNOWN` when AWS gives none). */
  readonly status: string;
  /** Every output of the stack. */
  readonly outputs: Readonly<Record<string, string>>;
}

/**
 * DescribeStacks on one stack; undefined when it does not exist (CloudFormation's generic
 * ValidationError "… does not exist"). Other failures go through `translateAwsError`.
 */
export async function describeStack(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<StackDescription | undefined> {
  let stacks;
  try {
    ({ Stacks: stacks } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    ));
  } catch (error) {
    if (awsErrorName(error) === 'ValidationError' && /does not exist/i.test(String(error))) {
      return undefined;
    }
    translateAwsError(error, `DescribeStacks ${stackName}`, 'cloudformation:DescribeStacks');
  }
  const stack = stacks?.[0];
  if (stack === undefined) return undefined;
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined && output.OutputValue !== undefined) {
      outputs[output.OutputKey] = output.OutputValue;
    }
  }
  return { status: stack.StackStatus ?? 'UNKNOWN', outputs };
}

/**
 * Reads the stack's outputs with DescribeStacks. A missing stack or a stack without the
 * outputs (not deployed yet, or deployed by another tool) is a clear `aws.stack` error.
 */
export async function readStackOutputs(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<StackOutputs> {
  const stack = await describeStack(cloudformation, stackName);
  if (stack === undefined) {
    throw new ReleaseError(
      'aws.stack',
      `stack ${stackName} does not exist in this account and region; deploy it first ` +
        '(stagecraft deploy --target aws --prod-version latest; see docs/aws.md), ' +
        'or name another with --stack',
    );
  }
  const all = stack.outputs;
  const missing = REQUIRED.filter((key) => all[key] === undefined || all[key] === '');
  if (missing.length > 0) {
    throw new ReleaseError(
      'aws.stack',
      `stack ${stackName} has no output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` +
        ` (status ${stack.status}); is it the stagecraft CDK stack, fully deployed?`,
    );
  }
  return {
    FunctionName: all[OUTPUTS.functionName] as string,
    StagingUrl: all[STAGE_OUTPUTS.staging.url] as string,
    ProdUrl: all[STAGE_OUTPUTS.prod.url] as string,
    all,
  };
}
