import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { sourcePath } from '../config/project-paths.ts';

/** The handler source the Lambda is built from. */
export const HANDLER_ENTRY = sourcePath('service/handler.ts');

import { BUNDLE_FILE, type LambdaBundle } from '../config/bundle-layout.ts';

export { BUNDLE_FILE, LAMBDA_HANDLER, type LambdaBundle } from '../config/bundle-layout.ts';

// Zip entries carry a timestamp; a fixed one makes the same code give the same bytes.
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');

/** Options for {@link buildLambdaBundle}. */
export interface BundleOptions {
  /**
   * The TypeScript module exporting `handler`.
   * @default HANDLER_ENTRY (src/service/handler.ts)
   */
  readonly entry?: string;
  /**
   * When set, `index.mjs` and `function.zip` are written there.
   * @default undefined (nothing written)
   */
  readonly outDir?: string;
}

/**
 * Bundles a handler with esbuild into one minified ESM file for Node 20+, and zips it
 * deterministically. The local stack runs `code`; AWS gets `zip`.
 */
export async function buildLambdaBundle(options: BundleOptions = {}): Promise<LambdaBundle> {
  const result = await build({
    entryPoints: [options.entry ?? HANDLER_ENTRY],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    // CommonJS dependencies call require() for Node built-ins, which ESM lacks.
    banner: {
      js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    },
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  const code = output.contents;
  const zip = zipSync({ [BUNDLE_FILE]: [code, { mtime: FIXED_MTIME, level: 9 }] });
  const codeSha256 = createHash('sha256').update(zip).digest('base64');
  if (options.outDir === undefined) return { code, zip, codeSha256 };
  await mkdir(options.outDir, { recursive: true });
  const files = {
    code: join(options.outDir, BUNDLE_FILE),
    zip: join(options.outDir, 'function.zip'),
  };
  await writeFile(files.code, code);
  await writeFile(files.zip, zip);
  return { code, zip, codeSha256, files };
}
