// The warm path through the local stack: `GET /prod/user/{id}` against `stagecraft dev` (API
// Gateway emulation, alias resolution, the handler in a worker thread, dynalite on LevelDB),
// 16 connections for 10 s with autocannon; beside the same handler bundle called in-process
// from a bare http.createServer (bench/gateway-direct.ts), in the same run. Each server is its
// own process with its own dynalite and its logs to /dev/null; the load comes from this one.
// Targets: rps ≥ 0.8 × direct_rps, p99 ≤ 1.5 × direct_p99.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Benchmark } from './types.ts';

const CONNECTIONS = 16;
const DURATION_S = 10;
const WARMUP_S = 2;
const USER_ID = 'benchuser01';
const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// Starts a server process, waits until it answers, seeds the user, measures, stops it.
async function measure(
  label: string,
  start: (port: number, stateDir: string) => ChildProcess,
  log: (line: string) => void,
): Promise<Measured> {
  const stateDir = await mkdtemp(join(tmpdir(), `stagecraft-bench-${label}-`));
  const port = await freePort();
  const child = start(port, stateDir);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${label} server exited:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`${label} server did not start:\n${stderr}`);
      try {
        await fetch(`${base}/prod/user/${USER_ID}`);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const seeded = await fetch(`${base}/prod/user/${USER_ID}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":"Bench User"}',
    });
    if (seeded.status !== 201) throw new Error(`${label}: seeding answered ${seeded.status}`);
    const url = `${base}/prod/user/${USER_ID}`;
    await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S });
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
    if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
      log(
        `${label}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
      );
    }
    const measured = {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
    };
    log(
      `${label}: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms`,
    );
    return measured;
  } finally {
    child.kill('SIGTERM');
    await exited;
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** The gateway benchmark. */
export const gateway: Benchmark = {
  name: 'gateway',
  description: `GET /prod/user/{id}: stagecraft dev vs the handler in a bare http server, ${CONNECTIONS} connections × ${DURATION_S} s`,
  async run(log) {
    const env = { ...process.env, NODE_NO_WARNINGS: '1' };
    const direct = await measure(
      'direct',
      (port, stateDir) =>
        spawn(
          process.execPath,
          ['--import', 'tsx', join(ROOT, 'bench/gateway-direct.ts'), String(port), stateDir],
          { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] },
        ),
      log,
    );
    const stack = await measure(
      'stagecraft dev',
      (port, stateDir) =>
        spawn(
          join(ROOT, 'bin/stagecraft'),
          ['dev', '--port', String(port), '--state-dir', stateDir, '--no-watch'],
          { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] },
        ),
      log,
    );
    log(
      `ratios: rps ${(stack.rps / direct.rps).toFixed(2)} (target ≥ 0.8), p99 ${(
        stack.p99 / direct.p99
      ).toFixed(2)} (target ≤ 1.5)`,
    );
    return {
      rps: Math.round(stack.rps),
      p50_ms: stack.p50,
      p99_ms: stack.p99,
      direct_rps: Math.round(direct.rps),
      direct_p99_ms: direct.p99,
    };
  },
};
