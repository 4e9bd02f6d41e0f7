import type { ParseArgsConfig } from 'node:util';
import type { CommandContext } from '../../command.ts';
import { CliError } from '../../errors.ts';
import type { ReleaseContext } from '../../../release/context.ts';
import { StagecraftError } from '../../../errors.ts';
import {
  type ParsedArgs,
  openSession,
  parseReleaseArgs,
  type SessionOptions,
  writeJson,
} from './session.ts';

/** What a subcommand declares: its name, flags and positionals. */
export interface SubcommandSpec {
  /** The subcommand name. */
  readonly name: string;
  /** Its own flags (the common ones are added). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /**
   * How many positional arguments it takes.
   * @default 0
   */
  readonly positionals?: number;
}

/** The subcommand's body: checks its arguments, then works in the opened session. */
export interface SubcommandBody {
  /** Validates the parsed arguments (throw UsageError) and returns session options. */
  prepare?(args: ParsedArgs): Pick<SessionOptions, 'devUrl'>;
  /** Does the work and prints; resolves to the exit code. */
  run(release: ReleaseContext, args: ParsedArgs): Promise<number>;
}

/**
 * Parses, opens the target's session, runs the body, closes the session. A
 * {@link StagecraftError} (a ReleaseError, a damaged state file, …) becomes a {@link CliError} (exit 1) naming the subcommand; with
 * `--json` it is also printed as `{"error": {"code", "message"}}` so stdout always holds one
 * JSON object.
 */
export async function runRelease(
  ctx: CommandContext,
  spec: SubcommandSpec,
  body: SubcommandBody,
): Promise<number> {
  const args = parseReleaseArgs(ctx, spec.name, spec.options, spec.positionals ?? 0);
  if (args.help) return 0;
  const sessionOptions = body.prepare?.(args) ?? {};
  return reportingErrors(ctx, spec.name, args, async () => {
    const session = await openSession(ctx, args.common, {
      ...sessionOptions,
      commandLine: ['release', spec.name, ...ctx.argv].join(' '),
    });
    try {
      return await body.run(session.release, args);
    } finally {
      session.close();
    }
  });
}

/**
 * Like {@link runRelease} for a subcommand that reads only the state dir: no session, so no
 * AWS client, no stack read and no network even with `--target aws`.
 */
export async function runOffline(
  ctx: CommandContext,
  spec: SubcommandSpec,
  run: (args: ParsedArgs) => Promise<number>,
): Promise<number> {
  const args = parseReleaseArgs(ctx, spec.name, spec.options, spec.positionals ?? 0);
  if (args.help) return 0;
  return reportingErrors(ctx, spec.name, args, () => run(args));
}

// A StagecraftError → CliError (exit 1), and with --json also one `{"error": …}` object on stdout.
async function reportingErrors(
  ctx: CommandContext,
  name: string,
  args: ParsedArgs,
  work: () => Promise<number>,
): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof StagecraftError)) throw error;
    if (args.common.json) writeJson(ctx, { error: { code: error.code, message: error.message } });
    throw new CliError(`${name}: ${error.message}`, 1);
  }
}
