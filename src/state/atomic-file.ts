import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Mode of every file in the state dir, executables included (0600: owner read/write). */
export const FILE_MODE = 0o600;

/**
 * Writes a file so that readers see either the old or the new content, never a torn one, and
 * the new content survives a crash once this resolves: write a temp file beside it, fsync it,
 * rename it over the target, fsync the directory (the rename itself must reach the disk).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx', FILE_MODE);
    try {
      // The umask may have narrowed or widened nothing useful: state files are 0600, always.
      await handle.chmod(FILE_MODE);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

/** {@link writeFileAtomic} for a JSON value, pretty-printed so humans can read the state dir. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Appends one line and fsyncs it: an append-only log that a crash cannot lose once acknowledged. */
export async function appendLineDurable(path: string, line: string): Promise<void> {
  // O_APPEND keeps concurrent appenders (dev server, release CLI) from overwriting each other.
  const handle = await open(path, 'a', FILE_MODE);
  try {
    await handle.chmod(FILE_MODE);
    await handle.write(`${line}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a directory, so that entries created or renamed in it are durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Reads a state file as UTF-8; `undefined` when it does not exist (a state dir starts empty,
 * so absence is normal). Any other error is rethrown.
 */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
