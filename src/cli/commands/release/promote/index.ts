import type { CommandContext, ParsedArgs } from '../../../command.ts';
import { UsageError } from '../../../errors.ts';
import { formatRouting } from '../../../../platform/alias.ts';
import { promote, type PromoteOptions } from '../../../../release/operations/promote.ts';
import { percentArg, versionArg } from '../args.ts';
import { runRelease } from '../run-release.ts';
import { writeJson } from '../session.ts';

/** `stagecraft release promote [VERSION] [--canary PERCENT] [--complete] [--force]`. */
export function run(ctx: CommandContext, parsed: ParsedArgs): Promise<number> {
  let options: PromoteOptions = {};
  return runRelease(ctx, parsed, 'promote', {
    prepare(args) {
      const [version] = args.positionals;
      const canary = args.values.canary as string | undefined;
      const complete = args.values.complete === true;
      if (complete && canary !== undefined) {
        throw new UsageError('--complete finishes a canary; it takes no --canary');
      }
      options = {
        ...(version !== undefined ? { version: versionArg('VERSION', version) } : {}),
        ...(canary !== undefined ? { canaryPercent: percentArg(canary) } : {}),
        complete,
        force: args.values.force === true,
      };
      return {};
    },
    async run(release, args) {
      const result = await promote(release, options);
      if (args.common.json) {
        writeJson(ctx, result);
        return 0;
      }
      if (!result.changed) {
        ctx.stdout.write(`${result.reason ?? 'nothing to change'}\n`);
        return 0;
      }
      ctx.stdout.write(
        `prod: ${formatRouting(result.from, 'compact')} → ${formatRouting(result.to, 'compact')}\n`,
      );
      if (result.forced) {
        ctx.stderr.write(
          `warning: version ${result.version.version} was promoted WITHOUT verification ` +
            '(--force); this is recorded in the history\n',
        );
      }
      return 0;
    },
  });
}
