import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
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
  /**
   * API Gateway: the stages' API deployments. Optional for callers that only touch Lambda;
   * without it the API-deployment operations fail `api.not-found`.
   */
  readonly apigateway?: APIGatewayClient;
  /**
   * CloudWatch: the rollout's per-version metrics (GetMetricData) and alarms (DescribeAlarms).
   * Optional for callers that do not roll out; without it `release rollout --target aws`
   * fails `rollout.metrics`.
   */
  readonly cloudwatch?: CloudWatchClient;
}

/** Where the clients' region and credentials come from; unset fields use the SDK's chain. */
export interface AwsClientOptions {
  /**
   * A shared-config profile (`--profile`), like AWS_PROFILE but for these clients only. The
   * SDK client's own `profile` option: @aws-sdk/credential-providers (fromIni) is not a
   * dependency.
   */
  readonly profile?: string;
  /** The region (`--region`); unset → AWS_REGION or the profile's region. */
  readonly region?: string;
}

/**
 * Builds the clients once, at the command's entry (no task builds its own). Region and
 * credentials come from `options`, else the usual chain (AWS_REGION, AWS_PROFILE, …).
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients & {
  destroy(): void;
} {
  const config = {
    ...AWS_RETRY,
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
  };
  const lambda = new LambdaClient(config);
  const cloudformation = new CloudFormationClient(config);
  const apigateway = new APIGatewayClient(config);
  const cloudwatch = new CloudWatchClient(config);
  return {
    lambda,
    cloudformation,
    apigateway,
    cloudwatch,
    destroy() {
      lambda.destroy();
      cloudformation.destroy();
      apigateway.destroy();
      cloudwatch.destroy();
    },
  };
}
