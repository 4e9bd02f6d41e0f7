/**
 * Checks a handler module given to `stagecraft dev --handler FILE` before it is bundled into
 * `$LATEST`: the file exists, and the module exports `handler` (what Lambda calls, `index.handler`
 * in the bundle). Both problems are named up front instead of surfacing as a 502 on the first
 * request.
 */
import { stat } from 'node:fs/promises';
import { build } from 'esbuild';
import { LAMBDA_HANDLER } from '../config/bundle-layout.ts';
import { LocalStackError } from './errors.ts';

/** The export Lambda calls in a bundle (`index.handler` → `handler`). */
export const HANDLER_EXPORT = LAMBDA_HANDLER.slice(LAMBDA_HANDLER.indexOf('.') + 1);

/**
 * Resolves when `entry` is a file whose module exports `handler`.
 * @throws LocalStackError `local.handler-not-found` (no such file) or `local.handler-export`
 *   (no `handler` export); a module that does not build is left to the build, which names the
 *   error
 */
export async function checkHandlerModule(entry: string): Promise<void> {
  const isFile = await stat(entry).then(
    (info) => info.isFile(),
    () => false,
  );
  if (!isFile) {
    throw new LocalStackError(`handler module ${entry} does not exist (or is not a file)`, {
      code: 'local.handler-not-found',
    });
  }
  const problem = await handlerExportProblem(entry);
  if (problem !== undefined) {
    throw new LocalStackError(problem, { code: 'local.handler-export' });
  }
}

/**
 * Why `entry` cannot serve as the function (it has no `handler` export), or undefined when it
 * can or does not build (the build reports that).
 */
export async function handlerExportProblem(entry: string): Promise<string | undefined> {
  let exports: readonly string[];
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    exports = Object.values(result.metafile.outputs).flatMap((output) => output.exports);
  } catch {
    return undefined;
  }
  if (exports.includes(HANDLER_EXPORT)) return undefined;
  const found = exports.length === 0 ? 'none' : exports.join(', ');
  return `handler module ${entry} has no \`${HANDLER_EXPORT}\` export (its exports: ${found}); Lambda calls ${HANDLER_EXPORT}(event, context)`;
}
