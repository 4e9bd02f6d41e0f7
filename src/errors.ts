/**
 * The one error base of stagecraft. Every failure a user can cause or fix is a
 * {@link StagecraftError}: a stable `code` (what happened, for programs, tests and `--json`)
 * and a message (what to do, for people). The CLI maps every one the same way: exit 1, the
 * message on stderr, and with `--json` one `{"error":{"code","message"}}` object on stdout.
 *
 * Each part declares its own code union (`ReleaseErrorCode` below, `LocalErrorCode`, …) so a
 * code's meaning lives next to the code that raises it; the base only fixes the shape.
 */

/** A failure a user can act on, with a stable dotted `code` such as `lock.busy`. */
export class StagecraftError<Code extends string = string> extends Error {
  override readonly name: string = 'StagecraftError';

  /**
   * @param code what happened, stable across releases (`part.reason`)
   * @param message what happened and what to do about it, in words
   * @param options the underlying error, when there is one
   */
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * True when `error` is a {@link StagecraftError}, optionally with a code starting with `prefix`
 * (`'canary.'` matches every canary code).
 */
export function isStagecraftError(error: unknown, prefix = ''): error is StagecraftError {
  return error instanceof StagecraftError && error.code.startsWith(prefix);
}

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
  /** A stage has no API deployment, or the named deployment does not exist. */
  | 'api.not-found'
  /** A stage's API deployment changed while the command ran (the guard refused the move). */
  | 'api.conflict'
  /** The API deployment to promote was not verified on staging (and `--force` was not given). */
  | 'promote.unverified-api'
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
  /** CloudWatch could not return a metric the rollout judges by (GetMetricData). */
  | 'aws.metrics'
  /** A CloudWatch alarm named for the rollout (`--alarm`) does not exist. */
  | 'alarm.not-found'
  /** The project's smoke.config file is malformed. */
  | 'config.invalid'
  /** A state file (history, verification) cannot be read. */
  | 'state.corrupt'
  /** The local function store refused a change or holds no function yet. */
  | 'local.store'
  /** `deploy` must not run as asked (it would move prod, a canary runs, the stack is busy). */
  | 'deploy.refused'
  /** `cdk deploy` ran and failed. */
  | 'deploy.failed'
  /** A rollout option is malformed (`--strategy`, `--steps`, a duration); the CLI exits 2. */
  | 'rollout.usage'
  /** Another rollout runs on this state dir (its process is alive). */
  | 'rollout.running'
  /** `release rollout --resume` without an interrupted rollout, or one that cannot go on. */
  | 'rollout.none'
  /** The rollout cannot judge: no metrics source for the target, or the source cannot be read. */
  | 'rollout.metrics';

/** A release command refused or failed for a reason the user can act on. */
export class ReleaseError extends StagecraftError<ReleaseErrorCode> {
  override readonly name = 'ReleaseError';
}

/**
 * True when `error` is a {@link ReleaseError}, optionally with a code starting with `prefix`
 * (`'canary.'` matches every canary code).
 */
export function isReleaseError(error: unknown, prefix = ''): error is ReleaseError {
  return error instanceof ReleaseError && error.code.startsWith(prefix);
}
