// The warm path through the local stack against the same handler bundle called in-process from
// a bare http.createServer (bench/gateway-direct.ts), both servers running at once, measured in
// alternation (direct, stack, direct, stack, …) so a machine whose load drifts during the run
// weighs on both alike. Each server is its own process with its own dynalite and its logs to
// /dev/null; the load (autocannon) comes from this one. Every load loop is bounded: a fixed
// number of rounds of fixed duration.
//   gateway:        GET /prod/user/{id} of an existing user (a DynamoDB GetItem on dynalite).
//                   Targets: rps ≥ 0.8 × direct_rps, p99 ≤ 1.5 × direct_p99.
//   gateway_nodb:   GET /prod/user/{invalid id}: the handler answers 400 without DynamoDB, so
//                   the gateway's own per-request cost shows. Target: rps ≥ 0.6 × direct_rps.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Benchmark } from './types.ts';

const CONNECTIONS = 16;
const ROUNDS = 2;
const ROUND_S = 5;
const WARMUP_S = 2;
const USER_ID = 'benchuser01';
const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  /** CPU ms (all threads, user + system) the server spent per 1000 requests; NaN if unknown. */
  cpuMsPerK: number;
}

interface Running {
  readonly label: string;
  readonly base: string;
  /** CPU ms the server process has used so far, or undefined where /proc is not available. */
  cpuMs(): Promise<number | undefined>;
  stop(): Promise<void>;
}

// On a machine shared with other work, req/s says more about the scheduler than about the
// server: a two-thread server gets more CPU than a one-thread one. The CPU a server spends per
// request does not depend on how much it got, so it is measured too (Linux: /proc/PID/stat
// utime + stime, in clock ticks of 10 ms, summed over the process's threads).
async function processCpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
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

// Starts a server process, waits (at most 60 s) until it answers, seeds the user.
async function startServer(
  label: string,
  start: (port: number, stateDir: string) => ChildProcess,
): Promise<Running> {
  const stateDir = await mkdtemp(join(tmpdir(), `stagecraft-bench-${label.replace(/\W/g, '')}-`));
  const port = await freePort();
  const child = start(port, stateDir);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(stateDir, { recursive: true, force: true });
  };
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
    return { label, base, stop, cpuMs: () => processCpuMs(child.pid) };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function load(url: string, seconds: number) {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds });
}

// Warms both up, then ROUNDS × (direct, stack) of ROUND_S each; figures are the averages.
async function compare(
  path: string,
  expectedStatus: number,
  servers: readonly [Running, Running],
  log: (line: string) => void,
): Promise<[Measured, Measured]> {
  const totals = servers.map((): Measured => ({ rps: 0, p50: 0, p99: 0, cpuMsPerK: 0 }));
  for (const server of servers) await load(`${server.base}${path}`, WARMUP_S);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, server] of servers.entries()) {
      const cpuBefore = await server.cpuMs();
      const result = await load(`${server.base}${path}`, ROUND_S);
      const cpuAfter = await server.cpuMs();
      const unexpected = Object.entries(result.statusCodeStats ?? {}).filter(
        ([status]) => Number(status) !== expectedStatus,
      );
      if (unexpected.length > 0 || result.errors > 0 || result.timeouts > 0) {
        log(
          `${server.label}: unexpected statuses ${JSON.stringify(unexpected)}, ${result.errors} errors, ${result.timeouts} timeouts`,
        );
      }
      const total = totals[i];
      if (total === undefined) continue;
      total.rps += result.requests.average / ROUNDS;
      total.p50 += result.latency.p50 / ROUNDS;
      total.p99 += result.latency.p99 / ROUNDS;
      total.cpuMsPerK +=
        cpuBefore === undefined || cpuAfter === undefined
          ? NaN
          : (((cpuAfter - cpuBefore) / result.requests.total) * 1000) / ROUNDS;
    }
  }
  const [direct = totals[0], stack = totals[1]] = totals;
  if (direct === undefined || stack === undefined) throw new Error('two servers expected');
  for (const [label, m] of [
    [servers[0].label, direct],
    [servers[1].label, stack],
  ] as const) {
    log(
      `${label} ${path}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.cpuMsPerK.toFixed(0)} CPU ms per 1000 requests`,
    );
  }
  return [direct, stack];
}

function startBoth(): Promise<[Running, Running]> {
  const env = { ...process.env, NODE_NO_WARNINGS: '1' };
  return Promise.all([
    startServer('direct', (port, stateDir) =>
      spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'bench/gateway-direct.ts'), String(port), stateDir],
        { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    ),
    startServer('stagecraft dev', (port, stateDir) =>
      spawn(
        join(ROOT, 'bin/stagecraft'),
        ['dev', '--port', String(port), '--state-dir', stateDir, '--no-watch'],
        { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    ),
  ]);
}

function section(
  path: string,
  expectedStatus: number,
  targets: string,
  log: (line: string) => void,
): Promise<Record<string, number>> {
  return withServers(async (servers) => {
    const [direct, stack] = await compare(path, expectedStatus, servers, log);
    log(
      `ratios: rps ${(stack.rps / direct.rps).toFixed(2)}, p99 ${(stack.p99 / direct.p99).toFixed(2)} (${targets}); CPU per request ${(stack.cpuMsPerK / direct.cpuMsPerK).toFixed(2)}× the bare server's`,
    );
    return {
      rps: Math.round(stack.rps),
      p50_ms: stack.p50,
      p99_ms: stack.p99,
      direct_rps: Math.round(direct.rps),
      direct_p99_ms: direct.p99,
      rps_ratio: Math.round((stack.rps / direct.rps) * 100) / 100,
      cpu_ms_per_1k: Math.round(stack.cpuMsPerK),
      direct_cpu_ms_per_1k: Math.round(direct.cpuMsPerK),
      cpu_ratio: Math.round((stack.cpuMsPerK / direct.cpuMsPerK) * 100) / 100,
    };
  });
}

async function withServers<T>(body: (servers: [Running, Running]) => Promise<T>): Promise<T> {
  const servers = await startBoth();
  try {
    return await body(servers);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** The gateway benchmark on the DynamoDB path. */
export const gateway: Benchmark = {
  name: 'gateway',
  description: `GET /prod/user/{id} (DynamoDB GetItem): stagecraft dev vs the handler in a bare http server, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds × ${ROUND_S} s`,
  run: (log) => section(`/prod/user/${USER_ID}`, 200, 'targets: rps ≥ 0.8, p99 ≤ 1.5', log),
};

/** The gateway benchmark without DynamoDB: the gateway's own cost per request. */
export const gatewayNodb: Benchmark = {
  name: 'gateway_nodb',
  description: `GET /prod/user/{invalid id} (400, no DynamoDB): stagecraft dev vs the handler in a bare http server, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds × ${ROUND_S} s`,
  run: (log) => section('/prod/user/bad', 400, 'target: rps ≥ 0.6', log),
};
