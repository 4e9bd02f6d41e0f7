import { randomUUID } from 'node:crypto';
import { type ReleaseContext, withReleaseLock } from '../context.ts';
import {
  type AliasRouting,
  type AliasState,
  canaryVersion,
  hasCanary,
  routingOf,
} from '../../platform/alias.ts';
import type { ControlPlane, PublishOutcome } from '../../platform/control-plane.ts';
import { findVersion, type VersionInfo } from '../../platform/version.ts';
import { isReleaseError, ReleaseError } from '../../errors.ts';
import { planComplete, planPromote, type RoutingPlan } from '../plan.ts';
import {
  readVerification,
  type VerificationRecord,
  verificationCovers,
  verificationCoversApi,
  verificationPathFor,
} from '../../state/verification.ts';
import { readRolloutState } from '../../state/rollout.ts';
import { moveProd, moveProdApi } from './move-prod.ts';
import { ofThisTarget } from './rollback.ts';
import { publishLocked } from './publish.ts';

/** Options of `release promote`. */
export interface PromoteOptions {
  /** The version to promote; default: publish the verified `$LATEST` and promote that. */
  readonly version?: string;
  /** Route this share (0 < P < 100) of prod to the version instead of all of it. */
  readonly canaryPercent?: number;
  /** Finish the running canary: all prod traffic to its version. */
  readonly complete?: boolean;
  /** Promote code or an API deployment that was not verified on staging (recorded in history). */
  readonly force?: boolean;
  /** Move only prod's alias, not its API deployment. */
  readonly codeOnly?: boolean;
  /** Move only prod's API deployment (to staging's), not its alias. */
  readonly apiOnly?: boolean;
}

/** What `release promote` did to prod's API deployment. */
export interface ApiPromoteResult {
  /** False when prod already served that deployment. */
  readonly changed: boolean;
  /** Prod's API deployment before. */
  readonly from: string;
  /** Prod's API deployment after. */
  readonly to: string;
  /** True when the last passing verification ran with staging on this deployment. */
  readonly verified: boolean;
  /** True when `--force` overrode a missing verification. */
  readonly forced: boolean;
}

/** What `release promote` did. */
export interface PromoteResult {
  /** False when prod already was where it was asked to go. */
  readonly changed: boolean;
  /** Why nothing changed. */
  readonly reason?: string;
  /** `promote`, `canary` or `complete`. */
  readonly action?: string;
  /** The prod routing before. */
  readonly from: AliasRouting;
  /** The prod routing after. */
  readonly to: AliasRouting;
  /** The version promoted (absent with `--api-only`). */
  readonly version?: VersionInfo;
  /** The publish step, when promote published `$LATEST`. */
  readonly published?: PublishOutcome;
  /** True when the version's code passed verification on this target's staging. */
  readonly verified: boolean;
  /** True when `--force` overrode a missing verification. */
  readonly forced: boolean;
  /**
   * Prod's API deployment, when promote handled it (not with `--code-only`, a canary or
   * `--complete`, which move code only).
   */
  readonly api?: ApiPromoteResult;
}

/** The API half of a promote, decided before anything moves. */
interface ApiStep {
  readonly from: string;
  readonly to: string;
  readonly verified: boolean;
}

/**
 * Points prod at a version — all of it, or a canary share — after checking that its code is
 * the code verified on staging. Serialized with every other release command by the lock;
 * the alias update carries the revision read at the start, so a change made behind the
 * lock's back (another machine, the console) makes it fail instead of being overwritten.
 */
