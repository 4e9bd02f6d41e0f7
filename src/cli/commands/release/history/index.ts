import type { CommandContext } from '../../../command.ts';
import { releaseHistory } from '../../../../release/operations/history.ts';
import { formatHistoryEntry } from '../format.ts';
import { runRelease } from '../run-release.ts';
import { writeJson } from '../session.ts';

/** `stagecraft release history`. */
export function run(ctx: CommandContext): Promise<number> {
  return runRelease(
    ctx,
    { name: 'history', options: {} },
    {
      async run(release, args) {
        const entries = await releaseHistory(release);
        if (args.common.json) {
          writeJson(ctx, { entries });
        } else if (entries.length === 0) {
          ctx.stdout.write('no release history yet\n');
        } else {
          ctx.stdout.write(`${entries.map(formatHistoryEntry).join('\n')}\n`);
        }
        return 0;
      },
    },
  );
}
