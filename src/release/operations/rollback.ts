import { type ReleaseContext, targetHistory, withReleaseLock } from '../context.ts';
import { type AliasRouting, routingOf } from '../../platform/alias.ts';
import { findVersion, type VersionInfo } from '../../platform/version.ts';
import { planRollback } from '../plan.ts';
import { moveProd } from './move-prod.ts';

/** Options of `release rollback`. */
export interface RollbackOptions {
  /** The version to point prod at; default: the previous prod version in the history. */
  readonly to?: string;
}

/** What `release rollback` did. */
export interface RollbackResult {
  /** False when prod already served the requested version. */
  readonly changed: boolean;
  /** Why nothing changed. */
  readonly reason?: string;
  /** `rollback`, or `abort` when a running canary was stopped. */
  readonly action?: string;
  /** The prod routing before. */
  readonly from: AliasRouting;
  /** The prod routing after. */
  readonly to: AliasRouting;
  /** The version prod now serves. */
  readonly version?: VersionInfo;
}

/**
 * Points prod back: aborts a running canary, else goes to `--to VERSION` or the previous prod
 * version in the history. No verification check: every version it can choose served prod
 * before, and in an incident speed matters more than ceremony.
 */
export async function rollback(
  ctx: ReleaseContext,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  return withReleaseLock(ctx, async () => {
    const cp = ctx.controlPlane;
    const prod = await cp.getAlias('prod');
    const history = await targetHistory(ctx);
    const plan = planRollback(prod, history, options.to);
    if (plan.kind === 'noop') {
      ctx.progress.note(plan.reason);
      return { changed: false, reason: plan.reason, from: routingOf(prod), to: routingOf(prod) };
    }
    const version = findVersion(await cp.listVersions(), plan.to.version);
    const to = await moveProd(ctx, prod, plan, {
      version: version.version,
      code_sha256: version.code_sha256,
      forced: false,
    });
    return {
      changed: true,
      action: plan.action,
      from: routingOf(plan.from),
      to: routingOf(to),
      version,
    };
  });
}
