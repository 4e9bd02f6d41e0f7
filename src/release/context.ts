import { userInfo } from 'node:os';
import type { ControlPlane } from '../platform/control-plane.ts';
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

/** Runs `fn` holding the state dir's release lock. */
export function withReleaseLock<T>(ctx: ReleaseContext, fn: () => Promise<T>): Promise<T> {
  return withLock(lockPathFor(ctx.stateDir), { command: ctx.commandLine, now: ctx.now }, () =>
    fn(),
  );
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

/** Appends a history entry stamped with time, user, command, target and function. */
export async function record(ctx: ReleaseContext, fields: EntryFields): Promise<HistoryEntry> {
  const entry: HistoryEntry = {
    at: ctx.now().toISOString(),
    user: ctx.user,
    command: ctx.commandLine,
    target: ctx.controlPlane.target,
    function: ctx.controlPlane.functionName,
    ...fields,
  };
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
