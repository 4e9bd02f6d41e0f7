/**
 * An alias move and its history entry as one step. Two files cannot change atomically, so the
 * move is journalled: before the alias moves, `<state>/alias-move.json` records the intent
 * (stage, routing before and after, and the exact history entry to append); once the entry is
 * appended the journal is removed. A process killed anywhere in between leaves the journal,
 * and the next command holding the release lock settles it against the alias as it really is:
 *
 * - alias at the intended routing → the move happened: append the entry (unless it already
 *   is the history's) — "completed";
 * - alias still at the routing before → the move never happened: drop the intent — "undone";
 * - anything else → someone else moved the alias since: drop the intent, record nothing.
 *
 * A state dir written before this journal existed simply has no journal: nothing to settle.
 *
 * The same journal covers a move of a stage's API deployment (`subject: 'api'`; `from`/`to`
 * are deployment ids, compared with the stage's deployment as it is). A journal without a
 * subject is an alias move, as every journal written before API deployments existed.
 */
import { rm } from 'node:fs/promises';
import { readTextIfExists, syncDirectory, writeJsonAtomic } from './atomic-file.ts';
import { StateFileDamagedError } from './errors.ts';
import { appendHistory, historyEndsWith, type HistoryEntry } from './history.ts';
import { stateLayout } from './layout.ts';

/** The journal of one alias move in flight. */
export interface AliasMoveIntent {
  /** The stage whose alias moves. */
  readonly stage: string;
  /** What moves: the alias (absent, the original meaning) or the stage's API deployment. */
  readonly subject?: 'api';
  /** `local` or `aws`: where the alias lives. */
  readonly target: string;
  /** The function whose alias moves. */
  readonly function: string;
  /** The routing before, formatted (`1`, `1+2@10%`). */
  readonly from: string;
  /** The routing after, formatted. */
  readonly to: string;
  /** The history entry that records the move. */
  readonly entry: HistoryEntry;
}

/** What settling a left-over journal found. */
export type SettleOutcome = 'completed' | 'undone' | 'superseded';

/** Where the alias and history are, for {@link settleAliasMove}. */
export interface SettleScope {
  /** The target this command works on; a journal of another target is left for it. */
  readonly target: string;
  /** The function this command works on. */
  readonly functionName: string;
  /** The stage's alias routing now, formatted like the intent's `from`/`to`. */
  readonly currentRouting: (stage: string) => Promise<string>;
  /**
   * The stage's API deployment id now; without it a journalled API move is left for a
   * command that can read it.
   */
  readonly currentApiDeployment?: (stage: string) => Promise<string>;
  /** Told what was settled, in words (the caller prints it on stderr). */
  readonly report: (line: string) => void;
}

/** Records the intent, durably, before the alias is moved. */
export async function beginAliasMove(stateDir: string, intent: AliasMoveIntent): Promise<void> {
  await writeJsonAtomic(stateLayout(stateDir).aliasMove, intent);
}

/** After the alias moved: appends the entry, then drops the journal. */
export async function finishAliasMove(stateDir: string, entry: HistoryEntry): Promise<void> {
  const layout = stateLayout(stateDir);
  await appendHistory(layout.history, entry);
  await dropJournal(stateDir);
}

/** Drops the journal (the move is known not to have happened). */
export async function dropJournal(stateDir: string): Promise<void> {
  await rm(stateLayout(stateDir).aliasMove, { force: true });
  await syncDirectory(stateDir);
}

/** The journal left by an interrupted move, if any. */
export async function readAliasMove(stateDir: string): Promise<AliasMoveIntent | undefined> {
  const path = stateLayout(stateDir).aliasMove;
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let value: Partial<AliasMoveIntent> | null = null;
  try {
    value = JSON.parse(text) as Partial<AliasMoveIntent> | null;
  } catch {
    // handled below: written by rename, so unreadable means damaged by something else
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.stage !== 'string' ||
    typeof value.target !== 'string' ||
    typeof value.function !== 'string' ||
    typeof value.from !== 'string' ||
    typeof value.to !== 'string' ||
    (value.subject !== undefined && value.subject !== 'api') ||
    typeof value.entry !== 'object' ||
    value.entry === null
  ) {
    throw new StateFileDamagedError(
      path,
      'is not an alias-move record',
      'it records an alias move that was interrupted: compare `stagecraft release status` ' +
        'with `stagecraft release history`, append a missing entry by hand if prod moved, ' +
        'then delete the file',
    );
  }
  return value as AliasMoveIntent;
}

/**
 * Settles a journal left by an interrupted move (see the module comment). Call it holding
 * the release lock, before reading history or moving an alias.
 */
export async function settleAliasMove(
  stateDir: string,
  scope: SettleScope,
): Promise<SettleOutcome | undefined> {
  const intent = await readAliasMove(stateDir);
  if (intent === undefined) return undefined;
  const moved = intent.subject === 'api' ? `${intent.stage} API` : intent.stage;
  const what = `an interrupted \`${intent.entry.command}\` (${moved} ${intent.from} → ${intent.to})`;
  if (intent.target !== scope.target || intent.function !== scope.functionName) {
    scope.report(
      `${what} on ${intent.target} (${intent.function}) is not settled yet; ` +
        `run a release command with --target ${intent.target} to settle it`,
    );
    return undefined;
  }
  let current: string;
  if (intent.subject === 'api') {
    if (scope.currentApiDeployment === undefined) {
      scope.report(`${what} is not settled yet; run a release command to settle it`);
      return undefined;
    }
    current = await scope.currentApiDeployment(intent.stage);
  } else {
    current = await scope.currentRouting(intent.stage);
  }
  const history = stateLayout(stateDir).history;
  if (current === intent.to) {
    if (!(await historyEndsWith(history, intent.entry))) await appendHistory(history, intent.entry);
    await dropJournal(stateDir);
    scope.report(`completed ${what}: the move had happened; its history entry is now recorded`);
    return 'completed';
  }
  await dropJournal(stateDir);
  if (current === intent.from) {
    scope.report(`undid ${what}: it never moved (still ${current}); nothing recorded`);
    return 'undone';
  }
  scope.report(
    `dropped ${what}: it is now ${current}, moved by something else since; history unchanged`,
  );
  return 'superseded';
}
