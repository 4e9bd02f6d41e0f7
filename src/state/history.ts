/**
 * The release history, `<state>/history.jsonl`: one JSON object per line, appended (O_APPEND,
 * fsynced) and never rewritten. This module is its only reader and writer.
 *
 * The torn-line rule: only the last line can be torn (a crash mid-append, never
 * acknowledged), so a last line that is not an entry is skipped by readers and cut off by the
 * next append; a bad line anywhere else is damage ({@link StateFileDamagedError}).
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { appendLineDurable, readTextIfExists } from './atomic-file.ts';
import { StateFileDamagedError } from './errors.ts';
import { stateLayout } from './layout.ts';
import { DIR_MODE } from './state-dir.ts';

/** One line of `history.jsonl`: who changed what a stage serves, and when. */
export interface HistoryEntry {
  /** ISO-8601 UTC time of the change. */
  at: string;
  /** Who ran the command. */
  user: string;
  /** The command, e.g. `release promote`. */
  command: string;
  /** The stage whose alias changed, if any. */
  stage?: string;
  /** The version the stage served before. */
  from?: string;
  /** The version the stage serves after. */
  to?: string;
  /** The code hash involved. */
  code_sha256?: string;
  /** True when a safety check was overridden. */
  forced: boolean;
  [k: string]: unknown;
}

/** The kind of step a release command recorded, in the `action` field. */
export type ReleaseAction =
  | 'verify'
  | 'publish'
  | 'promote'
  | 'canary'
  | 'complete'
  | 'rollback'
  | 'abort'
  /** A `release rollout` event (`event`: start, resume, step, end); its alias moves are
   * recorded as `canary`, `complete` and `abort` entries besides. */
  | 'rollout';

/** The history file of a state dir. */
export function historyPathFor(stateDir: string): string {
  return stateLayout(stateDir).history;
}

/**
 * Appends one entry as one line, durable once this resolves. A torn last line left by a
 * crash is cut off first, so that it cannot swallow this entry.
 */
export async function appendHistory(path: string, entry: HistoryEntry): Promise<void> {
  const problem = entryProblem(entry);
  if (problem !== undefined) throw new TypeError(`invalid history entry: ${problem}`);
  await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
  await cutTornTail(path);
  await appendLineDurable(path, JSON.stringify(entry));
}

/** Every entry, oldest first; an empty list when there is no history yet. */
export async function readHistory(path: string): Promise<HistoryEntry[]> {
  const text = await readTextIfExists(path);
  if (text === undefined) return [];
  const lines = text.split('\n');
  const entries: HistoryEntry[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const entry = parseLine(line);
    if (entry !== undefined) {
      entries.push(entry);
      continue;
    }
    if (isLastLine(lines, index)) continue;
    throw new StateFileDamagedError(
      path,
      `line ${index + 1} is not a history entry`,
      'the file is append-only JSON lines: repair or remove that line',
    );
  }
  return entries;
}

/** True when `entry` (compared field by field) is one of the last `depth` entries. */
export async function historyEndsWith(
  path: string,
  entry: HistoryEntry,
  depth = 5,
): Promise<boolean> {
  const wanted = JSON.stringify(entry);
  const entries = await readHistory(path);
  return entries.slice(-depth).some((e) => JSON.stringify(e) === wanted);
}

function isLastLine(lines: readonly string[], index: number): boolean {
  return lines.slice(index + 1).every((rest) => rest.trim() === '');
}

async function cutTornTail(path: string): Promise<void> {
  const text = await readTextIfExists(path);
  if (text === undefined || text === '') return;
  const body = text.trimEnd();
  const start = body.lastIndexOf('\n') + 1;
  const last = body.slice(start);
  if (parseLine(last) !== undefined) {
    if (text.endsWith('\n')) return;
    // A complete entry whose newline was lost: keep it, end the line.
    await appendLineDurable(path, '');
    return;
  }
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(Buffer.byteLength(body.slice(0, start)));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function parseLine(line: string): HistoryEntry | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entry = value as Partial<HistoryEntry>;
    if (typeof entry.at !== 'string' || typeof entry.command !== 'string') return undefined;
    return {
      ...entry,
      user: String(entry.user ?? ''),
      forced: entry.forced === true,
    } as HistoryEntry;
  } catch {
    return undefined;
  }
}

function entryProblem(entry: HistoryEntry): string | undefined {
  if (typeof entry !== 'object' || entry === null) return 'must be an object';
  for (const field of ['at', 'command'] as const) {
    if (typeof entry[field] !== 'string' || entry[field] === '') return `${field} must be a string`;
  }
  if (typeof entry.user !== 'string') return 'user must be a string';
  if (Number.isNaN(Date.parse(entry.at))) return 'at must be an ISO-8601 time';
  if (typeof entry.forced !== 'boolean') return 'forced must be a boolean';
  return undefined;
}
