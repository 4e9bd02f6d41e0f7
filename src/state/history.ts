import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { appendLineDurable, readTextIfExists } from './atomic-file.ts';
import type { HistoryEntry } from './function-store.ts';
import { ReleaseError } from '../errors.ts';

export type { HistoryEntry };

/** The kind of step a release command recorded, in the `action` field. */
export type ReleaseAction =
  'verify' | 'publish' | 'promote' | 'canary' | 'complete' | 'rollback' | 'abort';

/** The history file of a state dir. */
export function historyPathFor(stateDir: string): string {
  return join(stateDir, 'history.jsonl');
}

/**
 * Appends one entry as one line (O_APPEND, fsynced — the format and the writer the local
 * stack uses too). A crash leaves at worst a torn last line, which {@link readHistory} skips.
 */
export async function appendHistory(path: string, entry: HistoryEntry): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
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
    // Only the last line can be torn by a crash mid-append; anything else is damage.
    const isLast = lines.slice(index + 1).every((rest) => rest.trim() === '');
    if (isLast) continue;
    throw new ReleaseError(
      'state.corrupt',
      `${path} line ${index + 1} is not a history entry; the file is append-only JSON lines — ` +
        'repair or remove that line',
    );
  }
  return entries;
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
