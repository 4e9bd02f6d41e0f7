import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ReleaseError } from '../errors.ts';
import { readTextIfExists } from './read-text.ts';

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
  return join(stateDir, 'release.lock');
}

/**
 * Takes the lock at `path` or fails at once with `lock.busy` naming the holder. The lock is a
 * file created with O_EXCL, so of two processes racing for it exactly one wins. A lock left by
 * a process of this host that no longer runs is stale and is broken (see {@link breakStaleLock}).
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
  // Two rounds: the second after breaking a stale lock. A third try would mean another process
  // broke the same stale lock and won the new one, which is "busy".
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(path, owner)) return heldLock(path, owner);
    const holder = await readOwner(path);
    if (holder === undefined) continue; // released between our create and read: try again
    if (holder !== 'unreadable' && isStale(holder, isAlive)) {
      await breakStaleLock(path, holder);
      continue;
    }
    throw busy(path, holder);
  }
  const holder = await readOwner(path);
  throw busy(path, holder ?? 'unreadable');
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

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await file.writeFile(`${JSON.stringify(owner)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  return true;
}

async function readOwner(path: string): Promise<LockOwner | 'unreadable' | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.token === 'string') return value as LockOwner;
  } catch {
    // fall through: an empty file is a holder that has created but not yet written the lock
  }
  return 'unreadable';
}

function isStale(owner: LockOwner, isAlive: (pid: number) => boolean): boolean {
  // A pid from another host says nothing about processes here: never break such a lock.
  return owner.host === hostname() && !isAlive(owner.pid);
}

/**
 * Removes a stale lock without ever removing a live one. Unlinking by name would race: a
 * second process may already have broken the stale lock and created its own. So the file is
 * first renamed aside (atomic), and only deleted if it is the stale one we read; if it was a
 * fresh lock, it is put back with link(), which never overwrites.
 */
async function breakStaleLock(path: string, stale: LockOwner): Promise<void> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it
    throw error;
  }
  const moved = await readOwner(aside);
  if (moved === undefined) return;
  // An empty file is a fresh holder between its create and its write: not the stale lock.
  if (moved === 'unreadable' || moved.token !== stale.token) {
    try {
      await link(aside, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  await rm(aside, { force: true });
}

function heldLock(path: string, owner: LockOwner): HeldLock {
  let released = false;
  return {
    path,
    owner,
    async release() {
      if (released) return;
      released = true;
      const current = await readOwner(path);
      if (current !== undefined && current !== 'unreadable' && current.token === owner.token) {
        await rm(path, { force: true });
      }
    },
  };
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

/** True when a process with this pid exists on this host. */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
