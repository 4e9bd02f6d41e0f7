// Cold start of the Lambda: the size of the handler bundle, and how long importing it takes in
// a fresh Node process, beside an empty module (the floor) and a reference handler doing the
// same GetItem with @aws-sdk/client-dynamodb (what the usual way costs). Every bundle is built
// by buildLambdaBundle, as for AWS. Processes run one at a time, the three kinds interleaved,
// so machine noise falls on all three alike; each child times only its own `import()`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { buildLambdaBundle } from '../src/build/bundle.ts';
import type { Benchmark } from './types.ts';

const run = promisify(execFile);

/** Fresh processes per module (the issue asks for at least 20). */
const RUNS = 25;
/** Targets: bundle ≤ 150 KB; init ≤ 3 × empty and ≤ 0.25 × the SDK reference. */
const MAX_BUNDLE_BYTES = 150 * 1024;

const SDK_REFERENCE = fileURLToPath(
  new URL('./fixtures/sdk-reference-handler.ts', import.meta.url),
);

// Runs in the child: the module URL comes through the environment, the time goes to stdout.
const CHILD = `const t0 = performance.now();
await import(process.env.COLD_START_MODULE);
process.stdout.write(String(performance.now() - t0));`;

async function importMs(moduleUrl: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: { PATH: process.env.PATH, COLD_START_MODULE: moduleUrl },
    timeout: 30_000,
  });
  const ms = Number(stdout);
  if (!Number.isFinite(ms)) throw new Error(`child printed ${JSON.stringify(stdout)}, not a time`);
  return ms;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The cold-start benchmark. */
export const coldStart: Benchmark = {
  name: 'cold_start',
  description: `handler bundle size; median import time over ${RUNS} fresh node processes vs an empty module and an @aws-sdk/client-dynamodb reference`,
  async run(log) {
    const dir = await mkdtemp(join(tmpdir(), 'stagecraft-cold-start-'));
    try {
      const handler = await buildLambdaBundle({ outDir: join(dir, 'handler') });
      const reference = await buildLambdaBundle({
        entry: SDK_REFERENCE,
        outDir: join(dir, 'reference'),
      });
      const empty = join(dir, 'empty.mjs');
      await writeFile(empty, '');
      if (handler.files === undefined || reference.files === undefined) {
        throw new Error('buildLambdaBundle wrote no files despite outDir');
      }
      log(
        `bundles: handler ${handler.code.byteLength} B, SDK reference ${reference.code.byteLength} B`,
      );
      const modules = {
        empty: pathToFileURL(empty).href,
        handler: pathToFileURL(handler.files.code).href,
        reference: pathToFileURL(reference.files.code).href,
      };
      const times: Record<keyof typeof modules, number[]> = {
        empty: [],
        handler: [],
        reference: [],
      };
      for (let i = 0; i < RUNS; i++) {
        for (const kind of ['empty', 'handler', 'reference'] as const) {
          times[kind].push(await importMs(modules[kind]));
        }
      }
      const result = {
        bundle_bytes: handler.code.byteLength,
        init_ms: round(median(times.handler)),
        empty_init_ms: round(median(times.empty)),
        sdk_reference_init_ms: round(median(times.reference)),
      };
      log(
        `targets: bundle ${result.bundle_bytes} ≤ ${MAX_BUNDLE_BYTES}; ` +
          `init/empty ${(result.init_ms / result.empty_init_ms).toFixed(2)} ≤ 3; ` +
          `init/sdk ${(result.init_ms / result.sdk_reference_init_ms).toFixed(3)} ≤ 0.25`,
      );
      return result;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
