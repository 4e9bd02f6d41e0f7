// A bounded fuzz run against `stagecraft dev` with the real handler: ≥ 10,000 generated hostile
// requests (random methods, paths, percent-encodings, headers; huge, binary, deeply nested and
// malformed JSON bodies) plus raw-socket garbage. No 5xx, no crash, server memory flat.
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRequest, rawGarbage } from './fuzz-requests.ts';
import type { FuzzRequest } from './fuzz-requests.ts';
import { spawnDev, tempDir } from './helpers.ts';
import type { DevProcess } from './helpers.ts';

const SEED = Number(process.env.STAGECRAFT_FUZZ_SEED ?? 20_161_126);
const REQUESTS = Number(process.env.STAGECRAFT_FUZZ_REQUESTS ?? 20_000);
// Heaps and JIT settle over the first few thousand requests; memory is judged after that.
const WARMUP = 5_000;
const RAW = 400;
const CONCURRENCY = 16;
const TIME_LIMIT_MS = 90_000;

let temp: Awaited<ReturnType<typeof tempDir>>;
let dev: DevProcess;

beforeAll(async () => {
  temp = await tempDir();
  dev = await spawnDev(['--state-dir', join(temp.dir, 'state'), '--no-watch']);
});
afterAll(async () => {
  await dev.stop();
  await temp.remove();
});

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(url: string, r: FuzzRequest): Promise<number | 'reset'> {
  return new Promise((resolve) => {
    const req = request(
      `${url}${r.path}`,
      { method: r.method, headers: r.headers, agent, timeout: 30_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve('reset'));
      },
    );
    req.on('error', () => resolve('reset'));
    req.on('timeout', () => req.destroy());
    req.end(r.body);
  });
}

// Status of the first response on a raw connection, or 'closed' if the server just hung up.
function sendRaw(port: number, bytes: Buffer): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const finish = () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1];
      resolve(status === undefined ? 'closed' : Number(status));
      socket.destroy();
    };
    socket.setTimeout(2000, finish);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      if (/\r\n\r\n/.test(data)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.end(bytes);
  });
}

describe('fuzz', () => {
  it(`answers ${WARMUP} + ${REQUESTS} hostile requests without a 5xx, a crash or a memory climb`, async () => {
    const started = Date.now();
    const pid = dev.child.pid ?? 0;
    const statuses = new Map<number | string, number>();
    const serverErrors: string[] = [];
    const resets: string[] = [];
    const rss: number[] = [];
    let next = 0;

    const worker = async () => {
      while (next < WARMUP + REQUESTS && Date.now() - started < TIME_LIMIT_MS) {
        const index = next++;
        const r = fuzzRequest(SEED, index);
        const status = await send(dev.url, r);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const where = `seed ${SEED} #${index}: ${r.method} ${r.path.slice(0, 120)} (${r.body?.length ?? 0} bytes)`;
        if (status === 'reset') resets.push(where);
        else if (status >= 500) serverErrors.push(`${status} ${where}`);
        if (index >= WARMUP && index % 500 === 499) rss.push(await rssMb(pid));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);

    const raw = new Map<number | string, number>();
    for (let i = 0; i < RAW; i++) {
      const status = await sendRaw(new URL(dev.url).port as unknown as number, rawGarbage(SEED, i));
      raw.set(status, (raw.get(status) ?? 0) + 1);
      if (typeof status === 'number' && status >= 500) serverErrors.push(`raw #${i}: ${status}`);
    }
    rss.push(await rssMb(pid));
    const elapsed = Date.now() - started;
    console.log(
      `fuzz: ${sent} requests + ${RAW} raw in ${elapsed} ms; statuses ${JSON.stringify(
        Object.fromEntries(statuses),
      )}; raw ${JSON.stringify(Object.fromEntries(raw))}; RSS MB ${rss.map((m) => m.toFixed(0)).join(' ')}`,
    );

    expect(sent).toBeGreaterThanOrEqual(WARMUP + REQUESTS);
    expect(serverErrors).toEqual([]);
    // The server never drops a well-formed request on the floor.
    expect(resets).toEqual([]);
    // Still alive and serving.
    expect(dev.child.exitCode).toBeNull();
    const health = await fetch(`${dev.url}/prod/user/healthcheck01`);
    expect(health.status).toBe(404);
    // Memory: megabyte bodies make the RSS swing by ~100 MB as the heaps grow and collect, so
    // compare the medians of the first and second half of the samples. The two medians stand
    // 10,000 requests apart: retaining 6 KB per request moves the second half up by 60 MB, while
    // the bounded swing moved it by up to 45 MB in CI runs of a leak-free build (RSS samples in
    // the log line above; with 10,000 measured requests and a 40 MB bound it tripped twice).
    const half = Math.floor(rss.length / 2);
    const growth = median(rss.slice(half)) - median(rss.slice(0, half));
    expect(growth).toBeLessThan(60);
    expect(Math.max(...rss)).toBeLessThan(800);
  }, 150_000);
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
