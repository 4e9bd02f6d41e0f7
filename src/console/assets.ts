/**
 * The page's script and style sheet, served from the dev server itself (no CDN, no network).
 * The script is TypeScript (src/console/web/), bundled by esbuild on its first request and kept
 * in memory: `stagecraft dev` starts without loading esbuild, and a page costs one ~100 ms
 * bundle per dev server. The style sheet is a plain file.
 */
import { readFile } from 'node:fs/promises';
import { sourcePath } from '../config/project-paths.ts';

/** A served asset: its bytes and content type. */
export interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** Builds each asset once, on first use. */
export class ConsoleAssets {
  #script: Promise<Asset> | undefined;
  #style: Promise<Asset> | undefined;

  /** The browser script (one ES module, minified). */
  script(): Promise<Asset> {
    this.#script ??= bundleScript().catch((error: unknown) => {
      this.#script = undefined; // a failed build is retried on the next request
      throw error;
    });
    return this.#script;
  }

  /** The style sheet. */
  style(): Promise<Asset> {
    this.#style ??= readFile(sourcePath('console/web/console.css')).then(
      (body) => ({ body, contentType: 'text/css; charset=utf-8' }),
      (error: unknown) => {
        this.#style = undefined;
        throw error;
      },
    );
    return this.#style;
  }
}

async function bundleScript(): Promise<Asset> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [sourcePath('console/web/app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no console script');
  return { body: Buffer.from(file.contents), contentType: 'text/javascript; charset=utf-8' };
}
