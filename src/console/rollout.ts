/**
 * The console's view of the latest `release rollout`: while it runs (or after a `kill -9`) the
 * record `release status` reads from `rollout.json` (its step, weight and the last tick's
 * numbers and verdict); its finished steps and its outcome from the history, where the rollout
 * records them (`action: 'rollout'`, events start / resume / step / end, carrying its id).
 * Pure: built from what state.ts has read.
 */
import type { StatusResult } from '../release/operations/status.ts';
import type { HistoryEntry } from '../state/history.ts';
import type { RolloutTickRecord } from '../state/rollout.ts';

/** One finished step, from its history entry. */
export interface ConsoleRolloutStep {
  readonly at: string;
  /** 1-based, of `steps`. */
  readonly step: number;
  readonly steps: number;
  readonly percent: number;
  /** `pass`, `fail`, `continue-inconclusive`, `interrupted`, `stopped`, `done`. */
  readonly verdict: string;
  readonly reason?: string;
  /** The step's last window, absent for the final 100 % step. */
  readonly canary?: RolloutTickRecord['canary'];
  readonly baseline?: RolloutTickRecord['baseline'];
  readonly p_value?: number;
  readonly p99_ratio?: number | null;
}

/** The latest rollout as the page shows it. */
export interface ConsoleRollout {
  readonly id: string;
  /** `running` / `interrupted` (from `rollout.json`), or `ended` (its history has an end). */
  readonly state: 'running' | 'interrupted' | 'ended';
  readonly version: string;
  readonly baseline: string;
  readonly schedule: string;
  readonly started_at: string;
  /** Where a running or interrupted rollout is: step k of n at `percent` % (absent once ended). */
  readonly step?: number;
  readonly steps?: number;
  readonly percent?: number;
  /** The current step's last tick (running or interrupted rollouts; none before the first). */
  readonly last_tick?: RolloutTickRecord;
  /** The finished steps, oldest first. */
  readonly finished: readonly ConsoleRolloutStep[];
  /** How it ended (absent while it runs). */
  readonly outcome?: {
    readonly at: string;
    /** `succeeded`, `aborted`, `interrupted`, `stopped`, or `ended` (by `release rollback`). */
    readonly outcome: string;
    readonly reason?: string;
    /** Prod's routing after it (compact, e.g. `2`). */
    readonly prod?: string;
  };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * The rollout to show: the one in `rollout.json` if any, else the latest one in the history;
 * null when there never was one. `history` is oldest first and complete (not the page's 50).
 */
export function consoleRollout(
  status: StatusResult | null,
  history: readonly HistoryEntry[],
): ConsoleRollout | null {
  const current = status?.rollout ?? null;
  const id = current?.id ?? str(history.findLast((e) => e.action === 'rollout')?.rollout);
  if (id === undefined) return null;
  const events = history.filter((e) => e.action === 'rollout' && e.rollout === id);
  const start = events.find((e) => e.event === 'start');
  const end = events.findLast((e) => e.event === 'end');
  const finished = events
    .filter((e) => e.event === 'step')
    .map((e): ConsoleRolloutStep => ({
      at: e.at,
      step: num(e.step) ?? 0,
      steps: num(e.steps) ?? 0,
      percent: num(e.percent) ?? 0,
      verdict: str(e.verdict) ?? '?',
      ...(str(e.reason) !== undefined && { reason: str(e.reason) }),
      ...(isWindow(e.canary) && { canary: e.canary }),
      ...(isWindow(e.baseline) && { baseline: e.baseline }),
      ...(num(e.p_value) !== undefined && { p_value: num(e.p_value) }),
      ...(e.p99_ratio !== undefined && { p99_ratio: num(e.p99_ratio) ?? null }),
    }));
  const base = {
    id,
    version: current?.version ?? str(start?.version) ?? str(end?.version) ?? '?',
    baseline: current?.baseline ?? str(start?.baseline) ?? str(end?.baseline) ?? '?',
    schedule: current?.schedule ?? str(start?.schedule) ?? '',
    started_at: current?.started_at ?? start?.at ?? '',
    finished,
  };
  // The rollout records its end just before it removes rollout.json: the end wins.
  if (current !== null && end === undefined) {
    return {
      ...base,
      state: current.state,
      step: current.step,
      steps: current.steps,
      percent: current.percent,
      ...(current.last_tick !== undefined && { last_tick: current.last_tick }),
    };
  }
  return {
    ...base,
    state: 'ended',
    ...(end !== undefined && {
      outcome: {
        at: end.at,
        outcome: str(end.outcome) ?? '?',
        ...(str(end.reason) !== undefined && { reason: str(end.reason) }),
        ...(str(end.prod) !== undefined && { prod: str(end.prod) }),
      },
    }),
  };
}

function isWindow(value: unknown): value is RolloutTickRecord['canary'] {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { requests?: unknown }).requests === 'number'
  );
}
