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

/**
 * Reads the stack's outputs with DescribeStacks. A missing stack or a stack without the
 * outputs (not deployed yet, or deployed by another tool) is a clear `aws.stack` error.
 */
export async function readStackOutputs(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<StackOutputs> {
  let stacks;
  try {
    ({ Stacks: stacks } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    ));
  } catch (error) {
    // CloudFormation answers a missing stack with a generic ValidationError.
    if (awsErrorName(error) === 'ValidationError' && /does not exist/i.test(String(error))) {
      throw new ReleaseError(
        'aws.stack',
        `stack ${stackName} does not exist in this account and region; deploy it first ` +
          '(stagecraft deploy --target aws --prod-version latest; see docs/aws.md), ' +
          'or name another with --stack',
        { cause: error },
      );
    }
    translateAwsError(error, `DescribeStacks ${stackName}`);
  }
  const stack = stacks?.[0];
  const all: Record<string, string> = {};
  for (const output of stack?.Outputs ?? []) {
    if (output.OutputKey !== undefined && output.OutputValue !== undefined) {
      all[output.OutputKey] = output.OutputValue;
    }
  }
  const missing = REQUIRED.filter((key) => all[key] === undefined || all[key] === '');
  if (stack === undefined || missing.length > 0) {
    throw new ReleaseError(
      'aws.stack',
      `stack ${stackName} has no output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` +
        `${stack?.StackStatus !== undefined ? ` (status ${stack.StackStatus})` : ''}; ` +
        'is it the stagecraft CDK stack, fully deployed?',
    );
  }
  return {
    FunctionName: all[OUTPUTS.functionName] as string,
    StagingUrl: all[STAGE_OUTPUTS.staging.url] as string,
    ProdUrl: all[STAGE_OUTPUTS.prod.url] as string,
    all,
  };
}
