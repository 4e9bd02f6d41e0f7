import type { CommandContext, ParsedArgs } from '../../../command.ts';
import { releaseStatus } from '../../../../release/operations/status.ts';
import { formatStatus } from '../format.ts';
import { runRelease } from '../run-release.ts';
import { writeJson } from '../session.ts';

/** `stagecraft release status`. */
export function run(ctx: CommandContext, parsed: ParsedArgs): Promise<number> {
  return runRelease(ctx, parsed, 'status', {
    async run(release, args) {
      const status = await releaseStatus(release);
      if (args.common.json) writeJson(ctx, status);
      else ctx.stdout.write(formatStatus(status, release.stateDir));
      return 0;
    },
  });
}
