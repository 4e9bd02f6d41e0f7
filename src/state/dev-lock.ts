/**
 * One `stagecraft dev` per state dir: `<state>/dev.lock` holds the owner's pid (and, once it
 * listens, its `url`, which the release CLI uses to find the running stack). LevelDB refuses
 * a second opener anyway, but only with an uncaught error deep inside dynalite; this says it
 * plainly. A lock left by a killed process (its pid is gone) is taken over.
 */
import { STATE_FILES, stateLayout } from './layout.ts';
import { readTextIfExists } from './atomic-file.ts';
import { ownerIsGone, type PidLockRecord, processIsAlive, tryAcquirePidLock } from './pid-lock.ts';
import { StagecraftError } from '../errors.ts';

/** The lock file's name in the state dir. */
export const DEV_LOCK_FILE = STATE_FILES.devLock;

/** A held lock. */
export interface StateLock {
  /** Adds facts about the running server (its `url`, read by `stagecraft release verify`). */
  describe(facts: Record<string, unknown>): Promise<void>;
  /** Removes the lock file. */
  release(): Promise<void>;
}

/** Why the dev lock could not be taken. */
export type StateDirInUseErrorCode =
  /** Another live `stagecraft dev` holds the state dir. */
  'state.in-use';

/** Thrown when another live process holds the state dir. */
export class StateDirInUseError extends StagecraftError<StateDirInUseErrorCode> {
  override readonly name = 'StateDirInUseError';

  /**
   * @param message what went wrong and what to do about it
   * @param options `code` (default `state.in-use`) and the underlying error
   */
  constructor(message: string, options?: { code?: StateDirInUseErrorCode; cause?: unknown }) {
    super(options?.code ?? 'state.in-use', message, options);
  }
}

type DevLockRecord = PidLockRecord & Record<string, unknown>;

/** Takes the state dir's dev lock, or fails with {@link StateDirInUseError}. */
export async function acquireStateLock(stateDir: string): Promise<StateLock> {
  const path = stateLayout(stateDir).devLock;
  const self: DevLockRecord = { pid: process.pid, started_at: new Date().toISOString() };
  const attempt = await tryAcquirePidLock<DevLockRecord>({
    path,
    record: self,
    parse: (value) => value as DevLockRecord,
    // Missing or half-written (after a second look) is stale, and so is our own pid: a lock
    // this very process left behind.
    isStale: async (holder) =>
      holder === 'unreadable' ||
      holder.pid === process.pid ||
      (await ownerIsGone(holder.pid, stringField(holder, 'started_at'))),
    attempts: 5,
    // A lock created a moment ago may not hold its pid yet: look twice before calling it stale.
    settleMs: 50,
  });
  switch (attempt.kind) {
    case 'held': {
      const { lock } = attempt;
      return {
        describe: (facts) => lock.rewrite({ ...self, ...facts }),
        release: () => lock.release(),
      };
    }
    case 'busy': {
      // Never 'unreadable' here: isStale takes those over.
      const pid = attempt.holder === 'unreadable' ? 'unknown' : attempt.holder.pid;
      throw new StateDirInUseError(
        `${stateDir} is in use by another \`stagecraft dev\` (pid ${pid}); stop it or use another --state-dir. ` +
          `If pid ${pid} is not a \`stagecraft dev\` (the lock outlived its process and the pid was reused), delete ${path}`,
      );
    }
    case 'contended':
      throw new StateDirInUseError(`could not take ${path}: it keeps reappearing`);
  }
}

/**
 * The base URL of the `stagecraft dev` running on `stateDir` (the `url` its dev.lock records),
 * or undefined when none runs: no lock, no url yet, or a lock whose process is gone.
 */
export async function runningDevUrl(stateDir: string): Promise<string | undefined> {
  let info: { url?: unknown; pid?: unknown };
  try {
    const text = await readTextIfExists(stateLayout(stateDir).devLock);
    if (text === undefined) return undefined;
    info = JSON.parse(text) as { url?: unknown; pid?: unknown };
  } catch {
    return undefined;
  }
  if (typeof info.url !== 'string' || !URL.canParse(info.url)) return undefined;
  if (typeof info.pid === 'number' && !processIsAlive(info.pid)) return undefined;
  return info.url;
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}
