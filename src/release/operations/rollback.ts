import { type ReleaseContext, record, targetHistory, withReleaseLock } from '../context.ts';
import { type AliasRouting, hasCanary, routingOf } from '../../platform/alias.ts';
import {
  clearRollout,
  readRolloutState,
  requestRolloutStop,
  type RolloutState,
} from '../../state/rollout.ts';
import { findVersion, type VersionInfo } from '../../platform/version.ts';
import { ReleaseError } from '../../errors.ts';
import type { HistoryEntry } from '../../state/history.ts';
import {
  lastPromoteMoved,
  type MovedPart,
  planRollback,
  previousProdApiDeployment,
} from '../plan.ts';
import { moveProd, moveProdApi } from './move-prod.ts';

/** Options of `release rollback`. */
export interface RollbackOptions {
  /** The version to point prod at; default: the previous prod version in the history. */
  readonly to?: string;
  /** Roll back prod's alias only. */
  readonly codeOnly?: boolean;
  /** Roll back prod's API deployment only. */
  readonly apiOnly?: boolean;
}

/** What `release rollback` did to prod's API deployment. */
export interface ApiRollbackResult {
  /** Always true: a rollback with nothing to restore is an error. */
  readonly changed: boolean;
  /** Prod's API deployment before. */
  readonly from: string;
  /** Prod's API deployment after. */
  readonly to: string;
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
  /** Prod's API deployment, when the rollback restored it. */
  readonly api?: ApiRollbackResult;
  /**
   * The rollout this rollback ended: an interrupted one (its record is removed here), or a
   * running one (its process sees prod change within a second and stops).
   */
  readonly rollout?: { readonly id: string; readonly version: string; readonly state: string };
}

/**
 * Points prod back: aborts a running canary, else goes to `--to VERSION` or the previous prod
 * version in the history — and restores prod's API deployment too when the last promote moved
 * it (what that promote moved, it restores: code, API or both; `--code-only` / `--api-only`
 * choose). No verification check: everything it can choose served prod before, and in an
 * incident speed matters more than ceremony.
 */
export async function rollback(
  ctx: ReleaseContext,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  return withReleaseLock(ctx, async () => {
    const cp = ctx.controlPlane;
    const prod = await cp.getAlias('prod');
    const rollout = ofThisTarget(ctx, await readRolloutState(ctx.stateDir));
    const ended =
      rollout !== undefined
        ? { id: rollout.record.id, version: rollout.record.version, state: rollout.state }
        : undefined;
    // An interrupted rollout that never moved prod (or was already undone): ending it is all
    // there is to do; rolling back further would drop the baseline too.
    // `--api-only` is about the API alone: it neither ends the rollout nor skips the API.
    if (
      rollout !== undefined &&
      options.apiOnly !== true &&
      options.to === undefined &&
      !hasCanary(prod) &&
      prod.version === rollout.record.baseline
    ) {
      await endInterrupted(ctx, rollout.state, rollout.record.id);
      // A running rollout that has not moved prod yet has no alias change to notice: it is
      // asked to stop, and checks for that under the release lock before its next move.
      if (rollout.state === 'running') await requestRolloutStop(ctx.stateDir, rollout.record.id);
      const reason =
        `prod already serves the rollout's baseline, version ${prod.version}` +
        (rollout.state === 'running' ? '; the running rollout was asked to stop' : '');
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
    const parts = partsToRollBack(prod, history, options);
    const current = routingOf(prod);
    let result: RollbackResult = {
      changed: false,
      reason: 'the last promote moved only the API deployment; the code is left',
      from: current,
      to: current,
    };
    if (parts.has('code')) result = await rollbackCode(ctx, prod, history, options.to);
    if (rollout !== undefined && result.changed) {
      await endInterrupted(ctx, rollout.state, rollout.record.id);
    }
    // The rollout is ended only by a rollback that moved the code (`--api-only` leaves it).
    const withRollout = (done: RollbackResult): RollbackResult =>
      ended !== undefined && result.changed ? { ...done, rollout: ended } : done;
    if (!parts.has('api')) return withRollout(result);
    const from = await cp.getApiStage('prod');
    const to = previousProdApiDeployment(history, from);
    if (to === undefined) {
      throw new ReleaseError(
        'rollback.no-previous',
        `the history knows no prod API deployment before ${from} to roll back to` +
          (parts.has('code') && result.changed ? ' (the code was rolled back)' : ''),
      );
    }
    await moveProdApi(ctx, from, to, { action: 'rollback', api_deployment: to, forced: false });
    return withRollout({
      changed: true,
      ...(result.action !== undefined && { action: result.action }),
      from: result.from,
      to: result.to,
      ...(result.version !== undefined && { version: result.version }),
      api: { changed: true, from, to },
    });
  });
}

// Which parts move: as asked, else what the last promote moved. `--to` names a Lambda version
// and a running canary is code: both are code only.
function partsToRollBack(
  prod: AliasRouting,
  history: readonly HistoryEntry[],
  options: RollbackOptions,
): Set<MovedPart> {
  if (options.apiOnly === true) return new Set(['api']);
  if (options.codeOnly === true || options.to !== undefined || hasCanary(prod)) {
    return new Set(['code']);
  }
  return lastPromoteMoved(history) ?? new Set(['code']);
}

async function rollbackCode(
  ctx: ReleaseContext,
  prod: Awaited<ReturnType<ReleaseContext['controlPlane']['getAlias']>>,
  history: readonly HistoryEntry[],
  to: string | undefined,
): Promise<RollbackResult> {
  const cp = ctx.controlPlane;
  const plan = planRollback(prod, history, to);
  if (plan.kind === 'noop') {
    ctx.progress.note(plan.reason);
    return { changed: false, reason: plan.reason, from: routingOf(prod), to: routingOf(prod) };
  }
  const version = findVersion(await cp.listVersions(), plan.to.version);
  const moved = await moveProd(ctx, prod, plan, {
    version: version.version,
    code_sha256: version.code_sha256,
    forced: false,
  });
  return {
    changed: true,
    action: plan.action,
    from: routingOf(plan.from),
    to: routingOf(moved),
    version,
  };
}

/**
 * The rollout state when it is this command's target and function: a state dir records one
 * rollout, and one of the other target (its prod elsewhere) is not this command's to end or to
 * be blocked by.
 */
export function ofThisTarget(
  ctx: ReleaseContext,
  rollout: RolloutState | undefined,
): RolloutState | undefined {
  const cp = ctx.controlPlane;
  return rollout !== undefined &&
    rollout.record.target === cp.target &&
    rollout.record.function === cp.functionName
    ? rollout
    : undefined;
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
