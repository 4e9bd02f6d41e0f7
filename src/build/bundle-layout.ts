/**
 * What a Lambda bundle looks like inside, apart from how it is built: the state dir and the CDK
 * stack need these names without loading esbuild and fflate (src/build/bundle.ts).
 */

/** The file name inside the zip, and so the Lambda `Handler` is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';

/** The Lambda `Handler` setting for a bundle built here. */
export const LAMBDA_HANDLER = 'index.handler';
