/**
 * A `release rollout` in progress: `<state>/rollout.json` (what it does, the step it is at and
 * the last tick's numbers, replaced atomically at every step change and every tick) and `<state>/rollout.lock` (the pid lock of the
 * process running it). A rollout killed with `kill -9` leaves the record and a lock whose
 * process is gone: `release status` shows it as interrupted, `release rollout --resume`
 * takes the lock over and continues, `release rollback` ends it.
 */
import { hostname } from 'node:os';
import { rm } from 'node:fs/promises';
import { ReleaseError } from '../errors.ts';
import { readTextIfExists, writeFileAtomic, writeJsonAtomic } from './atomic-file.ts';
import { StateFileDamagedError } from './errors.ts';
import { stateLayout } from './layout.ts';
import { ownerIsGone, type PidLockRecord, tryAcquirePidLock } from './pid-lock.ts';
import { ensurePrivateDir } from './state-dir.ts';

/** The record's format; a newer one is refused rather than misread. */
export const ROLLOUT_FORMAT = 1;

/** One step of the schedule as recorded. */
export interface RolloutStepRecord {
  /** Percentage of prod traffic to the new version. */
  readonly percent: number;
  /** How long the step is watched (ms). */
  readonly duration_ms: number;
}

/** One version's numbers in a tick's window, as recorded. */
export interface RolloutWindowRecord {
  readonly version: string;
  readonly requests: number;
  readonly errors: number;
  /** errors / requests (0 without requests). */
  readonly error_rate: number;
  /** 99th percentile latency (ms), null without samples. */
  readonly p99_ms: number | null;
}

/**
 * The last judgement of the current step (what the release console shows while a rollout
 * runs). Absent in records written before it existed and before a step's first tick.
 */
export interface RolloutTickRecord {
  /** When the tick was judged, ISO 8601. */
  readonly at: string;
  /** 1-based step number, of `steps`. */
  readonly step: number;
  readonly steps: number;
  /** The canary's share (%). */
  readonly percent: number;
  /** ms since the step's window started. */
  readonly elapsed_ms: number;
  readonly canary: RolloutWindowRecord;
  readonly baseline: RolloutWindowRecord;
  /** The one-sided p-value of the error comparison. */
  readonly p_value: number;
  /** Canary p99 / baseline p99, when judged. */
  readonly p99_ratio: number | null;
  /** `watch`, `pass`, `fail`, `extend` or `continue-inconclusive`. */
  readonly decision: string;
  /** Why, for fail / extend / continue. */
  readonly reason?: string;
}

/** `<state>/rollout.json`. */
export interface RolloutRecord {
  readonly format: typeof ROLLOUT_FORMAT;
  /** Random id, carried by the rollout's history entries. */
  readonly id: string;
  /** `local` or `aws`. */
  readonly target: string;
  /** The function's name. */
  readonly function: string;
  /** The version rolled out. */
  readonly version: string;
  /** The version prod served when the rollout started (what an abort goes back to). */
  readonly baseline: string;
  /** The rolled-out version's code. */
  readonly code_sha256: string;
  /** True when the code passed verification; false with `forced`. */
  readonly verified: boolean;
  /** True when `--force` overrode a missing verification. */
  readonly forced: boolean;
  /** The schedule's name and steps. */
  readonly schedule: { readonly name: string; readonly steps: readonly RolloutStepRecord[] };
  /** The judgement's thresholds and the tick, as given (so `--resume` judges alike). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Index of the current step in `schedule.steps` (0-based). */
  readonly step: number;
  /** When the rollout started, ISO 8601. */
  readonly started_at: string;
  /** The command that started it. */
  readonly command: string;
  /** The last tick's numbers and verdict (optional: older records have none). */
  readonly last_tick?: RolloutTickRecord;
}

/** Where a rollout record stands. */
export interface RolloutState {
  /** The record. */
  readonly record: RolloutRecord;
  /** `running` while the process holding rollout.lock lives, else `interrupted`. */
  readonly state: 'running' | 'interrupted';
  /** The holder's pid while running. */
  readonly pid?: number;
}

interface RolloutLockRecord extends PidLockRecord {
  readonly host: string;
  readonly since: string;
  readonly command: string;
}

