// Summarises a V8 CPU profile (`node --cpu-prof`, see docs/local.md "Gateway performance"):
// the share of the thread's busy (non-idle) samples spent in each function itself, and
// including what it called. Usage:
//   node --import tsx bench/profile-summary.ts prof/CPU.<…>.001.cpuprofile [rows] [filter]
// `filter` keeps only the inclusive rows whose name or file contains it (e.g. `gateway`).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

const [file, rowsArg = '30', filter = ''] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: bench/profile-summary.ts FILE.cpuprofile [rows] [filter]\n');
  process.exit(2);
}
const rows = Number(rowsArg);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);

const name = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*\/(dist|src|node_modules)\//, '$1/');
  return `${functionName || '(anonymous)'} ${where}${lineNumber >= 0 ? `:${lineNumber + 1}` : ''}`;
};

const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let idle = 0;
for (const [id, count] of hits) {
  const node = byId.get(id);
  if (node === undefined) continue;
  if (node.callFrame.functionName === '(idle)') {
    idle += count;
    continue;
  }
  self.set(name(node), (self.get(name(node)) ?? 0) + count);
  // Each function once per stack, however often it recurses.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at);
    if (frame === undefined) break;
    const key = name(frame);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + count);
  }
}

const busy = profile.samples.length - idle;
const pct = (count: number) => `${((count / busy) * 100).toFixed(1).padStart(5)} %`;
const print = (title: string, table: Map<string, number>, keep: (key: string) => boolean) => {
  process.stdout.write(`${title}\n`);
  const sorted = [...table].filter(([key]) => keep(key)).sort((a, b) => b[1] - a[1]);
  for (const [key, count] of sorted.slice(0, rows)) process.stdout.write(`${pct(count)}  ${key}\n`);
};
process.stdout.write(
  `${profile.samples.length} samples, ${pct(idle).trim()} of them idle; shares below are of the ${busy} busy ones\n`,
);
print('self', self, () => true);
print('inclusive', inclusive, (key) => key !== '(root)' && key.includes(filter));