export async function promote(
  ctx: ReleaseContext,
  options: PromoteOptions = {},
): Promise<PromoteResult> {
  return withReleaseLock(ctx, async () => {
    const cp = ctx.controlPlane;
    await refuseDuringRollout(ctx);
    const prod = await cp.getAlias('prod');
    const versions = await cp.listVersions();
    // Canary steps move code only (the API has no canary): so does --code-only.
    const codeOnly =
      options.codeOnly === true || options.complete === true || options.canaryPercent !== undefined;
    const releaseId = randomUUID();
    if (options.complete === true) {
      const plan = planComplete(prod, options.version);
      const version = findVersion(versions, canaryVersion(prod) ?? '');
      return apply(ctx, prod, plan, { version, verified: true, forced: false }, releaseId);
    }
    if (hasCanary(prod) && options.canaryPercent === undefined && options.apiOnly !== true) {
      // Refuse before publishing anything: planPromote would refuse after.
      planPromote(prod, '', undefined);
    }
    const verification = await readVerification(verificationPathFor(ctx.stateDir));
    if (options.apiOnly === true) {
      const api = await planApi(ctx, verification, options, true);
      const moved = await applyApi(ctx, api, options, releaseId);
      const current = routingOf(prod);
      return {
        changed: moved?.changed ?? false,
        ...(moved?.changed === true
          ? {}
          : { reason: `prod's API already serves deployment ${api?.to}` }),
        from: current,
        to: current,
        verified: moved?.verified ?? false,
        forced: moved?.forced ?? false,
        ...(moved !== undefined && { api: moved }),
      };
    }
    const code = await checkPromotable(ctx, versions, options, verification);
    // The API's verification is checked before anything moves, so a refusal changes nothing.
    const api = codeOnly ? undefined : await planApi(ctx, verification, options, false);
    const { version, verified, forced, published } = await publishPromotable(ctx, code);
    const plan = planPromote(prod, version.version, options.canaryPercent);
    const result = await apply(ctx, prod, plan, { version, verified, forced }, releaseId);
    const moved = await applyApi(ctx, api, options, releaseId);
    return {
      ...result,
      ...(moved?.changed === true && { changed: true }),
      ...(published !== undefined && { published }),
      ...(moved !== undefined && { api: moved }),
    };
  });
}

// While a rollout is recorded (running, or interrupted by a kill), prod belongs to it: a promote
// would be overwritten by its next step, or would leave `--resume` a prod it no longer knows.
// That holds for `--api-only` too: the rollout judges its canary against the baseline under one
// API, and a second change to prod in the middle muddles what an abort is blamed on. The way
// out is the rollout's own: let it finish, Ctrl-C it, `rollout --resume` it or `rollback`.
async function refuseDuringRollout(ctx: ReleaseContext): Promise<void> {
  const rollout = ofThisTarget(ctx, await readRolloutState(ctx.stateDir));
  if (rollout === undefined) return;
  const { record, state } = rollout;
  const what = `a rollout of version ${record.version} over ${record.baseline} (step ${record.step + 1} of ${record.schedule.steps.length})`;
  throw new ReleaseError(
    'rollout.running',
    state === 'running'
      ? `${what} is running (pid ${rollout.pid ?? '?'}); prod is its until it ends: wait for it, ` +
          'stop it with Ctrl-C in its terminal, or abort it with `stagecraft release rollback`. ' +
          'Nothing was changed.'
      : `${what} was interrupted; continue it with \`stagecraft release rollout --resume\` or ` +
          'end it with `stagecraft release rollback` before promoting. Nothing was changed.',
  );
}

// Prod's API goes to what staging serves; refused unless a passing verification ran with
// staging on that deployment (or --force). A state dir without API deployments (set up before
// they existed, dev not started since) has no API to move: noted, unless --api-only asked.
async function planApi(
  ctx: ReleaseContext,
  verification: VerificationRecord | undefined,
  options: PromoteOptions,
  required: boolean,
): Promise<ApiStep | undefined> {
  const cp = ctx.controlPlane;
  let to: string;
  let from: string;
  try {
    to = await cp.getApiStage('staging');
    from = await cp.getApiStage('prod');
  } catch (error) {
    if (!required && isReleaseError(error, 'api.not-found')) {
      ctx.progress.note(`API deployments not set up (${error.message}); promoting code only`);
      return undefined;
    }
    throw error;
  }
  const verified = verificationCoversApi(verification, {
    deployment: to,
    target: cp.target,
    functionName: cp.functionName,
  });
  if (!verified && from !== to && options.force !== true) {
    const last =
      verification === undefined
        ? 'no verification has been recorded'
        : verification.api_deployment === undefined
          ? `the last verification (${verification.at}) recorded no API deployment`
          : `the last verification ${verification.passed ? 'passed' : 'FAILED'} with staging on API deployment ${verification.api_deployment}`;
    throw new ReleaseError(
      'promote.unverified-api',
      `refusing to move prod's API to deployment ${to} (staging's): it was not verified on ` +
        `staging (${last}). Run \`stagecraft release verify\` while staging serves it, then ` +
        'promote; promote the code alone with --code-only; or pass --force to move it anyway ' +
        '(recorded in history). Nothing was changed.',
    );
  }
  return { from, to, verified };
}

async function applyApi(
  ctx: ReleaseContext,
  api: ApiStep | undefined,
  options: PromoteOptions,
  releaseId: string,
): Promise<ApiPromoteResult | undefined> {
  if (api === undefined) return undefined;
  const forced = !api.verified && options.force === true && api.from !== api.to;
  if (api.from === api.to) {
    ctx.progress.note(`prod's API already serves deployment ${api.to}`);
    return { changed: false, from: api.from, to: api.to, verified: api.verified, forced: false };
  }
  await moveProdApi(ctx, api.from, api.to, {
    action: 'promote',
    api_deployment: api.to,
    verified: api.verified,
    forced,
    release_id: releaseId,
  });
  return { changed: true, from: api.from, to: api.to, verified: api.verified, forced };
}

