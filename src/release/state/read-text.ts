import { readFile } from 'node:fs/promises';

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
