import { type ReleaseContext, record, targetHistory, withReleaseLock } from '../context.ts';
import { type AliasRouting, hasCanary, routingOf } from '../../platform/alias.ts';
import { clearRollout, readRolloutState } from '../../state/rollout.ts';
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
  /**
   * The rollout this rollback ended: an interrupted one (its record is removed here), or a
   * running one (its process sees prod change within a second and stops).
   */
  readonly rollout?: { readonly id: string; readonly version: string; readonly state: string };
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
    const rollout = await readRolloutState(ctx.stateDir);
    const ended =
      rollout !== undefined
        ? { id: rollout.record.id, version: rollout.record.version, state: rollout.state }
        : undefined;
    // An interrupted rollout that never moved prod (or was already undone): ending it is all
    // there is to do; rolling back further would drop the baseline too.
    if (
      rollout !== undefined &&
      options.to === undefined &&
      !hasCanary(prod) &&
      prod.version === rollout.record.baseline
    ) {
      await endInterrupted(ctx, rollout.state, rollout.record.id);
      const reason = `prod already serves the rollout's baseline, version ${prod.version}`;
      ctx.progress.note(reason);
      return {
        changed: false,
        reason,
        from: routingOf(prod),
        to: routingOf(prod),
        ...(ended !== undefined ? { rollout: ended } : {}),
      };
    }
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
    if (rollout !== undefined) await endInterrupted(ctx, rollout.state, rollout.record.id);
    return {
      changed: true,
      action: plan.action,
      from: routingOf(plan.from),
      to: routingOf(to),
      version,
      ...(ended !== undefined ? { rollout: ended } : {}),
    };
  });
}

// A running rollout ends itself (it sees prod change); an interrupted one is ended here.
async function endInterrupted(ctx: ReleaseContext, state: string, id: string): Promise<void> {
  if (state !== 'interrupted') return;
  await record(ctx, {
    action: 'rollout',
    event: 'end',
    stage: 'prod',
    rollout: id,
    outcome: 'ended',
    reason: 'the interrupted rollout was ended by `release rollback`',
    forced: false,
  });
  await clearRollout(ctx.stateDir, id);
}
