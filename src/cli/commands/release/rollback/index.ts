import type { CommandContext, ParsedArgs } from '../../../command.ts';
import { UsageError } from '../../../errors.ts';
import { formatRouting } from '../../../../platform/alias.ts';
import { rollback, type RollbackOptions } from '../../../../release/operations/rollback.ts';
import { versionArg } from '../args.ts';
import { runRelease } from '../run-release.ts';
import { writeJson } from '../session.ts';

/** `stagecraft release rollback [--to VERSION] [--code-only | --api-only]`. */
export function run(ctx: CommandContext, parsed: ParsedArgs): Promise<number> {
  let options: RollbackOptions = {};
  return runRelease(ctx, parsed, 'rollback', {
    prepare(args) {
      const to = args.values.to as string | undefined;
      const codeOnly = args.values['code-only'] === true;
      const apiOnly = args.values['api-only'] === true;
      if (codeOnly && apiOnly)
        throw new UsageError('--code-only and --api-only exclude each other');
      if (apiOnly && to !== undefined) {
        throw new UsageError('--to names a Lambda version; it takes no --api-only');
      }
      options = {
        ...(to !== undefined ? { to: versionArg('--to', to) } : {}),
        ...(codeOnly && { codeOnly }),
        ...(apiOnly && { apiOnly }),
      };
      return {};
    },
    async run(release, args) {
      const result = await rollback(release, options);
      if (args.common.json) writeJson(ctx, result);
      else if (!result.changed) ctx.stdout.write(`${result.reason ?? 'nothing to change'}\n`);
      else {
        if (result.action !== undefined) {
          ctx.stdout.write(
            `prod: ${formatRouting(result.from, 'compact')} → ${formatRouting(result.to, 'compact')}\n`,
          );
        }
        if (result.api !== undefined) {
          ctx.stdout.write(`prod API: ${result.api.from} → ${result.api.to}\n`);
        }
      }
      return 0;
    },
  });
}
