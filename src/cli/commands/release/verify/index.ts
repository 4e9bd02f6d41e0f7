import type { CommandContext, ParsedArgs } from '../../../command.ts';
import { ReportedFailure, UsageError } from '../../../errors.ts';
import { verifyStaging } from '../../../../release/operations/verify.ts';
import { formatSmokeReport } from '../../../../release/verify/report.ts';
import { runRelease } from '../run-release.ts';
import { writeJson } from '../session.ts';

/** `stagecraft release verify [--url URL]`: exit 1 when a check fails. */
export function run(ctx: CommandContext, parsed: ParsedArgs): Promise<number> {
  return runRelease(ctx, parsed, 'verify', {
    prepare(args) {
      const url = args.values.url as string | undefined;
      if (url === undefined) return {};
      if (args.common.target !== 'local') {
        throw new UsageError(
          '--url is for the local target; on AWS the staging URL comes from the stack',
        );
      }
      if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
        throw new UsageError(`--url must be an http(s) URL, got '${url}'`);
      }
      return { devUrl: url };
    },
    async run(release, args) {
      const verification = await verifyStaging(release);
      if (args.common.json) writeJson(ctx, verification);
      else ctx.stdout.write(formatSmokeReport(verification.report));
      const failed = verification.report.checks.filter((c) => !c.passed).length;
      if (!verification.passed) {
        throw new ReportedFailure(
          `${failed} of ${verification.report.checks.length} checks failed on ` +
            `${release.controlPlane.target} staging; code sha256 ${verification.code_sha256} is NOT ` +
            'verified and cannot be promoted',
          'verify.failed',
        );
      }
      if (!args.common.json) {
        ctx.stderr.write(
          `verified: code sha256 ${verification.code_sha256} passed on ` +
            `${release.controlPlane.target} staging; \`stagecraft release promote\` may ship it\n`,
        );
      }
      return 0;
    },
  });
}
