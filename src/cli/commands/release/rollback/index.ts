import type { CommandContext, ParsedArgs } from '../../../command.ts';
import { formatRouting } from '../../../../platform/alias.ts';
import { rollback, type RollbackOptions } from '../../../../release/operations/rollback.ts';
import { versionArg } from '../args.ts';
import { runRelease } from '../run-release.ts';
import { writeJson } from '../session.ts';

/** `stagecraft release rollback [--to VERSION]`. */
export function run(ctx: CommandContext, parsed: ParsedArgs): Promise<number> {
  let options: RollbackOptions = {};
  return runRelease(ctx, parsed, 'rollback', {
    prepare(args) {
      const to = args.values.to as string | undefined;
      options = to !== undefined ? { to: versionArg('--to', to) } : {};
      return {};
    },
    async run(release, args) {
      const result = await rollback(release, options);
      if (args.common.json) writeJson(ctx, result);
      else if (!result.changed) ctx.stdout.write(`${result.reason ?? 'nothing to change'}\n`);
      else
        ctx.stdout.write(
          `prod: ${formatRouting(result.from, 'compact')} → ${formatRouting(result.to, 'compact')}\n`,
        );
      return 0;
    },
  });
}
