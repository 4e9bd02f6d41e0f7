import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ownerIsGone, type PidLock, processIsAlive, tryAcquirePidLock } from './pid-lock.ts';
import { ReleaseError } from '../errors.ts';
import { stateLayout } from './layout.ts';

// Kept exported from here: release code names it through this module.
export { processIsAlive };

/** Who holds a release lock: written into the lock file so a waiting user can see it. */
export interface LockOwner {
  /** Process id of the holder. */
  readonly pid: number;
  /** Host the holder runs on (a pid is only meaningful there). */
  readonly host: string;
  /** The command holding the lock, e.g. `release promote`. */
  readonly command: string;
  /** When the lock was taken (ISO-8601). */
  readonly since: string;
  /** Random; lets the holder remove only its own lock. */
  readonly token: string;
}

/** A held lock. */
export interface HeldLock {
  /** The lock file. */
  readonly path: string;
  /** What was written into it. */
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

/** Options for {@link acquireLock}. */
export interface LockOptions {
  /** What the holder is doing, shown to anyone who finds the lock taken. */
  readonly command: string;
  /**
   * The clock, for the `since` field.
   * @default () => new Date()
   */
  readonly now?: () => Date;
  /**
   * Tells whether a process of this host is alive; injectable for tests.
   * @default signal 0 to the pid
   */
  readonly isAlive?: (pid: number) => boolean;
}

/** The lock file of a state dir. */
export function lockPathFor(stateDir: string): string {
  return stateLayout(stateDir).releaseLock;
}

/**
 * Takes the lock at `path` or fails at once with `lock.busy` naming the holder. The lock is a
 * file created with O_EXCL, so of two processes racing for it exactly one wins. A lock left by
 * a process of this host that no longer runs is stale and is taken over (safely: see
 * `src/state/pid-lock.ts`).
 */
export async function acquireLock(path: string, options: LockOptions): Promise<HeldLock> {
  const now = options.now ?? (() => new Date());
  const isAlive = options.isAlive ?? processIsAlive;
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command: options.command,
    since: now().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  await mkdir(dirname(path), { recursive: true });
  const attempt = await tryAcquirePidLock<LockOwner>({
    path,
    record: owner,
    parse: (value) => (typeof value.token === 'string' ? (value as LockOwner) : undefined),
    // Locks are created with their content: one that stays unreadable is garbage (left by
    // a kill of an older stagecraft, or by damage), and a garbage lock protects nothing.
    isStale: (holder) => holder === 'unreadable' || isStale(holder, isAlive),
    // Two rounds: the second after breaking a stale lock. A third try would mean another
    // process broke the same stale lock and won the new one, which is "busy".
    attempts: 2,
    settleMs: 50,
  });
  if (attempt.kind === 'held') return heldLock(attempt.lock);
  throw busy(path, attempt.holder ?? 'unreadable');
}

/**
 * Runs `fn` while holding the lock at `path`, and releases it afterwards whatever happens.
 */
export async function withLock<T>(
  path: string,
  options: LockOptions,
  fn: (lock: HeldLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(path, options);
  try {
    return await fn(lock);
  } finally {
    await lock.release();
  }
}

async function isStale(owner: LockOwner, isAlive: (pid: number) => boolean): Promise<boolean> {
  // A pid from another host says nothing about processes here: never break such a lock.
  if (owner.host !== hostname()) return false;
  if (!isAlive(owner.pid)) return true;
  // Alive, but maybe a reused pid: only the real check can tell (an injected isAlive is a test's).
  return isAlive === processIsAlive && (await ownerIsGone(owner.pid, owner.since));
}

function heldLock(lock: PidLock<LockOwner>): HeldLock {
  return { path: lock.path, owner: lock.record, release: () => lock.release() };
}

function busy(path: string, holder: LockOwner | 'unreadable'): ReleaseError {
  const who =
    holder === 'unreadable'
      ? 'another release command'
      : `'${holder.command}' (pid ${holder.pid} on ${holder.host}, since ${holder.since})`;
  return new ReleaseError(
    'lock.busy',
    `${who} holds the release lock ${path}; release commands on one state dir run one at a ` +
      'time. Try again when it has finished (if no such process runs, delete the lock file).',
  );
}
