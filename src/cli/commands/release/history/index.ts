import type { CommandContext, ParsedArgs } from '../../../command.ts';
import { releaseHistory } from '../../../../release/operations/history.ts';
import { formatHistoryEntry } from '../format.ts';
import { runOffline } from '../run-release.ts';
import { writeJson } from '../session.ts';

/** `stagecraft release history`: reads the state dir only (offline, even for `--target aws`). */
export function run(ctx: CommandContext, parsed: ParsedArgs): Promise<number> {
  return runOffline(ctx, parsed, async (args) => {
    const entries = await releaseHistory(args.common.stateDir, args.common.target);
    if (args.common.json) {
      writeJson(ctx, { entries });
    } else if (entries.length === 0) {
      ctx.stdout.write('no release history yet\n');
    } else {
      ctx.stdout.write(`${entries.map(formatHistoryEntry).join('\n')}\n`);
    }
    return 0;
  });
}
