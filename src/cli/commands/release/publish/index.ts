import type { CommandContext, ParsedArgs } from '../../../command.ts';
import { publishLatest } from '../../../../release/operations/publish.ts';
import { runRelease } from '../run-release.ts';
import { writeJson } from '../session.ts';

/** `stagecraft release publish [--description TEXT]`: prints the version. */
export function run(ctx: CommandContext, parsed: ParsedArgs): Promise<number> {
  return runRelease(ctx, parsed, 'publish', {
    async run(release, args) {
      const description = args.values.description as string | undefined;
      const outcome = await publishLatest(
        release,
        description !== undefined ? { description } : {},
      );
      if (args.common.json) {
        writeJson(ctx, { ...outcome.version, created: outcome.created });
        return 0;
      }
      ctx.stdout.write(`${outcome.version.version}\n`);
      ctx.stderr.write(
        outcome.created
          ? `published version ${outcome.version.version} (code sha256 ${outcome.version.code_sha256})\n`
          : `version ${outcome.version.version} already holds this code; nothing published\n`,
      );
      return 0;
    },
  });
}
