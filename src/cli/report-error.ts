/**
 * The one error mapper. Every command fails the same way: a {@link StagecraftError} prints its
 * message on stderr after the command's name and exits 1 (a {@link UsageError} exits 2); with
 * `--json`, stdout also gets one `{"error":{"code","message"}}` object. Anything else is a bug:
 * it is rethrown for the entry point to print as an internal error with its stack.
 */
import { StagecraftError } from '../errors.ts';
import type { CommandContext } from './command.ts';
import { ReportedFailure, UsageError } from './errors.ts';

/** Where the failure happened and how the user asked for output. */
export interface ReportOptions {
  /** The command path as typed (`[]`, `['deploy']`, `['release', 'promote']`). */
  readonly path: readonly string[];
  /** `--json` was given to a command that takes it. */
  readonly json: boolean;
}

/** The stderr prefix: `stagecraft`, `stagecraft deploy`, `stagecraft release: promote`. */
export function errorPrefix(path: readonly string[]): string {
  const [command, ...sub] = path;
  return command === undefined ? 'stagecraft' : [`stagecraft ${command}`, ...sub].join(': ');
}

/** The `--json` failure object. */
export function errorJson(error: StagecraftError): { error: { code: string; message: string } } {
  return { error: { code: error.code, message: error.message } };
}

/**
 * Reports `error` and resolves to the exit code.
 * @throws the error itself when it is not a StagecraftError (a bug, not a user error)
 */
export function reportError(
  ctx: Pick<CommandContext, 'stdout' | 'stderr'>,
  error: unknown,
  options: ReportOptions,
): number {
  if (!(error instanceof StagecraftError)) throw error;
  // A reported failure has printed its own result (which says it failed) on stdout already.
  if (options.json && !(error instanceof ReportedFailure)) {
    ctx.stdout.write(`${JSON.stringify(errorJson(error), null, 2)}\n`);
  }
  ctx.stderr.write(`${errorPrefix(options.path)}: ${error.message}\n`);
  return error instanceof UsageError ? 2 : 1;
}
