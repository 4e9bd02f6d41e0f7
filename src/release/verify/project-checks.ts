import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ReleaseError } from '../../errors.ts';
import type { SourcedCheck } from './runner.ts';

/** The file names looked for, in order, at the project root. */
export const SMOKE_CONFIG_FILES = [
  'smoke.config.ts',
  'smoke.config.mts',
  'smoke.config.mjs',
  'smoke.config.js',
];

/**
 * Loads the project's own smoke checks from the first `smoke.config.{ts,mts,mjs,js}` in `dir`:
 * its default export (or a named export `checks`) must be an array of `{ name, run }`. No file
 * → no checks. A TypeScript file loads through tsx's loader, registered only for that import:
 * the compiled CLI runs plain JavaScript and must not pay for a TypeScript loader otherwise.
 */
export async function loadProjectChecks(dir: string): Promise<SourcedCheck[]> {
  const file = await firstExisting(SMOKE_CONFIG_FILES.map((name) => join(dir, name)));
  if (file === undefined) return [];
  let module: Record<string, unknown>;
  try {
    module = await importConfig(file);
  } catch (error) {
    // Outside a package with "type": "module", Node loads a .ts file as CommonJS, and the
    // TypeScript syntax then fails to parse: say how to get out of that.
    const hint =
      error instanceof SyntaxError && file.endsWith('.ts')
        ? ' (a .ts file is loaded as an ES module only in a package whose package.json has ' +
          '"type": "module"; elsewhere name it smoke.config.mts)'
        : '';
    throw new ReleaseError(
      'config.invalid',
      `${file} failed to load: ${error instanceof Error ? error.message : String(error)}${hint}`,
      { cause: error },
    );
  }
  const checks = module.default ?? module.checks;
  if (!Array.isArray(checks)) {
    throw new ReleaseError(
      'config.invalid',
      `${file} must export an array of checks as its default export, e.g. ` +
        "export default [{ name: 'lists users', async run(ctx) { … } }]",
    );
  }
  return checks.map((check: unknown, index) => {
    const candidate = check as { name?: unknown; run?: unknown } | null;
    if (
      typeof candidate?.name !== 'string' ||
      candidate.name === '' ||
      typeof candidate.run !== 'function'
    ) {
      throw new ReleaseError(
        'config.invalid',
        `${file}: check #${index + 1} must be an object { name: string, run(ctx): Promise<void> }`,
      );
    }
    return { check: candidate as SourcedCheck['check'], source: file };
  });
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    try {
      await access(path);
      return path;
    } catch {
      // not there: try the next name
    }
  }
  return undefined;
}

async function importConfig(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (!/\.[mc]?ts$/.test(file)) return (await import(url)) as Record<string, unknown>;
  const { register } = await import('tsx/esm/api');
  const unregister = register();
  try {
    return (await import(url)) as Record<string, unknown>;
  } finally {
    await unregister();
  }
}
