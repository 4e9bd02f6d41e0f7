// Measures how long `stagecraft dev --port 0` takes from spawn to the first answer of the user
// API (GET /prod/user/<id>, answered by the function), on a fresh state dir each run. Prints
// each run and the median. Usage: node scripts/measure-dev-start.mjs [runs=5] [checkout=this one]
/* global fetch */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = process.argv[3] ?? dirname(dirname(fileURLToPath(import.meta.url)));
const runs = Number(process.argv[2] ?? 5);

async function once() {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-start-'));
  const started = performance.now();
  const child = spawn(
    join(ROOT, 'bin/stagecraft'),
    ['dev', '--port', '0', '--no-watch', '--state-dir', join(dir, 'state')],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
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
          return performance.now() - started;
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

await once(); // warm-up: builds the CLI when the sources changed, fills the OS cache
const times = [];
for (let i = 0; i < runs; i++) times.push(await once());
times.sort((a, b) => a - b);
console.log(`runs (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`);
console.log(`median: ${times[Math.floor(times.length / 2)].toFixed(0)} ms`);
