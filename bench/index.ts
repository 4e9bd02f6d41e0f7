// `npm run bench [-- --json] [-- --only name,name]`: runs every benchmark in one process, one
// after another, so ratios inside a section are measured side by side on the same machine state.
import { parseArgs } from 'node:util';
import type { Benchmark } from './types.ts';

// Each entry loads its benchmark only when it runs.
const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  contention: async () => (await import('./contention.ts')).contention,
  cold_start: async () => (await import('./cold-start.ts')).coldStart,
  ssh_config: async () => (await import('./ssh-config.ts')).sshConfig,
  gateway: async () => (await import('./gateway.ts')).gateway,
  gateway_nodb: async () => (await import('./gateway.ts')).gatewayNodb,
  cli: async () => (await import('./cli.ts')).cli,
};

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const selected = values.only?.split(',') ?? Object.keys(BENCHMARKS);
const unknown = selected.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`,
  );
  process.exit(2);
}

const report: Record<string, Record<string, number | string | boolean>> = {};
for (const name of selected) {
  const load = BENCHMARKS[name];
  if (load === undefined) continue;
  const bench = await load();
  const log = (line: string) => process.stderr.write(`[${name}] ${line}\n`);
  log(bench.description);
  report[name] = await bench.run(log);
  if (!values.json) {
    for (const [key, value] of Object.entries(report[name])) {
      process.stdout.write(`${name}.${key}: ${value}\n`);
    }
  }
}
if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
