import { ReleaseError } from '../../errors.ts';

/** Reads the error name the SDK gives a service exception (`ResourceNotFoundException`, …). */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const named = error as { name?: unknown; Code?: unknown };
  if (typeof named.name === 'string') return named.name;
  return typeof named.Code === 'string' ? named.Code : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Node's socket and resolver errors: the SDK passes them through once its retries are spent.
const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

function isNetworkError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  // The SDK's own request and socket timeouts.
  return awsErrorName(error) === 'TimeoutError';
}

/**
 * The failures that happen before AWS answers at all — no region, no credentials, no network
 * — as {@link ReleaseError}s saying what to set; `undefined` for anything else.
 */
function setupError(error: unknown, what: string): ReleaseError | undefined {
  const name = awsErrorName(error);
  // The SDK throws a plain Error with this message when no region resolves.
  if (error instanceof Error && /region is missing/i.test(error.message)) {
    return new ReleaseError(
      'aws.region',
      `${what}: no AWS region: pass --region REGION or set AWS_REGION (or a region in the ` +
        'profile)',
      { cause: error },
    );
  }
  if (name === 'CredentialsProviderError') {
    return new ReleaseError(
      'aws.credentials',
      `${what}: no AWS credentials found (${message(error)}): pass --profile NAME or set ` +
        'AWS_PROFILE / AWS_ACCESS_KEY_ID',
      { cause: error },
    );
  }
  if (isNetworkError(error)) {
    return new ReleaseError(
      'aws.network',
      `${what}: cannot reach AWS (${message(error)}); check the network connection, proxy ` +
        'and --region, and run the command again',
      { cause: error },
    );
  }
  return undefined;
}

/**
 * Turns the AWS errors a user can act on (missing region or credentials, no network,
 * throttling, refusals) into {@link ReleaseError}s; anything else is
 * rethrown unchanged (a bug or an outage, shown with its stack by the entry point). Every
 * command that calls AWS (release and deploy) explains its failures through here.
 * @param what the call, for the message, e.g. `UpdateAlias prod`
 * @param permission the IAM action the call needs, named when AWS refuses it
 *   (e.g. `lambda:UpdateAlias`)
 */
export function translateAwsError(error: unknown, what: string, permission: string): never {
  const setup = setupError(error, what);
  if (setup !== undefined) throw setup;
  const name = awsErrorName(error);
  switch (name) {
    case 'TooManyRequestsException':
    case 'ThrottlingException':
    case 'Throttling': // CloudWatch's name for it (GetMetricData, DescribeAlarms)
      throw new ReleaseError(
        'aws.throttled',
        `${what}: AWS is still throttling after the SDK's retries (${message(error)}); wait a ` +
          'minute and run the command again',
        { cause: error },
      );
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnrecognizedClientException':
    case 'ExpiredTokenException':
    case 'InvalidClientTokenId':
      throw new ReleaseError(
        'aws.refused',
        `${what}: AWS refused the credentials (${message(error)}); check --profile / --region ` +
          `(AWS_PROFILE / AWS_REGION) and that the identity may call ${permission}`,
        { cause: error },
      );
    case 'ResourceConflictException':
      throw new ReleaseError(
        'aws.refused',
        `${what}: the function is being updated (${message(error)}); wait until the deployment ` +
          'has finished and run the command again',
        { cause: error },
      );
    default:
      throw error;
  }
}
