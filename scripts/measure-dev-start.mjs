// Measures how long `stagecraft dev --port 0` takes from spawn to the first answer of the user
// API (GET /prod/user/<id>, answered by the function: it carries X-Function-Version), on a
// fresh state dir each run: wall time and the process's CPU time (user + system, from
// /proc/<pid>/stat; less disturbed by other load on the machine). With several checkouts
// (comma-separated) the runs alternate between them, so load drifts hit all alike.
// Usage: node scripts/measure-dev-start.mjs [runs=5] [checkout[,checkout…]=this one]
/* global fetch */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 5);
const roots = (process.argv[3] ?? dirname(dirname(fileURLToPath(import.meta.url)))).split(',');
const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
  } catch {
    return NaN;
  }
}

async function once(root) {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-start-'));
  const started = performance.now();
  const child = spawn(
    join(root, 'bin/stagecraft'),
    ['dev', '--port', '0', '--no-watch', '--state-dir', join(dir, 'state')],
    { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  try {
    for (let tries = 0; tries < 3000; tries++) {
      const port = /http:\/\/127\.0\.0\.1:(\d+)\/prod\//.exec(out)?.[1];
      if (port !== undefined) {
        const answer = await fetch(`http://127.0.0.1:${port}/prod/user/start0001`).catch(
          () => undefined,
        );
        if (answer !== undefined && answer.headers.has('x-function-version')) {
          return { wall: performance.now() - started, cpu: cpuMs(child.pid) };
        }
      }
      await sleep(5);
    }
    throw new Error('no answer');
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const results = new Map(roots.map((root) => [root, []]));
for (const root of roots) await once(root); // warm-up: builds the CLI, fills the OS cache
for (let i = 0; i < runs; i++) {
  for (const root of roots) results.get(root).push(await once(root));
}
for (const [root, times] of results) {
  const wall = times.map((t) => t.wall);
  const cpu = times.map((t) => t.cpu);
  console.log(`${root}`);
  console.log(
    `  wall (ms): ${wall.map((t) => t.toFixed(0)).join(', ')}; median ${median(wall).toFixed(0)}`,
  );
  console.log(`  cpu  (ms): ${cpu.join(', ')}; median ${median(cpu)}`);
}
