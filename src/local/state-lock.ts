/**
 * One `stagecraft dev` per state dir: `<state>/dev.lock` holds the owner's pid (and, once it
 * listens, its `url`, which the release CLI uses to find the running stack). LevelDB refuses
 * a second opener anyway, but only with an uncaught error deep inside dynalite; this says it
 * plainly. A lock left by a killed process (its pid is gone) is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from './atomic-file.ts';

/** The lock file's name in the state dir. */
export const DEV_LOCK_FILE = 'dev.lock';

/** A held lock. */
export interface StateLock {
  /** Adds facts about the running server (its `url`, read by `stagecraft release verify`). */
  describe(facts: Record<string, unknown>): Promise<void>;
  /** Removes the lock file. */
  release(): Promise<void>;
}

/** Thrown when another live process holds the state dir. */
export class StateDirInUseError extends Error {
  override readonly name = 'StateDirInUseError';
}

/** Takes the state dir's dev lock, or fails with {@link StateDirInUseError}. */
export async function acquireStateLock(stateDir: string): Promise<StateLock> {
  const path = join(stateDir, DEV_LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    const self = { pid: process.pid, started_at: new Date().toISOString() };
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${JSON.stringify(self)}\n`);
      } finally {
        await handle.close();
      }
      return {
        // Replaced by rename: the lock file never goes missing while held.
        describe: (facts) => writeJsonAtomic(path, { ...self, ...facts }),
        release: () => rm(path, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A lock created a moment ago may not hold its pid yet: look twice before calling it stale.
    const owner =
      (await readOwner(path)) ??
      (await new Promise((resolve) => setTimeout(resolve, 50)).then(() => readOwner(path)));
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      throw new StateDirInUseError(
        `${stateDir} is in use by another \`stagecraft dev\` (pid ${owner}); stop it or use another --state-dir`,
      );
    }
    await rm(path, { force: true }); // stale: its owner is gone
  }
  throw new StateDirInUseError(`could not take ${path}: it keeps reappearing`);
}

async function readOwner(path: string): Promise<number | undefined> {
  try {
    const { pid } = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown };
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined; // missing or half-written: treat as stale
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
