/**
 * The decisions of promote and rollback as pure functions of what was read (the prod alias,
 * the history, the request): commands compute a plan, show it, then apply it. No I/O here,
 * so every rule is tested without a control plane.
 */
import { LATEST } from '../config/stages.ts';
import {
  type AliasRouting,
  canaryVersion,
  formatPercent,
  formatRouting,
  hasCanary,
} from '../platform/alias.ts';
import { ReleaseError } from '../errors.ts';
import type { HistoryEntry, ReleaseAction } from '../state/history.ts';

/** A change of the prod alias, or the reason there is nothing to change. */
export type RoutingPlan =
  | {
      readonly kind: 'change';
      /** What the change is, as history records it. */
      readonly action: ReleaseAction;
      /** The routing now. */
      readonly from: AliasRouting;
      /** The routing after. */
      readonly to: AliasRouting;
    }
  | { readonly kind: 'noop'; readonly reason: string };

/**
 * Where prod goes when `version` is promoted: all traffic to it, or — with a canary
 * percentage — that share of the traffic while the current version keeps the rest. Changing
 * the percentage of the running canary's version ramps it; anything else during a canary is
 * refused, because it would silently drop the canary.
 * @param canaryPercent in (0, 100), or undefined for a full promotion
 */
export function planPromote(
  prod: AliasRouting,
  version: string,
  canaryPercent: number | undefined,
): RoutingPlan {
  const running = canaryVersion(prod);
  if (running !== undefined) {
    if (canaryPercent === undefined || running !== version) {
      throw new ReleaseError(
        'canary.running',
        `a canary is running on prod (${formatRouting(prod, 'prose')}); finish it with ` +
          '`stagecraft release promote --complete` or abort it with `stagecraft release rollback` ' +
          `before promoting ${canaryPercent === undefined ? 'version' : 'a canary of version'} ${version}`,
      );
    }
  }
  if (canaryPercent === undefined) {
    if (version === prod.version) {
      return { kind: 'noop', reason: `prod already serves version ${version}` };
    }
    return { kind: 'change', action: 'promote', from: prod, to: { version } };
  }
  if (version === prod.version) {
    throw new ReleaseError(
      'promote.refused',
      `prod already serves version ${version}; a canary needs a version other than prod's`,
    );
  }
  if (prod.version === LATEST) {
    throw new ReleaseError(
      'promote.refused',
      'prod points at $LATEST (the first deployment); promote a published version fully first ' +
        '— a canary splits traffic between two published versions',
    );
  }
  const weight = canaryPercent / 100;
  if (prod.weights?.[version] === weight) {
    return {
      kind: 'noop',
      reason: `prod already sends ${formatPercent(weight)} of its traffic to version ${version}`,
    };
  }
  return {
    kind: 'change',
    action: 'canary',
    from: prod,
    to: { version: prod.version, weights: { [version]: weight } },
  };
}

/**
 * Finishes a canary: all prod traffic to the canary's version.
 * @param version the version named on the command line, which must be the canary's
 */
export function planComplete(prod: AliasRouting, version: string | undefined): RoutingPlan {
  const running = canaryVersion(prod);
  if (running === undefined) {
    throw new ReleaseError(
      'canary.none',
      `no canary is running on prod (it serves version ${prod.version}); start one with ` +
        '`stagecraft release promote --canary PERCENT`',
    );
  }
  if (version !== undefined && version !== running) {
    throw new ReleaseError(
      'canary.running',
      `the canary on prod is version ${running}, not ${version} (${formatRouting(prod, 'prose')})`,
    );
  }
  return { kind: 'change', action: 'complete', from: prod, to: { version: running } };
}

/**
 * Where a rollback takes prod: a running canary is aborted (all traffic back to the current
 * version); otherwise prod goes to `to`, or to the previous prod version in the history.
 */
