// Reading and writing the ssh config file. Writing is atomic: the new content goes to a temporary
// file in the same directory, is flushed to disk, then renamed over the old file, so a crash or a
// full disk leaves either the old file or the new one, never half of either.
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  open,
  readFile,
  readlink,
  rename,
  stat,
  unlink,
} from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SshConfigError } from './errors.ts';

/** The permissions of a config file we create: ssh refuses configs others can write. */
export const NEW_FILE_MODE = 0o600;
/** The permissions of a directory we create (`~/.ssh`): ssh wants it private. */
export const NEW_DIR_MODE = 0o700;
/** Symlink hops followed before giving up, as the kernel does (ELOOP). */
const MAX_SYMLINKS = 40;

/** The config file as found on disk. */
export interface ConfigFile {
  /** The path as given (absolute). */
  readonly path: string;
  /** Where the bytes live: `path` with symlinks followed; this is what gets replaced. */
  readonly target: string;
  /** The current content; `undefined` when the file does not exist yet. */
  readonly content: Buffer | undefined;
  /** The current file's status (mode, owner); `undefined` when it does not exist yet. */
  readonly stats: Stats | undefined;
}

/**
 * Reads the config file, following symlinks (also dangling ones: the file is then created where
 * the link points). A missing file is not an error.
 *
 * @param path absolute path of the config file
 */
export async function readConfigFile(path: string): Promise<ConfigFile> {
  const target = await followSymlinks(path);
  try {
    const content = await readFile(target);
    return { path, target, content, stats: await stat(target) };
  } catch (error) {
    if (errorCode(error) === 'ENOENT')
      return { path, target, content: undefined, stats: undefined };
    throw ioError(`cannot read ${describe(path, target)}`, error);
  }
}

/** Options for {@link writeConfigFile}. */
export interface WriteOptions {
  /**
   * Keep the current content as `PATH.bak` (written atomically too) before replacing the file.
   * @default false
   */
  readonly backup?: boolean;
}

/**
 * Replaces the config file atomically with `content`, keeping its mode (and owner, when allowed);
 * a new file gets mode 0600 and missing directories are created with mode 0700.
 *
 * @param file the file as read by {@link readConfigFile}
 * @param content the new content
 * @param options backup behaviour
 * @returns the backup's path, when one was written
 */
export async function writeConfigFile(
  file: ConfigFile,
  content: Buffer,
  options: WriteOptions = {},
): Promise<string | undefined> {
  const mode = file.stats === undefined ? NEW_FILE_MODE : file.stats.mode & 0o7777;
  let backupPath: string | undefined;
  try {
    if (file.content === undefined) await makeDirectory(dirname(file.target));
    if (options.backup === true && file.content !== undefined) {
      backupPath = `${file.path}.bak`;
      await writeAtomically(backupPath, file.content, mode, file.stats);
    }
    await writeAtomically(file.target, content, mode, file.stats);
  } catch (error) {
    if (error instanceof SshConfigError) throw error;
    throw ioError(`cannot write ${describe(file.path, file.target)}`, error);
  }
  return backupPath;
}

async function writeAtomically(
  path: string,
  content: Buffer,
  mode: number,
  owner: Stats | undefined,
): Promise<void> {
  const directory = dirname(path);
  // Same directory, so the rename never crosses file systems; random, so runs do not collide.
  const temporary = join(
    directory,
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(temporary, 'wx', mode);
  try {
    try {
      await handle.writeFile(content);
      await handle.chmod(mode); // open()'s mode is filtered by the umask; the old mode is not.
      if (owner !== undefined && process.getuid?.() === 0) {
        // Run as root on someone else's config (sudo): the new inode would otherwise be root's.
        await handle.chown(owner.uid, owner.gid);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  // Make the rename itself durable. Not every platform can fsync a directory; that is fine.
  const dir = await open(directory, 'r').catch(() => undefined);
  await dir?.sync().catch(() => undefined);
  await dir?.close();
}

/** Creates missing directories, each with mode 0700 regardless of the umask. */
async function makeDirectory(directory: string): Promise<void> {
  const first = await mkdir(directory, { recursive: true, mode: NEW_DIR_MODE });
  if (first === undefined) return;
  for (let d = directory; d.length >= first.length; d = dirname(d)) {
    await chmod(d, NEW_DIR_MODE);
    if (d === first) break;
  }
}

async function followSymlinks(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops <= MAX_SYMLINKS; hops++) {
    let info: Stats;
    try {
      info = await lstat(current);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return current;
      throw ioError(`cannot read ${describe(path, current)}`, error);
    }
    if (!info.isSymbolicLink()) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  throw new SshConfigError(
    'config.io',
    `cannot follow ${path}: more than ${MAX_SYMLINKS} symbolic links (a loop?)`,
  );
}

function describe(path: string, target: string): string {
  return path === target ? path : `${path} (→ ${target})`;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined;
}

function ioError(what: string, error: unknown): SshConfigError {
  const reason = error instanceof Error ? error.message : String(error);
  return new SshConfigError('config.io', `${what}: ${reason}`);
}
