import { StagecraftError } from '../errors.ts';

/** Why a command line or a command's own step failed (codes of the other parts live there). */
export type CliErrorCode =
  /** A bad command line: unknown flag, missing or malformed value, stray argument (exit 2). */
  | 'cli.usage'
  /** A file named on the command line cannot be read. */
  | 'cli.input'
  /** `release verify`: a smoke check failed on staging; the report says which. */
  | 'verify.failed'
  /** `cdk deploy` exited non-zero; its own output says why. */
  | 'deploy.cdk-failed'
  /** A command failed for a reason the user can act on (the message says which). */
  | 'cli.failed';

/**
 * An error the CLI itself raises. The one error mapper (`report-error.ts`) prints its message
 * (no stack) and exits 1, like every other {@link StagecraftError}.
 */
export class CliError extends StagecraftError<CliErrorCode> {
  override readonly name: string = 'CliError';

  /**
   * @param message what went wrong and, where possible, what to do about it
   * @param code what happened (default `cli.failed`)
   */
  constructor(message: string, code: CliErrorCode = 'cli.failed') {
    super(code, message);
  }
}

/** Raised for a bad command line (unknown flag, missing argument): exit code 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  /** @param message what is wrong with the command line */
  constructor(message: string) {
    super(message, 'cli.usage');
  }
}

/**
 * A command that printed its result, and the result is a failure (`release verify` whose checks
 * failed): exit 1 with the message on stderr, but with `--json` no error object, since stdout
 * already holds the command's one JSON document (which says `"passed": false`).
 */
export class ReportedFailure extends CliError {
  override readonly name = 'ReportedFailure';
}
