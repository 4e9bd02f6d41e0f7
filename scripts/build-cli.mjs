// Compiles the CLI (src/cli/main.ts and everything it imports) to plain JavaScript under
// dist/cli/<fingerprint>/, so bin/stagecraft starts without a TypeScript loader. Run by
// `npm ci`/`npm install` (the `prepare` script) and again by bin/stagecraft whenever the sources
// changed since the last build. Commands stay lazily loaded: esbuild's code splitting keeps each
// `import()` a separate chunk, and npm packages stay external (resolved from node_modules).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliFingerprint } from './cli-fingerprint.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const CLI_DIST = join(ROOT, 'dist', 'cli');
// Builds kept besides the newest: a long-running `stagecraft dev` still loads its lazy chunks
// from the build it started with.
const KEEP_BUILDS = 3;

/** The compiled entry for the current sources, or undefined when it has not been built. */
export function compiledEntry(root = ROOT) {
  const entry = join(root, 'dist', 'cli', cliFingerprint(root), 'main.mjs');
  return existsSync(entry) ? entry : undefined;
}

/**
 * Builds the CLI for the current sources unless that build exists; resolves to its entry file.
 * Safe to run concurrently: each build writes a private folder and renames it into place.
 */
export async function buildCli() {
  const fingerprint = cliFingerprint(ROOT);
  const target = join(CLI_DIST, fingerprint);
  const entry = join(target, 'main.mjs');
  if (existsSync(entry)) return entry;
  const { build } = await import('esbuild');
  const temp = join(CLI_DIST, `.${fingerprint}.${process.pid}.${randomBytes(4).toString('hex')}`);
  mkdirSync(temp, { recursive: true });
  try {
    await build({
      entryPoints: { main: join(ROOT, 'src', 'cli', 'main.ts') },
      outdir: temp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'silent',
    });
    try {
      renameSync(temp, target);
    } catch (error) {
      // Another process finished the same build first: theirs is as good as ours.
      if (!existsSync(entry)) throw error;
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  prune(fingerprint);
  return entry;
}

function prune(current) {
  const builds = readdirSync(CLI_DIST)
    .filter((name) => name !== current && /^[0-9a-f]{16}$/.test(name))
    .map((name) => ({ name, mtime: statSync(join(CLI_DIST, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { name } of builds.slice(KEEP_BUILDS - 1)) {
    rmSync(join(CLI_DIST, name), { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  buildCli().then(
    (entry) =>
      console.log(
        `stagecraft: CLI compiled to ${entry.slice(ROOT.length + 1)} (${Date.now() - started} ms)`,
      ),
    (error) => {
      console.error(
        `stagecraft: could not compile the CLI (${error instanceof Error ? error.message : error}); bin/stagecraft will run the TypeScript sources`,
      );
    },
  );
}
