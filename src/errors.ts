/**
 * The one error class of release control. Every failure a user can cause or fix has a code
 * (what happened, for programs and tests) and a message (what to do, for people); the CLI
 * turns it into exit code 1.
 */

/** Why a release command stopped. */
export type ReleaseErrorCode =
  /** Another release command holds the state dir's lock. */
  | 'lock.busy'
  /** The code to promote was not verified on staging (and `--force` was not given). */
  | 'promote.unverified'
  /** Nothing to change, or a request that contradicts the current prod alias. */
  | 'promote.refused'
  /** A canary is running and the command would silently replace it. */
  | 'canary.running'
  /** `--complete` without a running canary. */
  | 'canary.none'
  /** No earlier prod version is known to roll back to. */
  | 'rollback.no-previous'
  /** A version number that does not exist. */
  | 'version.not-found'
  /** A stage alias that does not exist. */
  | 'alias.not-found'
  /** The alias changed between read and write (RevisionId / revision guard). */
  | 'alias.conflict'
  /** `$LATEST` no longer holds the code we meant to publish. */
  | 'publish.code-changed'
  /** The function has no code yet (`$LATEST` is empty). */
  | 'function.empty'
  /** The staging stage could not be verified: the smoke suite failed. */
  | 'verify.failed'
  /** The code staging serves changed during the run: the result proves nothing. */
  | 'verify.void'
  /** The staging stage cannot be reached (no running `stagecraft dev`, bad URL). */
  | 'stage.unreachable'
  /** The AWS stack or its outputs are missing. */
  | 'aws.stack'
  /** AWS kept throttling after the SDK's retries. */
  | 'aws.throttled'
  /** AWS refused the call (permissions, validation). */
  | 'aws.refused'
  /** No AWS region configured (`--region`, AWS_REGION, the profile). */
  | 'aws.region'
  /** No AWS credentials found (`--profile`, AWS_PROFILE, AWS_ACCESS_KEY_ID, …). */
  | 'aws.credentials'
  /** AWS cannot be reached (DNS, connection refused, timeout). */
  | 'aws.network'
  /** The project's smoke.config file is malformed. */
  | 'config.invalid'
  /** A state file (history, verification) cannot be read. */
  | 'state.corrupt'
  /** The local function store refused a change or holds no function yet. */
  | 'local.store';

/** A release command refused or failed for a reason the user can act on. */
export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';

  /**
   * @param code what happened
   * @param message what happened and what to do about it, in words
   * @param options the underlying error, when there is one
   */
  constructor(
    readonly code: ReleaseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * True when `error` is a {@link ReleaseError}, optionally with a code starting with `prefix`
 * (`'canary.'` matches every canary code).
 */
export function isReleaseError(error: unknown, prefix = ''): error is ReleaseError {
  return error instanceof ReleaseError && error.code.startsWith(prefix);
}
