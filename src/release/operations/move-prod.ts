import {
  type ReleaseContext,
  type EntryFields,
  historyEntry,
  reporter,
  settlePendingMove,
} from '../context.ts';
import { type AliasRouting, type AliasState, formatRouting } from '../../platform/alias.ts';
import { beginAliasMove, finishAliasMove } from '../../state/alias-move.ts';
import type { RoutingPlan } from '../plan.ts';

/** What the history entry says besides the move itself (version, verified, forced, …). */
export type MoveFacts = Pick<EntryFields, 'forced'> & { readonly [key: string]: unknown };

/** A planned change of the prod alias. */
export type ProdChange = Extract<RoutingPlan, { kind: 'change' }>;

/**
 * The one step that moves prod (promote, canary, complete, rollback, abort): journal the
 * intent, move the alias guarded by the revision read before, append the history entry, drop
 * the journal. A kill anywhere leaves a journal that the next release command settles (see
 * `state/alias-move.ts`), so the alias and its history never disagree.
 */
export async function moveProd(
  ctx: ReleaseContext,
  prod: AliasState,
  plan: ProdChange,
  fields: MoveFacts,
): Promise<AliasRouting> {
  const cp = ctx.controlPlane;
  const from = formatRouting(plan.from, 'compact');
  const planned = formatRouting(plan.to, 'compact');
  const entry = historyEntry(ctx, {
    action: plan.action,
    stage: 'prod',
    from,
    to: planned,
    ...fields,
  });
  await beginAliasMove(ctx.stateDir, {
    stage: 'prod',
    target: cp.target,
    function: cp.functionName,
    from,
    to: planned,
    entry,
  });
  let to: AliasState;
  try {
    to = await ctx.progress.task(`point prod at ${formatRouting(plan.to, 'prose')}`, () =>
      cp.updateAlias('prod', plan.to, prod.revision),
    );
  } catch (error) {
    // Refused or failed: settle now against the alias as it is, so that a refusal leaves no
    // journal behind (and a move that happened after all is recorded). If even that fails,
    // the journal stays for the next command.
    await settlePendingMove({ ...ctx, report: quietUnlessCompleted(reporter(ctx)) }).catch(
      () => undefined,
    );
    throw error;
  }
  const actual = formatRouting(to, 'compact');
  await finishAliasMove(ctx.stateDir, actual === planned ? entry : { ...entry, to: actual });
  return to;
}

// After a failed update the journal is usually "undone", which is no news; a completed one is.
function quietUnlessCompleted(report: (line: string) => void): (line: string) => void {
  return (line) => {
    if (line.startsWith('completed')) report(line);
  };
}

/**
 * Moves prod's API deployment as one journalled step, like {@link moveProd} for the alias:
 * journal (`subject: 'api'`), `updateApiStage` guarded by the deployment read before, history
 * entry, journal dropped.
 */
export async function moveProdApi(
  ctx: ReleaseContext,
  from: string,
  to: string,
  fields: MoveFacts & { readonly action: EntryFields['action'] },
): Promise<void> {
  const cp = ctx.controlPlane;
  const entry = historyEntry(ctx, { stage: 'prod', subject: 'api', from, to, ...fields });
  await beginAliasMove(ctx.stateDir, {
    stage: 'prod',
    subject: 'api',
    target: cp.target,
    function: cp.functionName,
    from,
    to,
    entry,
  });
  try {
    await ctx.progress.task(`point prod's API at deployment ${to}`, () =>
      cp.updateApiStage('prod', to, from),
    );
  } catch (error) {
    await settlePendingMove({ ...ctx, report: quietUnlessCompleted(reporter(ctx)) }).catch(
      () => undefined,
    );
    throw error;
  }
  await finishAliasMove(ctx.stateDir, entry);
}
