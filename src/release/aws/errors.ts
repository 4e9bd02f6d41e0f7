import { ReleaseError } from '../errors.ts';

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

/**
 * Turns the AWS errors a user can act on into {@link ReleaseError}s; anything else is
 * rethrown unchanged (a bug or an outage, shown with its stack by the entry point).
 * @param what the call, for the message, e.g. `UpdateAlias prod`
 */
export function translateAwsError(error: unknown, what: string): never {
  const name = awsErrorName(error);
  switch (name) {
    case 'TooManyRequestsException':
    case 'ThrottlingException':
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
        `${what}: AWS refused the credentials (${message(error)}); check AWS_PROFILE / ` +
          'AWS_REGION and the IAM permissions for lambda:* on the function',
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
