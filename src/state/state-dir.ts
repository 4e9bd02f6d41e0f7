/**
 * Opening a state dir: create it private (0700), make every file in it 0600 and every folder
 * 0700 whatever the umask was when they were written (the DynamoDB data, the history and the
 * locks are nobody else's business, and code that prod runs must not be writable by others),
 * and remove the temp files that a killed writer left behind.
 */
import { chmod, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_MODE } from './atomic-file.ts';
import { processIsAlive } from './pid-lock.ts';

/** Mode of every folder in the state dir. */
export const DIR_MODE = 0o700;
export { FILE_MODE };

// Temp names carry their writer's pid, so a temp file of a live writer is never removed:
// `.name.<pid>.<hex>.tmp` (atomic-file), `name.<pid>.<hex>.stale` (pid-lock take-over),
// `.publish-<pid>-<hex>` (a version being published), `name.<pid>.<hex>.new` (a lock being created).
const LEFTOVER = [
  /\.(\d+)\.[0-9a-f]+\.tmp$/,
  /\.(\d+)\.[0-9a-f]+\.stale$/,
  /\.(\d+)\.[0-9a-f]+\.new$/,
  /^\.publish-(\d+)-[0-9a-f]+$/,
];

// Bounds of the walk: a state dir holds a few hundred files; a far bigger tree is not ours.
const MAX_DEPTH = 6;
const MAX_ENTRIES = 20_000;

/** What {@link openStateDir} did. */
export interface OpenedStateDir {
  /** Leftover temp files and folders removed. */
  readonly removed: readonly string[];
}

/** Creates the state dir if needed, fixes modes and removes leftovers of dead writers. */
export async function openStateDir(dir: string): Promise<OpenedStateDir> {
  await ensurePrivateDir(dir);
  const removed: string[] = [];
  let budget = MAX_ENTRIES;
  const walk = async (path: string, depth: number): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const name of names) {
      if (--budget < 0) return;
      const child = join(path, name);
      const info = await lstat(child).catch(() => undefined);
      if (info === undefined || info.isSymbolicLink()) continue;
      if (isDeadLeftover(name)) {
        await rm(child, { recursive: true, force: true });
        removed.push(child);
        continue;
      }
      const mode = info.isDirectory() ? DIR_MODE : FILE_MODE;
      if ((info.mode & 0o777) !== mode) await chmod(child, mode).catch(ignoreVanished);
      if (info.isDirectory() && depth < MAX_DEPTH) await walk(child, depth + 1);
    }
  };
  await walk(dir, 0);
  return { removed };
}

/** `mkdir -p` with mode 0700, and 0700 on the leaf even if it existed or the umask said otherwise. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
}

function isDeadLeftover(name: string): boolean {
  for (const pattern of LEFTOVER) {
    const match = pattern.exec(name);
    if (match !== null) return !processIsAlive(Number(match[1]));
  }
  return false;
}

function ignoreVanished(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
