import type { CommandContext, ParsedArgs } from '../../../command.ts';
import { UsageError } from '../../../errors.ts';
import { formatRouting } from '../../../../platform/alias.ts';
import { promote, type PromoteOptions } from '../../../../release/operations/promote.ts';
import { percentArg, versionArg } from '../args.ts';
import { runRelease } from '../run-release.ts';
import { writeJson } from '../session.ts';

/** `stagecraft release promote [VERSION] [--canary PERCENT] [--complete] [--force] [--code-only | --api-only]`. */
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
      const codeOnly = args.values['code-only'] === true;
      const apiOnly = args.values['api-only'] === true;
      if (codeOnly && apiOnly) {
        throw new UsageError('--code-only and --api-only exclude each other');
      }
      if (apiOnly && (version !== undefined || canary !== undefined || complete)) {
        throw new UsageError(
          '--api-only moves the API deployment alone; it takes no VERSION, --canary or --complete',
        );
      }
      options = {
        ...(version !== undefined ? { version: versionArg('VERSION', version) } : {}),
        ...(canary !== undefined ? { canaryPercent: percentArg(canary) } : {}),
        complete,
        force: args.values.force === true,
        ...(codeOnly && { codeOnly }),
        ...(apiOnly && { apiOnly }),
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
      if (result.action !== undefined) {
        ctx.stdout.write(
          `prod: ${formatRouting(result.from, 'compact')} → ${formatRouting(result.to, 'compact')}\n`,
        );
      } else if (options.apiOnly !== true && result.reason !== undefined) {
        ctx.stdout.write(`${result.reason}\n`);
      }
      if (result.api?.changed === true) {
        ctx.stdout.write(`prod API: ${result.api.from} → ${result.api.to}\n`);
      }
      if (result.forced && result.version !== undefined) {
        ctx.stderr.write(
          `warning: version ${result.version.version} was promoted WITHOUT verification ` +
            '(--force); this is recorded in the history\n',
        );
      }
      if (result.api?.forced === true) {
        ctx.stderr.write(
          `warning: API deployment ${result.api.to} was promoted WITHOUT verification ` +
            '(--force); this is recorded in the history\n',
        );
      }
      return 0;
    },
  });
}
