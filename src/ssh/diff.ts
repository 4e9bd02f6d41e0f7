// A unified diff of two texts, for `--dry-run`. The block is the only part that changes, so the
// common prefix and suffix are cut first and Myers' algorithm runs on what is left; past a bound
// on the number of edits (a wholly different block) it falls back to "remove all, add all",
// which is still a correct diff, only a longer one.

/** How many unchanged lines surround each change, as in `diff -u`. */
const CONTEXT = 3;
/** Edits beyond which Myers' search stops: it costs O((N+M)·D) time and O(D²) memory. */
const MAX_EDITS = 1000;

interface Line {
  /** The line without its `\n` (a `\r` stays: the diff must reproduce CRLF files exactly). */
  readonly text: string;
  /** Whether this is the last line and the file does not end with a line break. */
  readonly noEol: boolean;
}

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: Line };

/** Labels for the two sides, as in the `---`/`+++` header lines. */
export interface DiffLabels {
  /** The old side, e.g. the file's path, or `/dev/null` when it does not exist yet. */
  readonly old: string;
  /** The new side. */
  readonly new: string;
}

/**
 * The unified diff turning `before` into `after`, or `''` when they are equal. Lines keep a
 * `\r` before their `\n`; a missing final line break is marked `\ No newline at end of file`.
 *
 * @param before the current text
 * @param after the text that would be written
 * @param labels names for the header lines
 */
export function unifiedDiff(before: string, after: string, labels: DiffLabels): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && same(a[prefix], b[prefix])) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    same(a[a.length - 1 - suffix], b[b.length - 1 - suffix])
  ) {
    suffix++;
  }
  const middleA = a.slice(prefix, a.length - suffix);
  const middleB = b.slice(prefix, b.length - suffix);
  const ops: Op[] = [
    ...a.slice(0, prefix).map((line) => ({ kind: ' ' as const, line })),
    ...(myers(middleA, middleB) ?? replaceAll(middleA, middleB)),
    ...a.slice(a.length - suffix).map((line) => ({ kind: ' ' as const, line })),
  ];
  return [`--- ${labels.old}`, `+++ ${labels.new}`, ...hunks(ops)].join('\n') + '\n';
}

function splitLines(text: string): Line[] {
  if (text === '') return [];
  const parts = text.split('\n');
  const endsWithBreak = parts[parts.length - 1] === '';
  if (endsWithBreak) parts.pop();
  return parts.map((part, index) => ({
    text: part,
    noEol: !endsWithBreak && index === parts.length - 1,
  }));
}

function same(x: Line | undefined, y: Line | undefined): boolean {
  return x !== undefined && y !== undefined && x.text === y.text && x.noEol === y.noEol;
}

function replaceAll(a: readonly Line[], b: readonly Line[]): Op[] {
  return [
    ...a.map((line) => ({ kind: '-' as const, line })),
    ...b.map((line) => ({ kind: '+' as const, line })),
  ];
}

/**
 * Myers' O(ND) shortest edit script; `undefined` when it needs more than MAX_EDITS edits.
 * `trace[d]` keeps the furthest x per diagonal k ∈ [-d-1, d+1] before round d, for backtracking.
 */
function myers(a: readonly Line[], b: readonly Line[]): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  // At least |n - m| lines must be added or removed: no point searching past the bound.
  if (Math.abs(n - m) > MAX_EDITS) return undefined;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  const at = (k: number) => v[offset + k] ?? 0;
  for (let d = 0; d <= Math.min(max, MAX_EDITS); d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? at(k + 1) : at(k - 1) + 1;
      let y = x - k;
      while (x < n && y < m && same(a[x], b[y])) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace);
    }
  }
  return undefined;
}

function backtrack(a: readonly Line[], b: readonly Line[], trace: Int32Array[]): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d] ?? new Int32Array(0);
    const at = (k: number) => v[k + d + 1] ?? 0;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: lineAt(a, --x) });
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: '+', line: lineAt(b, --y) });
      else ops.push({ kind: '-', line: lineAt(a, --x) });
    }
  }
  return ops.reverse();
}

/** Backtracking only visits indexes inside the inputs; anything else is a bug here. */
function lineAt(lines: readonly Line[], index: number): Line {
  const line = lines[index];
  if (line === undefined) throw new Error(`diff: line ${index} out of range`);
  return line;
}

/** Groups the edit script into `@@` hunks with CONTEXT unchanged lines around each change. */
function hunks(ops: readonly Op[]): string[] {
  const out: string[] = [];
  // Line numbers (0-based) in the old and new text at each op.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 0;
  let n = 0;
  for (const op of ops) {
    oldAt.push(o);
    newAt.push(n);
    if (op.kind !== '+') o++;
    if (op.kind !== '-') n++;
  }
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i]?.kind === ' ') i++;
    if (i === ops.length) break;
    const start = Math.max(0, i - CONTEXT);
    // Take in the next change when at most two contexts of unchanged lines separate it, as
    // `diff -u` does, so hunks never overlap.
    let end = i;
    let lastChange = i;
    while (end < ops.length && end - lastChange <= 2 * CONTEXT + 1) {
      if (ops[end]?.kind !== ' ') lastChange = end;
      end++;
    }
    const stop = Math.min(ops.length, lastChange + CONTEXT + 1);
    const slice = ops.slice(start, stop);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${range(oldAt[start] ?? 0, oldCount)} +${range(newAt[start] ?? 0, newCount)} @@`);
    for (const op of slice) {
      out.push(op.kind + op.line.text);
      if (op.line.noEol) out.push('\\ No newline at end of file');
    }
    i = stop;
  }
  return out;
}

/** `diff -u` style: 1-based start, count omitted when 1, start is the line before when empty. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}
