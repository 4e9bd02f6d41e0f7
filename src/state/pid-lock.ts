/**
 * A lock file owned by a process: created with O_EXCL (of two racing takers exactly one wins),
 * holding a JSON owner record with at least the owner's `pid`, so that a lock left behind by a
 * process that no longer runs can be recognised and taken over. The dev lock (`dev.lock`) and
 * the release lock (`release.lock`) are thin wrappers that decide what the record holds, when
 * a holder counts as stale, and what error a busy lock is.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { FILE_MODE, readTextIfExists, writeFileAtomic } from './atomic-file.ts';

/** The least an owner record holds. */
export interface PidLockRecord {
  /** Process id of the holder. */
  readonly pid: number;
}

/** What a taker finds in a lock file it could not create: a record, or a file it cannot read. */
export type PidLockHolder<R extends PidLockRecord> = R | 'unreadable';

/** How to take one kind of pid lock. */
export interface PidLockSpec<R extends PidLockRecord> {
  /** The lock file. */
  readonly path: string;
  /** The owner record to write when the lock is taken. */
  readonly record: R;
  /** Validates a record read back from a lock file; `undefined` makes it `unreadable`. */
  readonly parse: (value: Partial<R>) => R | undefined;
  /** True when the holder may be taken over (its process is gone, or the lock is unreadable). */
  readonly isStale: (holder: PidLockHolder<R>) => boolean | Promise<boolean>;
  /** How many times to try creating the lock before giving up as `contended`. */
  readonly attempts: number;
  /**
   * When set, a lock file that is missing or unreadable is read again after this many
   * milliseconds before judging it: its creator may not have written its record yet.
   */
  readonly settleMs?: number;
}

/** A held pid lock. */
export interface PidLock<R extends PidLockRecord> {
  /** The lock file. */
  readonly path: string;
  /** The owner record as last written. */
  readonly record: R;
  /**
   * Replaces the owner record (atomically, by rename: the lock file never goes missing while
   * held), pretty-printed since humans and other commands read it.
   */
  rewrite(record: R): Promise<void>;
  /** Removes the lock file if it is still the one this process wrote. Safe to call twice. */
  release(): Promise<void>;
}

/** The outcome of {@link tryAcquirePidLock}. */
export type PidLockAttempt<R extends PidLockRecord> =
  | { readonly kind: 'held'; readonly lock: PidLock<R> }
  /** A live (non-stale) holder has it. */
  | { readonly kind: 'busy'; readonly holder: PidLockHolder<R> }
  /** Every attempt found a lock that vanished or was replaced meanwhile; `holder` is the last seen. */
  | { readonly kind: 'contended'; readonly holder: PidLockHolder<R> | undefined };

/**
 * Tries to take the lock described by `spec`. A stale holder is taken over (see
 * {@link breakStaleLock}); a live one is reported as `busy`, never waited for.
 */
export async function tryAcquirePidLock<R extends PidLockRecord>(
  spec: PidLockSpec<R>,
): Promise<PidLockAttempt<R>> {
  const { path } = spec;
  const text = `${JSON.stringify(spec.record)}\n`;
  for (let attempt = 0; attempt < spec.attempts; attempt++) {
    if (await tryCreate(path, text)) return { kind: 'held', lock: heldLock(spec, text) };
    let found = await readHolder(spec);
    if (spec.settleMs !== undefined && (found === undefined || found.holder === 'unreadable')) {
      await new Promise((resolve) => setTimeout(resolve, spec.settleMs));
      found = await readHolder(spec);
    }
    if (found === undefined) continue; // released between our create and read: try again
    if (!(await spec.isStale(found.holder))) return { kind: 'busy', holder: found.holder };
    await breakStaleLock(path, found.text);
  }
  return { kind: 'contended', holder: (await readHolder(spec))?.holder };
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

/**
 * Creates the lock with its content in one step: the record is written and fsynced under a
 * private name, then link()ed to the lock's name, which fails if the lock exists. So no
 * process ever sees an empty or half-written lock, whenever its creator is killed.
 */
async function tryCreate(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  const file = await open(temp, 'wx', FILE_MODE);
  try {
    await file.chmod(FILE_MODE);
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * True when the process that wrote a lock at `since` is provably gone: no process has its
 * pid, or (on Linux) the process with that pid started after the lock was written, so the
 * pid was reused by an unrelated process.
 */
export async function ownerIsGone(pid: number, since: string | undefined): Promise<boolean> {
  if (!processIsAlive(pid)) return true;
  const written = since === undefined ? Number.NaN : Date.parse(since);
  if (Number.isNaN(written)) return false;
  const started = await processStartMs(pid);
  // 2 s of slack: boot time and clock ticks are coarse; a reused pid starts much later.
  return started !== undefined && started > written + 2000;
}

// Start time of a process in ms since the epoch, from /proc (Linux only; undefined elsewhere).
async function processStartMs(pid: number): Promise<number | undefined> {
  try {
    const [stat, uptime] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile('/proc/uptime', 'utf8'),
    ]);
    // Field 22 (starttime, clock ticks since boot); fields after the ")" of the command name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const upSeconds = Number(uptime.split(' ')[0]);
    if (!Number.isFinite(ticks) || !Number.isFinite(upSeconds)) return undefined;
    const bootMs = Date.now() - upSeconds * 1000;
    return bootMs + (ticks / CLOCK_TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

// USER_HZ: 100 on every Linux this runs on (the kernel ABI fixes it for /proc).
const CLOCK_TICKS_PER_SECOND = 100;

async function readHolder<R extends PidLockRecord>(
  spec: PidLockSpec<R>,
): Promise<{ text: string; holder: PidLockHolder<R> } | undefined> {
  const text = await readTextIfExists(spec.path);
  if (text === undefined) return undefined;
  return { text, holder: parseHolder(spec, text) };
}

function parseHolder<R extends PidLockRecord>(
  spec: PidLockSpec<R>,
  text: string,
): PidLockHolder<R> {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as R).pid === 'number') {
      return spec.parse(value as Partial<R>) ?? 'unreadable';
    }
  } catch {
    // fall through: locks are created with their content, so this is garbage (or a lock of
    // an older stagecraft caught between its create and its write: hence the settle time)
  }
  return 'unreadable';
}

/**
 * Removes a stale lock without ever removing a live one. Unlinking by name would race: a
 * second process may already have broken the stale lock and created its own. So the file is
 * first renamed aside (atomic), and only deleted if it still holds exactly the stale content
 * we judged; if it is a fresh lock, it is put back with link(), which never overwrites.
 */
async function breakStaleLock(path: string, staleText: string): Promise<void> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else broke it
    throw error;
  }
  const moved = await readTextIfExists(aside);
  if (moved === undefined) return;
  if (moved !== staleText) {
    try {
      await link(aside, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  await rm(aside, { force: true });
}

function heldLock<R extends PidLockRecord>(spec: PidLockSpec<R>, written: string): PidLock<R> {
  const { path } = spec;
  let record = spec.record;
  let text = written;
  let released = false;
  return {
    path,
    get record() {
      return record;
    },
    async rewrite(next) {
      const nextText = `${JSON.stringify(next, null, 2)}\n`;
      await writeFileAtomic(path, nextText);
      record = next;
      text = nextText;
    },
    async release() {
      if (released) return;
      released = true;
      // Only our own lock: after a take-over the file may belong to another process.
      if ((await readTextIfExists(path)) === text) await rm(path, { force: true });
    },
  };
}
