// cli: how fast bin/stagecraft starts, as a ratio to a bare `node -e 0` measured in the same
// run. Each round runs every command once, interleaved, so a busy moment of the machine costs
// them all alike; the figure is the median over the rounds. Targets (issue 12): `--help` ≤ 1.5×,
// `release status` ≤ 2.5×, `ssh-config --dry-run` on 10k instances ≤ 300 ms end to end.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeInstancesJson, INSTANCES } from './ssh-config.ts';
import type { Benchmark } from './types.ts';

const run = promisify(execFile);
const bin = new URL('../bin/stagecraft', import.meta.url).pathname;
const ROUNDS = 11;

/** Runs `stagecraft dev` until it is ready, then stops it: a state dir with version 1 in prod. */
async function seedStateDir(stateDir: string): Promise<void> {
  const child = spawn(bin, ['dev', '--state-dir', stateDir, '--port', '0', '--no-watch'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev did not start:\n${output}`)), 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready;')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`dev exited (${code}) before ready:\n${output}`)),
    );
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** The `cli` section of `npm run bench`. */
export const cli: Benchmark = {
  name: 'cli',
  description: `bin/stagecraft start-up against node -e 0, interleaved, median of ${ROUNDS}`,
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-cli-'));
    try {
      const stateDir = join(dir, 'state');
      const input = join(dir, 'instances.json');
      const config = join(dir, 'config');
      writeFileSync(input, describeInstancesJson(INSTANCES));
      writeFileSync(config, 'Host bastion\n  HostName 203.0.113.10\n');
      await seedStateDir(stateDir);
      const commands: Record<string, readonly [string, readonly string[]]> = {
        node: [process.execPath, ['-e', '0']],
        help: [bin, ['--help']],
        release_status: [bin, ['release', 'status', '--state-dir', stateDir]],
        ssh_config_dry_run: [
          bin,
          ['ssh-config', '--from-json', input, '--config', config, '--dry-run'],
        ],
      };
      const env = { ...process.env, HOME: dir };
      const time = async ([file, args]: readonly [string, readonly string[]]) => {
        const start = performance.now();
        await run(file, args, { env, maxBuffer: 64 * 1024 * 1024 });
        return performance.now() - start;
      };
      for (const command of Object.values(commands)) await time(command); // warm-up
      const times: Record<string, number[]> = {};
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, command] of Object.entries(commands)) {
          (times[name] ??= []).push(await time(command));
        }
      }
      const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
      log(
        Object.entries(ms)
          .map(([name, value]) => `${name} ${value.toFixed(0)} ms`)
          .join(', '),
      );
      const node = ms.node ?? NaN;
      const ratio = (name: string) => Number(((ms[name] ?? NaN) / node).toFixed(2));
      return {
        node_ms: Math.round(node),
        help_ms: Math.round(ms.help ?? NaN),
        help_ratio: ratio('help'),
        release_status_ms: Math.round(ms.release_status ?? NaN),
        release_status_ratio: ratio('release_status'),
        ssh_config_dry_run_ms: Math.round(ms.ssh_config_dry_run ?? NaN),
        ssh_config_dry_run_ratio: ratio('ssh_config_dry_run'),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
