/**
 * What a Lambda bundle looks like inside, apart from how it is built: the state dir and the CDK
 * stack need these names and the bundle's shape without loading esbuild and fflate
 * (src/build/bundle.ts).
 */

/** The file name inside the zip, and so the Lambda `Handler` is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';

/** The Lambda `Handler` setting for a bundle built here. */
export const LAMBDA_HANDLER = 'index.handler';

/** A built Lambda bundle: the code, its zip, and the zip's hash as Lambda reports it. */
export interface LambdaBundle {
  /** The bundled JavaScript (ESM). */
  readonly code: Uint8Array;
  /** A zip holding `index.mjs`; byte-identical for identical code. */
  readonly zip: Uint8Array;
  /** base64 SHA-256 of the zip: Lambda's `CodeSha256` for this code. */
  readonly codeSha256: string;
  /** Paths written, when `outDir` was given. */
  readonly files?: { readonly code: string; readonly zip: string };
}
