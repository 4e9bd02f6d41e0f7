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
import { ReleaseError } from '../../errors.ts';
import { planComplete, planPromote, type RoutingPlan } from '../plan.ts';
import {
  readVerification,
  type VerificationRecord,
  verificationCovers,
  verificationPathFor,
} from '../../state/verification.ts';
import { moveProd } from './move-prod.ts';
import { publishLocked } from './publish.ts';

/** Options of `release promote`. */
export interface PromoteOptions {
  /** The version to promote; default: publish the verified `$LATEST` and promote that. */
  readonly version?: string;
  /** Route this share (0 < P < 100) of prod to the version instead of all of it. */
  readonly canaryPercent?: number;
  /** Finish the running canary: all prod traffic to its version. */
  readonly complete?: boolean;
  /** Promote code that was not verified on staging (recorded in history). */
  readonly force?: boolean;
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
  /** The version promoted. */
  readonly version: VersionInfo;
  /** The publish step, when promote published `$LATEST`. */
  readonly published?: PublishOutcome;
  /** True when the version's code passed verification on this target's staging. */
  readonly verified: boolean;
  /** True when `--force` overrode a missing verification. */
  readonly forced: boolean;
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
    const prod = await cp.getAlias('prod');
    const versions = await cp.listVersions();
    if (options.complete === true) {
      const plan = planComplete(prod, options.version);
      const version = findVersion(versions, canaryVersion(prod) ?? '');
      return apply(ctx, prod, plan, { version, verified: true, forced: false });
    }
    if (hasCanary(prod) && options.canaryPercent === undefined) {
      // Refuse before publishing anything: planPromote would refuse after.
      planPromote(prod, '', undefined);
    }
    const { version, verified, forced, published } = await promotableVersion(
      ctx,
      versions,
      options,
    );
    const plan = planPromote(prod, version.version, options.canaryPercent);
    const result = await apply(ctx, prod, plan, { version, verified, forced });
    return published !== undefined ? { ...result, published } : result;
  });
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
  const cp = ctx.controlPlane;
  const named = options.version !== undefined ? findVersion(versions, options.version) : undefined;
  const sha = named?.code_sha256 ?? (await cp.latestCodeSha256());
  const verification = await readVerification(verificationPathFor(ctx.stateDir));
  const verified = verificationCovers(verification, {
    codeSha256: sha,
    target: cp.target,
    functionName: cp.functionName,
  });
  if (!verified && options.force !== true) {
    throw unverified(cp, named, sha, verification);
  }
  if (named !== undefined) return { version: named, verified, forced: !verified };
  const published = await publishLocked(ctx, { expectedCodeSha256: sha });
  return { version: published.version, verified, forced: !verified, published };
}

async function apply(
  ctx: ReleaseContext,
  prod: AliasState,
  plan: RoutingPlan,
  facts: { version: VersionInfo; verified: boolean; forced: boolean },
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
