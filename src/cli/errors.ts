/**
 * An error the user caused or can fix. The entry point prints its message (no stack) and
 * exits with its code: 2 for a misused command line, 1 for everything else.
 */
export class CliError extends Error {
  override readonly name = 'CliError';

  /**
   * @param message what went wrong and, where possible, what to do about it
   * @param exitCode the process exit code
   */
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Raised for a bad command line (unknown flag, missing argument): exit code 2. */
export class UsageError extends CliError {
  /** @param message what is wrong with the command line */
  constructor(message: string) {
    super(message, 2);
  }
}