/** The version a promotion (or a rollout) moves prod to, and what vouches for it. */
export interface PromotableVersion {
  readonly version: VersionInfo;
  /** True when its code passed verification on this target's staging. */
  readonly verified: boolean;
  /** True when `--force` overrode a missing verification. */
  readonly forced: boolean;
  /** The publish step, when `$LATEST` was published for it. */
  readonly published?: PublishOutcome;
}

/**
 * The named version, or `$LATEST` published, after the verification rule: its code must be
 * the code verified on this target's staging, unless `force` (`promote.unverified`). Call with
 * the release lock held.
 */
export async function promotableVersion(
  ctx: ReleaseContext,
  versions: readonly VersionInfo[],
  options: { readonly version?: string; readonly force?: boolean },
): Promise<PromotableVersion> {
  const verification = await readVerification(verificationPathFor(ctx.stateDir));
  return publishPromotable(ctx, await checkPromotable(ctx, versions, options, verification));
}

/** The code a promotion would move prod to, checked but not yet published. */
interface CheckedCode {
  readonly named: VersionInfo | undefined;
  readonly sha: string;
  readonly verified: boolean;
}

// The verification rule alone: refuses (`promote.unverified`) before anything is published.
async function checkPromotable(
  ctx: ReleaseContext,
  versions: readonly VersionInfo[],
  options: { readonly version?: string; readonly force?: boolean },
  verification: VerificationRecord | undefined,
): Promise<CheckedCode> {
  const cp = ctx.controlPlane;
  const named = options.version !== undefined ? findVersion(versions, options.version) : undefined;
  const sha = named?.code_sha256 ?? (await cp.latestCodeSha256());
  const verified = verificationCovers(verification, {
    codeSha256: sha,
    target: cp.target,
    functionName: cp.functionName,
  });
  if (!verified && options.force !== true) {
    throw unverified(cp, named, sha, verification);
  }
  return { named, sha, verified };
}

// The checked version itself: the named one, or `$LATEST` published (guarded by its sha256).
async function publishPromotable(
  ctx: ReleaseContext,
  { named, sha, verified }: CheckedCode,
): Promise<PromotableVersion> {
  if (named !== undefined) return { version: named, verified, forced: !verified };
  const published = await publishLocked(ctx, { expectedCodeSha256: sha });
  return { version: published.version, verified, forced: !verified, published };
}

async function apply(
  ctx: ReleaseContext,
  prod: AliasState,
  plan: RoutingPlan,
  facts: { version: VersionInfo; verified: boolean; forced: boolean },
  releaseId: string,
): Promise<PromoteResult> {
  if (plan.kind === 'noop') {
    ctx.progress.note(plan.reason);
    const current = routingOf(prod);
    return { changed: false, reason: plan.reason, from: current, to: current, ...facts };
  }
  const to = await moveProd(ctx, prod, plan, {
    version: facts.version.version,
    code_sha256: facts.version.code_sha256,
    verified: facts.verified,
    forced: facts.forced,
    release_id: releaseId,
  });
  return {
    changed: true,
    action: plan.action,
    from: routingOf(plan.from),
    to: routingOf(to),
    ...facts,
  };
}

function unverified(
  cp: ControlPlane,
  named: VersionInfo | undefined,
  sha: string,
  verification: VerificationRecord | undefined,
): ReleaseError {
  const subject =
    named === undefined
      ? `$LATEST (code sha256 ${sha})`
      : `version ${named.version} (code sha256 ${sha})`;
  let last: string;
  if (verification === undefined) {
    last = 'no verification has been recorded';
  } else if (verification.target !== cp.target) {
    last = `the last verification ran on the ${verification.target} target, not ${cp.target}`;
  } else if (!verification.passed) {
    last = `the last verification of ${verification.code_sha256} FAILED at ${verification.at}`;
  } else {
    last = `the last verification passed for other code (${verification.code_sha256}) at ${verification.at}`;
  }
  return new ReleaseError(
    'promote.unverified',
    `refusing to promote ${subject}: it was not verified on staging (${last}). Run ` +
      '`stagecraft release verify` while staging serves this code, then promote; or pass ' +
      '--force to promote it anyway (recorded in history).',
  );
}