export function planRollback(
  prod: AliasRouting,
  history: readonly HistoryEntry[],
  to: string | undefined,
): RoutingPlan {
  if (to !== undefined) {
    if (to === prod.version && !hasCanary(prod)) {
      return { kind: 'noop', reason: `prod already serves version ${to}` };
    }
    return { kind: 'change', action: 'rollback', from: prod, to: { version: to } };
  }
  if (hasCanary(prod)) {
    return { kind: 'change', action: 'abort', from: prod, to: { version: prod.version } };
  }
  const previous = previousProdVersion(history, prod.version);
  if (previous === undefined) {
    throw new ReleaseError(
      'rollback.no-previous',
      `the history knows no prod version before ${prod.version} to roll back to; name one with ` +
        '`stagecraft release rollback --to VERSION` (see `stagecraft release status`)',
    );
  }
  return { kind: 'change', action: 'rollback', from: prod, to: { version: previous } };
}

/**
 * The prod version before `current`, replaying the history as a stack: a promotion pushes
 * the version it replaced, a rollback pops back to the version it restored. So after 1 → 2 →
 * 3, rollbacks go to 2, then 1 — never back and forth between 2 and 3. Canary starts and
 * aborts leave the main version alone and do not count, nor do API moves.
 * @param history entries of one target and function, oldest first
 */
export function previousProdVersion(
  history: readonly HistoryEntry[],
  current: string,
): string | undefined {
  const stack: string[] = [];
  for (const entry of history) {
    if (entry.stage !== 'prod' || entry.to === undefined || isApiEntry(entry)) continue;
    const action = entry.action as ReleaseAction | undefined;
    const to = mainVersion(entry.to);
    if (action === 'canary' || action === 'abort') continue;
    if (action === 'rollback') {
      const index = stack.lastIndexOf(to);
      if (index >= 0) stack.length = index;
      continue;
    }
    // promote, complete, and entries from other writers (the local stack's first start)
    if (entry.from === undefined) continue;
    const from = mainVersion(entry.from);
    if (from !== to) stack.push(from);
  }
  for (let index = stack.length - 1; index >= 0; index--) {
    const candidate = stack[index];
    if (candidate !== undefined && candidate !== current && candidate !== LATEST) return candidate;
  }
  return undefined;
}

/** `3` from `3+4@10%`. */
function mainVersion(routing: string): string {
  return routing.split('+')[0] ?? routing;
}

/** True when a history entry records a move of a stage's API deployment, not of its alias. */
export function isApiEntry(entry: HistoryEntry): boolean {
  return entry.subject === 'api';
}

/**
 * The prod API deployment before `current`, replaying the API moves of the history as a stack
 * (like {@link previousProdVersion}: a promotion pushes what it replaced, a rollback pops).
 * @param history entries of one target and function, oldest first
 */
export function previousProdApiDeployment(
  history: readonly HistoryEntry[],
  current: string,
): string | undefined {
  const stack: string[] = [];
  for (const entry of history) {
    if (!isApiEntry(entry) || entry.stage !== 'prod') continue;
    if (entry.from === undefined || entry.to === undefined) continue;
    if (entry.action === 'rollback') {
      const index = stack.lastIndexOf(entry.to);
      if (index >= 0) stack.length = index;
      continue;
    }
    if (entry.from !== entry.to) stack.push(entry.from);
  }
  for (let index = stack.length - 1; index >= 0; index--) {
    const candidate = stack[index];
    if (candidate !== undefined && candidate !== current) return candidate;
  }
  return undefined;
}

/** What a promote moved: its history entries share a `release_id`. */
export type MovedPart = 'code' | 'api';

/**
 * What the last promote (or canary completion) of prod moved, from the history: its code, its
 * API deployment or both. Entries written before API deployments existed moved code only.
 * Undefined when the history has no promote.
 */
export function lastPromoteMoved(history: readonly HistoryEntry[]): Set<MovedPart> | undefined {
  const promotes = history.filter(
    (entry) =>
      entry.stage === 'prod' && (entry.action === 'promote' || entry.action === 'complete'),
  );
  const last = promotes.at(-1);
  if (last === undefined) return undefined;
  if (typeof last.release_id !== 'string') return new Set([isApiEntry(last) ? 'api' : 'code']);
  return new Set(
    promotes
      .filter((entry) => entry.release_id === last.release_id)
      .map((entry): MovedPart => (isApiEntry(entry) ? 'api' : 'code')),
  );
}
