import { type ReleaseContext, record, withReleaseLock } from '../context.ts';
import { hasCanary } from '../../platform/alias.ts';
import { isReleaseError, ReleaseError } from '../../errors.ts';
import { CONTRACT_CHECKS } from '../verify/contract-checks.ts';
import { loadProjectChecks } from '../verify/project-checks.ts';
import { probeStage, runSmokeSuite, type SourcedCheck } from '../verify/runner.ts';
import type { SmokeReport } from '../verify/types.ts';
import {
  type VerificationRecord,
  verificationPathFor,
  writeVerification,
} from '../../state/verification.ts';
import { codeSha256Of } from '../../platform/version.ts';
import type { ProgressStep } from '../progress.ts';

/**
 * Runs the smoke suite against the staging stage and records which code passed or failed.
 *
 * The record is only as good as the link between the answers and the code: the code sha256
 * staging's alias resolves to is read before and after the run, and every answer's
 * `X-Function-Version` must name the alias's version. If the code changed during the run (a
 * deploy, a watched rebuild), the run proves nothing about either code: it is void, nothing
 * is recorded as verified, and the command fails with `verify.void`.
 *
 * A finished run — passed or failed — is written to `<state>/verification.json` and the
 * history; a failed one is returned with `passed: false` (the CLI exits 1).
 */
export async function verifyStaging(ctx: ReleaseContext): Promise<VerificationRecord<SmokeReport>> {
  return withReleaseLock(ctx, async () => {
    const before = await servedCode(ctx, { refuseCanary: true });
    const apiBefore = await stagingApi(ctx);
    const url = await reachableStagingUrl(ctx);
    const checks: SourcedCheck[] = [
      ...CONTRACT_CHECKS.map((check) => ({ check, source: 'built-in' })),
      ...(await loadProjectChecks(ctx.projectDir)),
    ];
    ctx.progress.note(
      `staging ${url} serves version ${before.version} (code sha256 ${before.sha})`,
    );
    const report = await runChecks(ctx, url, checks);
    const after = await servedCode(ctx, { refuseCanary: false });
    const apiAfter = await stagingApi(ctx);
    const voided =
      voidReason(before.version, before.sha, after.version, after.sha, report) ??
      (apiBefore !== apiAfter
        ? `staging's API deployment changed during the run (${apiBefore ?? 'none'} before, ${apiAfter ?? 'none'} after)`
        : undefined);
    if (voided !== undefined) {
      await record(ctx, {
        action: 'verify',
        stage: 'staging',
        to: before.version,
        code_sha256: before.sha,
        ...(apiBefore !== undefined && { api_deployment: apiBefore }),
        passed: false,
        void: true,
        forced: false,
      });
      throw new ReleaseError(
        'verify.void',
        `${voided}; the run proves nothing about either code and was not recorded — run ` +
          '`stagecraft release verify` again once staging is stable',
      );
    }
    return recordResult(ctx, { ...before, api: apiBefore }, report);
  });
}

/** The one version staging's alias points at, and its code. */
interface ServedCode {
  readonly version: string;
  readonly sha: string;
}

// The API deployment staging serves; undefined on a state dir without API deployments (set
// up before they existed): such a run verifies code only.
async function stagingApi(ctx: ReleaseContext): Promise<string | undefined> {
  try {
    return await ctx.controlPlane.getApiStage('staging');
  } catch (error) {
    if (isReleaseError(error, 'api.not-found')) return undefined;
    throw error;
  }
}

// Reads staging's alias and its code. Before a run, a canary on staging is refused: a run must
// see one code (after it, a changed version or code is what voids the run).
async function servedCode(
  ctx: ReleaseContext,
  options: { readonly refuseCanary: boolean },
): Promise<ServedCode> {
  const alias = await ctx.controlPlane.getAlias('staging');
  if (options.refuseCanary && hasCanary(alias)) {
    throw new ReleaseError(
      'verify.void',
      'the staging alias splits traffic between versions; a verification must see one code',
    );
  }
  return { version: alias.version, sha: await codeSha256Of(ctx.controlPlane, alias.version) };
}

// The staging URL, once something answers there; else `stage.unreachable` with a hint per target.
async function reachableStagingUrl(ctx: ReleaseContext): Promise<string> {
  const cp = ctx.controlPlane;
  const url = await cp.stageUrl('staging');
  const unreachable = await probeStage(url);
  if (unreachable === undefined) return url;
  const hint =
    cp.target === 'local'
      ? 'is `stagecraft dev` running on this state dir? Pass its URL with --url if it does ' +
        'not listen on the default port'
      : 'is the stack deployed, and the StagingUrl output right?';
  throw new ReleaseError(
    'stage.unreachable',
    `nothing answers at the staging URL ${url} (${unreachable}); ${hint}`,
  );
}

// Runs the checks against staging, each shown as a progress step.
function runChecks(
  ctx: ReleaseContext,
  url: string,
  checks: readonly SourcedCheck[],
): Promise<SmokeReport> {
  let step: ProgressStep | undefined;
  return runSmokeSuite({
    baseUrl: url,
    checks,
    onCheckStart: ({ check }) => {
      step = ctx.progress.start(check.name);
    },
    onCheckEnd: (result) => step?.done(result.passed),
  });
}

// A finished run, passed or failed: verification.json first, then the history entry.
async function recordResult(
  ctx: ReleaseContext,
  served: ServedCode & { readonly api: string | undefined },
  report: SmokeReport,
): Promise<VerificationRecord<SmokeReport>> {
  const verification: VerificationRecord<SmokeReport> = {
    code_sha256: served.sha,
    at: ctx.now().toISOString(),
    passed: report.passed,
    report,
    target: ctx.controlPlane.target,
    function_name: ctx.controlPlane.functionName,
    version: served.version,
    ...(served.api !== undefined && { api_deployment: served.api }),
  };
  await writeVerification(verificationPathFor(ctx.stateDir), verification);
  await record(ctx, {
    action: 'verify',
    stage: 'staging',
    to: served.version,
    code_sha256: served.sha,
    ...(served.api !== undefined && { api_deployment: served.api }),
    passed: report.passed,
    forced: false,
  });
  return verification;
}

function voidReason(
  versionBefore: string,
  shaBefore: string,
  versionAfter: string,
  shaAfter: string,
  report: SmokeReport,
): string | undefined {
  if (versionBefore !== versionAfter) {
    return `the staging alias moved from version ${versionBefore} to ${versionAfter} during the run`;
  }
  if (shaBefore !== shaAfter) {
    return `staging's code changed during the run (code sha256 ${shaBefore} before, ${shaAfter} after)`;
  }
  const strangers = report.function_versions.filter((v) => v !== versionBefore);
  if (strangers.length > 0) {
    return (
      `staging answered from version ${strangers.join(', ')} (X-Function-Version) while its ` +
      `alias points at ${versionBefore}`
    );
  }
  return undefined;
}
