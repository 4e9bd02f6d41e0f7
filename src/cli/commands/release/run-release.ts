import type { CommandContext, ParsedArgs } from '../../command.ts';
import type { ReleaseContext } from '../../../release/context.ts';
import {
  openSession,
  type ReleaseArgs,
  releaseArgs,
  type ReleaseSession,
  type SessionOptions,
} from './session.ts';

/** The subcommand's body: checks its arguments, then works in the opened session. */
export interface SubcommandBody {
  /** Validates the parsed arguments (throw UsageError) and returns session options. */
  prepare?(args: ReleaseArgs): Pick<SessionOptions, 'devUrl'>;
  /** Does the work and prints; resolves to the exit code. */
  run(release: ReleaseContext, args: ReleaseArgs, session: ReleaseSession): Promise<number>;
}

/**
 * Checks the common options, opens the target's session, runs the body, closes the session.
 * Failures are StagecraftErrors, reported by the CLI's one error mapper.
 */
export async function runRelease(
  ctx: CommandContext,
  parsed: ParsedArgs,
  name: string,
  body: SubcommandBody,
): Promise<number> {
  const args = releaseArgs(ctx, parsed);
  const sessionOptions = body.prepare?.(args) ?? {};
  const session = await openSession(ctx, args.common, {
    ...sessionOptions,
    commandLine: ['release', name, ...ctx.argv].join(' '),
  });
  try {
    return await body.run(session.release, args, session);
  } finally {
    session.close();
  }
}

/**
 * Like {@link runRelease} for a subcommand that reads only the state dir: no session, so no
 * AWS client, no stack read and no network even with `--target aws`.
 */
export function runOffline(
  ctx: CommandContext,
  parsed: ParsedArgs,
  run: (args: ReleaseArgs) => Promise<number>,
): Promise<number> {
  return run(releaseArgs(ctx, parsed));
}