/** A held rollout lock. */
export interface RolloutLock {
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

/**
 * Takes `<state>/rollout.lock`, taking over a lock whose process is gone (a rollout killed
 * with `kill -9`); `rollout.running` naming the holder when it is alive.
 */
export async function acquireRolloutLock(stateDir: string, command: string): Promise<RolloutLock> {
  await ensurePrivateDir(stateDir);
  const path = stateLayout(stateDir).rolloutLock;
  const attempt = await tryAcquirePidLock<RolloutLockRecord>({
    path,
    record: { pid: process.pid, host: hostname(), since: new Date().toISOString(), command },
    parse: (value) => (typeof value.since === 'string' ? (value as RolloutLockRecord) : undefined),
    isStale: (holder) => holderIsGone(holder),
    attempts: 2,
    settleMs: 50,
  });
  if (attempt.kind === 'held') return { release: () => attempt.lock.release() };
  const holder = attempt.holder;
  const who =
    holder === undefined || holder === 'unreadable'
      ? 'another process'
      : `'${holder.command}' (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
  throw new ReleaseError(
    'rollout.running',
    `a rollout is running on this state dir: ${who} holds ${path}. Stop it with Ctrl-C in its ` +
      'terminal, or abort it from here with `stagecraft release rollback`',
  );
}

/** The rollout in progress on `stateDir`, if any, and whether its process still runs. */
export async function readRolloutState(stateDir: string): Promise<RolloutState | undefined> {
  const record = await readRollout(stateDir);
  if (record === undefined) return undefined;
  const lockText = await readTextIfExists(stateLayout(stateDir).rolloutLock);
  if (lockText !== undefined) {
    try {
      const holder = JSON.parse(lockText) as RolloutLockRecord;
      if (typeof holder.pid === 'number' && !(await holderIsGone(holder))) {
        return { record, state: 'running', pid: holder.pid };
      }
    } catch {
      // an unreadable lock protects nothing: the rollout is not running
    }
  }
  return { record, state: 'interrupted' };
}

/** `<state>/rollout.json`, or undefined when no rollout is in progress. */
export async function readRollout(stateDir: string): Promise<RolloutRecord | undefined> {
  const path = stateLayout(stateDir).rollout;
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw damaged(path, text.trim() === '' ? 'is empty' : 'is not JSON', error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw damaged(path, 'is not a rollout record');
  }
  const value = parsed as Partial<RolloutRecord>;
  if (value.format !== ROLLOUT_FORMAT) {
    throw damaged(
      path,
      `has format ${String(value.format)}, this stagecraft reads ${ROLLOUT_FORMAT}`,
    );
  }
  const steps = value.schedule?.steps;
  // Everything `--resume`, `rollback` and `status` use: a record missing any of it is refused
  // here, by name, rather than failing later as a TypeError.
  if (
    typeof value.id !== 'string' ||
    typeof value.target !== 'string' ||
    typeof value.function !== 'string' ||
    typeof value.version !== 'string' ||
    typeof value.baseline !== 'string' ||
    typeof value.code_sha256 !== 'string' ||
    typeof value.verified !== 'boolean' ||
    typeof value.forced !== 'boolean' ||
    typeof value.schedule?.name !== 'string' ||
    typeof value.options !== 'object' ||
    value.options === null ||
    typeof value.started_at !== 'string' ||
    typeof value.command !== 'string' ||
    !Number.isInteger(value.step) ||
    !Array.isArray(steps) ||
    !steps.every(isStep) ||
    (value.step as number) < 0 ||
    (value.step as number) >= steps.length
  ) {
    throw damaged(path, 'is not a rollout record');
  }
  if (value.last_tick !== undefined && !isTick(value.last_tick)) {
    // Only a display aid: a malformed one is dropped rather than blocking --resume or rollback.
    return withoutTick(value as RolloutRecord);
  }
  return value as RolloutRecord;
}

/** Writes the record (atomically: a kill leaves the old or the new one, never a torn one). */
export async function writeRollout(stateDir: string, record: RolloutRecord): Promise<void> {
  await writeJsonAtomic(stateLayout(stateDir).rollout, record);
}

/** Removes the record when it is the rollout `id`'s (or any, without an id). */
export async function clearRollout(stateDir: string, id?: string): Promise<void> {
  if (id !== undefined) {
    const current = await readRollout(stateDir).catch(() => undefined);
    if (current !== undefined && current.id !== id) return;
  }
  await rm(stateLayout(stateDir).rollout, { force: true });
  await rm(stateLayout(stateDir).rolloutStop, { force: true });
}

/**
 * Asks the running rollout `id` to stop before it moves prod again. `release rollback` writes it
 * (under the release lock) when prod is still on the baseline, so there is no alias change for
 * the rollout to notice: it checks for the request under the same lock before every move and
 * between ticks.
 */
export async function requestRolloutStop(stateDir: string, id: string): Promise<void> {
  await writeFileAtomic(stateLayout(stateDir).rolloutStop, `${id}\n`);
}

/** True when a stop was requested for rollout `id` (a request for another id is stale). */
export async function rolloutStopRequested(stateDir: string, id: string): Promise<boolean> {
  const text = await readTextIfExists(stateLayout(stateDir).rolloutStop);
  return text !== undefined && text.trim() === id;
}

/** The record without its last tick (a new step starts without one). */
export function withoutTick(record: RolloutRecord): RolloutRecord {
  const copy: { -readonly [K in keyof RolloutRecord]: RolloutRecord[K] } = { ...record };
  delete copy.last_tick;
  return copy;
}

function isStep(value: unknown): value is RolloutStepRecord {
  const step = value as Partial<RolloutStepRecord> | null;
  return (
    typeof step === 'object' &&
    step !== null &&
    typeof step.percent === 'number' &&
    typeof step.duration_ms === 'number'
  );
}

function isTick(value: unknown): value is RolloutTickRecord {
  const tick = value as Partial<RolloutTickRecord> | null;
  return (
    typeof tick === 'object' &&
    tick !== null &&
    typeof tick.step === 'number' &&
    typeof tick.decision === 'string' &&
    typeof tick.canary?.requests === 'number' &&
    typeof tick.baseline?.requests === 'number'
  );
}

async function holderIsGone(holder: RolloutLockRecord | 'unreadable'): Promise<boolean> {
  if (holder === 'unreadable') return true;
  // A pid of another host says nothing here.
  if (holder.host !== undefined && holder.host !== hostname()) return false;
  return ownerIsGone(holder.pid, holder.since);
}

function damaged(path: string, problem: string, cause?: unknown): StateFileDamagedError {
  return new StateFileDamagedError(
    path,
    problem,
    'end the rollout with `stagecraft release rollback` after deleting the file (prod is ' +
      'wherever the last step left it: see `stagecraft release status`)',
    cause === undefined ? undefined : { cause },
  );
}
