// Issues 10 and 12: the prod alias flips many times, each time to a version that has not served
// yet (a new worker starts), while keep-alive clients and fresh connections hammer prod. No
// request may fail at the connection level or get a 5xx, and a request sent after a flip had
// finished (the release command returned) and before the next one began must run the version
// that flip set — the guarantee the alias resolver keeps without a `stat` per request.
import { request as httpRequest } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundle } from '../../src/build/bundle.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { eventually, startTestStack, tempDir } from './helpers.ts';

const VERSIONS = 6; // published besides version 1
const KEEP_ALIVE_CLIENTS = 3;
const FRESH_CLIENTS = 2;
const MAX_REQUESTS_PER_CLIENT = 5_000;
const DEADLINE_MS = 60_000;
const SERVED_PER_FLIP = 10;

let stack: Awaited<ReturnType<typeof startTestStack>>;
let sources: Awaited<ReturnType<typeof tempDir>>;

// Each version's code differs (so publishing creates a version) and names the code it is.
const handlerSource = (n: number) => `
export const handler = async (_event: unknown, context: { functionVersion: string }) => ({
  statusCode: 200,
  headers: { 'X-Served-By': context.functionVersion, 'X-Code': 'code-${n}' },
  body: 'code-${n}',
});
`;

beforeAll(async () => {
  sources = await tempDir('stagecraft-flip-');
  const entry = join(sources.dir, 'handler-0.ts');
  await writeFile(entry, handlerSource(0));
  stack = await startTestStack({ entry });
});
afterAll(async () => {
  await stack?.close();
  await sources?.remove();
});

interface Served {
  readonly sentAt: number;
  readonly status: number;
  readonly version: string;
}

// One GET on a new connection (no agent: nothing is reused).
function freshGet(url: string): Promise<{ status: number; version: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false, headers: { Connection: 'close' } }, (res) => {
      res.resume();
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, version: String(res.headers['x-served-by']) }),
      );
      res.once('error', reject);
    });
    req.once('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.end();
  });
}

async function keepAliveGet(url: string): Promise<{ status: number; version: string }> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return { status: response.status, version: response.headers.get('x-served-by') ?? '' };
}

describe('flipping the prod alias under load', () => {
  it('serves every request, with no 5xx, on the version the last finished flip set', async () => {
    // Publish the versions first, from another store instance, as the release CLI does.
    const other = await LocalFunctionStore.open(stack.stateDir);
    const published: string[] = [];
    for (let n = 1; n <= VERSIONS; n++) {
      const entry = join(sources.dir, `handler-${n}.ts`);
      await writeFile(entry, handlerSource(n));
      await other.setLatest(await buildLambdaBundle({ entry }));
      published.push((await other.publish(`flip ${n}`)).version.version);
    }
    expect(new Set(published).size).toBe(VERSIONS);

    const url = `${stack.url}/prod/user/abcdefgh`;
    const served: Served[] = [];
    const failures: string[] = [];
    let flipping = true;
    const deadline = Date.now() + DEADLINE_MS;
    const client = async (get: typeof freshGet) => {
      for (let i = 0; i < MAX_REQUESTS_PER_CLIENT && flipping && Date.now() < deadline; i++) {
        const sentAt = performance.now();
        try {
          served.push({ sentAt, ...(await get(url)) });
        } catch (error) {
          const cause = (error as Error & { cause?: Error }).cause;
          failures.push(`${(error as Error).message}${cause ? ` (${cause.message})` : ''}`);
        }
      }
    };
    const clients = [
      ...Array.from({ length: KEEP_ALIVE_CLIENTS }, () => client(keepAliveGet)),
      ...Array.from({ length: FRESH_CLIENTS }, () => client(freshGet)),
    ];

    // Each flip goes to a version that has not served yet; [start, end] of each flip recorded.
    const flips: { version: string; start: number; end: number }[] = [];
    try {
      for (const version of published) {
        const start = performance.now();
        await other.setAlias('prod', { version });
        const end = performance.now();
        flips.push({ version, start, end });
        // The next flip waits until a few requests sent after this one have been answered.
        await eventually(
          async () => served.filter((r) => r.sentAt > end).length >= SERVED_PER_FLIP,
          20_000,
        );
      }
    } finally {
      flipping = false;
      await Promise.all(clients);
    }

    expect(failures).toEqual([]);
    expect(served.filter((r) => r.status >= 500)).toEqual([]);
    // A request sent after flip k finished and before flip k+1 started runs flip k's version.
    for (const [k, flip] of flips.entries()) {
      const nextStart = flips[k + 1]?.start ?? Number.POSITIVE_INFINITY;
      const between = served.filter((r) => r.sentAt > flip.end && r.sentAt < nextStart);
      expect(between.length).toBeGreaterThan(0);
      expect(between.filter((r) => r.version !== flip.version)).toEqual([]);
    }
  }, 120_000);
});
