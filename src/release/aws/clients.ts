import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';

/**
 * The SDK's retry settings for release commands. Throttling (`TooManyRequestsException`,
 * `ThrottlingException`) is retried by the SDK itself with exponential backoff and jitter;
 * the adapter never hand-rolls a retry loop.
 */
export const AWS_RETRY = { maxAttempts: 6, retryMode: 'standard' } as const;

/** The SDK clients the AWS control plane needs; injected, so tests pass mocks. */
export interface AwsClients {
  /** Lambda: versions and aliases. */
  readonly lambda: LambdaClient;
  /** CloudFormation: the stack's outputs. */
  readonly cloudformation: CloudFormationClient;
}

/**
 * Builds the clients once, at the command's entry (no task builds its own). Region and
 * credentials come from the usual chain (AWS_REGION, AWS_PROFILE, …).
 */
export function createAwsClients(): AwsClients & { destroy(): void } {
  const lambda = new LambdaClient({ ...AWS_RETRY });
  const cloudformation = new CloudFormationClient({ ...AWS_RETRY });
  return {
    lambda,
    cloudformation,
    destroy() {
      lambda.destroy();
      cloudformation.destroy();
    },
  };
}
