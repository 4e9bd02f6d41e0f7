import type { Stage } from '../config/stages.ts';
import { userInfo } from 'node:os';
import type { ControlPlane } from '../platform/control-plane.ts';
import { formatRouting } from '../platform/alias.ts';
import { settleAliasMove } from '../state/alias-move.ts';
import type { Progress } from './progress.ts';
import {
  appendHistory,
  type HistoryEntry,
  historyPathFor,
  readHistory,
  type ReleaseAction,
} from '../state/history.ts';
import { lockPathFor, withLock } from '../state/release-lock.ts';

/** Everything a release operation works with; built once by the command, injected here. */
export interface ReleaseContext {
  /** The function's control plane (local or AWS). */
  readonly controlPlane: ControlPlane;
  /** The state dir: history, verification and the lock live here for both targets. */
  readonly stateDir: string;
  /** The project root: where `smoke.config.ts` is looked for. */
  readonly projectDir: string;
  /** The command as typed, for history (`release promote --canary 10`). */
  readonly commandLine: string;
  /** The OS user, for history. */
  readonly user: string;
  /** The clock. */
  readonly now: () => Date;
  /** Step display. */
  readonly progress: Progress;
  /**
   * Lines that must be seen even where progress is silent (a pipe, `--json`): what the
   * command did about an earlier command's interrupted alias move.
   * @default a `stagecraft: …` line on process.stderr
   */
  readonly report?: (line: string) => void;
}

/** The current OS user's name (history's "who"). */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment is the next best witness.
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}

/**
 * Runs `fn` holding the state dir's release lock, after settling an alias move that an
 * interrupted command left (see `state/alias-move.ts`): history and aliases agree before any
 * operation reads them.
 */
export function withReleaseLock<T>(ctx: ReleaseContext, fn: () => Promise<T>): Promise<T> {
  return withLock(
    lockPathFor(ctx.stateDir),
    { command: ctx.commandLine, now: ctx.now },
    async () => {
      await settlePendingMove(ctx);
      return fn();
    },
  );
}

/** Settles a left-over alias-move journal of this context's target (lock held). */
export async function settlePendingMove(ctx: ReleaseContext): Promise<void> {
  const cp = ctx.controlPlane;
  await settleAliasMove(ctx.stateDir, {
    target: cp.target,
    functionName: cp.functionName,
    currentRouting: async (stage) => formatRouting(await cp.getAlias(stage as Stage), 'compact'),
    currentApiDeployment: (stage) => cp.getApiStage(stage as Stage),
    report: reporter(ctx),
  });
}

/** {@link ReleaseContext.report}, or its default. */
export function reporter(ctx: ReleaseContext): (line: string) => void {
  return ctx.report ?? ((line) => process.stderr.write(`stagecraft: ${line}\n`));
}

/** What an operation says about its step; {@link record} adds who, when and where. */
export interface EntryFields {
  /** The kind of step. */
  readonly action: ReleaseAction;
  /** The stage whose alias changed or was verified. */
  readonly stage?: string;
  /** The alias (or `$LATEST`) before. */
  readonly from?: string;
  /** The alias (or version) after. */
  readonly to?: string;
  /** The code concerned. */
  readonly code_sha256?: string;
  /** True when `--force` overrode a safety check. */
  readonly forced: boolean;
  /** Further facts (version, verified, passed, …). */
  readonly [key: string]: unknown;
}

/** A history entry stamped with time, user, command, target and function. */
export function historyEntry(ctx: ReleaseContext, fields: EntryFields): HistoryEntry {
  return {
    at: ctx.now().toISOString(),
    user: ctx.user,
    command: ctx.commandLine,
    target: ctx.controlPlane.target,
    function: ctx.controlPlane.functionName,
    ...fields,
  };
}

/** Appends a {@link historyEntry} (a step that moves no alias: see `moveProd` for those). */
export async function record(ctx: ReleaseContext, fields: EntryFields): Promise<HistoryEntry> {
  const entry = historyEntry(ctx, fields);
  await appendHistory(historyPathFor(ctx.stateDir), entry);
  return entry;
}

/**
 * The history of this context's target and function, oldest first. Entries without a target
 * were written by the local stack itself (its first start) and belong to `local`.
 */
export async function targetHistory(ctx: ReleaseContext): Promise<HistoryEntry[]> {
  const all = await readHistory(historyPathFor(ctx.stateDir));
  return all.filter(
    (entry) =>
      (entry.target ?? 'local') === ctx.controlPlane.target &&
      (entry.function === undefined || entry.function === ctx.controlPlane.functionName),
  );
}
