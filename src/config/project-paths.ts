import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the project's own files are, whether this module runs from `src/` (tsx, vitest) or from
 * the compiled CLI under `dist/cli/<fingerprint>/`. Paths computed from `import.meta.url` with a
 * fixed number of `../` break once bundled, so every module that needs a project file asks here.
 */

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isStagecraftManifest(manifest)) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`cannot find stagecraft's package.json above ${start}`);
    }
  }
}

function isStagecraftManifest(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'stagecraft';
  } catch {
    return false;
  }
}

/** The checkout's root folder (the one holding stagecraft's package.json). */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** The TypeScript sources (`src/`): the handler, the Lambda runtime and the watcher's root. */
export const SOURCE_DIR = join(PROJECT_ROOT, 'src');

/** A file under `src/`, e.g. `sourcePath('service/handler.ts')`. */
export function sourcePath(relative: string): string {
  return join(SOURCE_DIR, relative);
}
