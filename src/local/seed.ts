/**
 * Getting the function ready at start-up: build `$LATEST` from the sources, and on a fresh
 * state dir do the first deployment once — publish version 1, point `staging` at `$LATEST` and
 * `prod` at version 1, and record it in the release history.
 */
import { userInfo } from 'node:os';
import { buildLambdaBundle } from '../build/bundle.ts';
import { LATEST, type Stage } from '../config/stages.ts';
import { isStagecraftError } from '../errors.ts';
import { formatRouting } from '../platform/alias.ts';
import { settleAliasMove } from '../state/alias-move.ts';
import { readApiStage } from '../state/api-deployments.ts';
import { acquireLock, lockPathFor } from '../state/release-lock.ts';
import { LocalStackError } from './errors.ts';
import type { LocalFunctionStore, VersionRecord } from '../state/function-store.ts';
import { appendHistory, type HistoryEntry, historyPathFor, readHistory } from '../state/history.ts';

/** Marks the history entries of the first deployment, so a retried start adds none. */
const FIRST_START = 'first_start';
/** The description of the version the first start publishes. */
const FIRST_DESCRIPTION = 'first deployment (stagecraft dev)';

/**
 * Builds `entry` into `$LATEST`. A build error is fatal only when there is no earlier build to
 * fall back on; otherwise the previous `$LATEST` keeps serving and the error is logged.
 */
export async function buildLatest(
  store: LocalFunctionStore,
  entry: string,
  log: (line: string) => void,
): Promise<{ code_sha256: string; changed: boolean }> {
  const started = Date.now();
  try {
    const bundle = await buildLambdaBundle({ entry });
    const result = await store.setLatest(bundle);
    if (result.changed) {
      log(`built $LATEST from ${entry} in ${Date.now() - started} ms (${result.code_sha256})`);
    }
    return result;
  } catch (error) {
    const previous = await store.latest();
    const message = (error as Error).message;
    if (previous === undefined) {
      throw new LocalStackError(`cannot build the function from ${entry}:\n${message}`, {
        cause: error,
      });
    }
    log(`build failed, still serving the previous $LATEST (${previous.code_sha256}):\n${message}`);
    return { code_sha256: previous.code_sha256, changed: false };
  }
}

/**
 * The seed's first deployment, on a state dir that was never set up: publish `$LATEST` as
 * version 1 (or reuse it after an interrupted first start) and point the aliases. Resolves to
 * true when it did so, false when the aliases already existed. A state dir that has versions
 * but no (readable) aliases file is damage, not a first start: that error names the file.
 */
export async function firstDeployment(
  store: LocalFunctionStore,
  log: (line: string) => void,
): Promise<boolean> {
  if (await store.hasAliasesFile()) {
    await store.getAliases(); // checks it: a damaged file stops the start, naming itself
    return false;
  }
  const historyPath = historyPathFor(store.stateDir);
  const history = await readHistory(historyPath);
  const resumed = await interruptedFirstStart(store, history);
  if (resumed === undefined && (await store.versionNumbers()).length > 0) {
    await store.readAliases(); // throws: versions without aliases
  }
  const version = resumed ?? (await store.publish(FIRST_DESCRIPTION)).version;
  // History first, aliases last: aliases.json is what marks the deployment as done, and a
  // retry after a crash between the two finds the entries and does not add them again.
  if (!history.some((entry) => entry[FIRST_START] === true)) {
    const common = {
      at: new Date().toISOString(),
      user: currentUser(),
      command: 'dev',
      forced: false,
    };
    await appendHistory(historyPath, {
      ...common,
      stage: 'staging',
      to: LATEST,
      [FIRST_START]: true,
    });
    await appendHistory(historyPath, {
      ...common,
      stage: 'prod',
      to: version.version,
      code_sha256: version.code_sha256,
      [FIRST_START]: true,
    });
  }
  await store.setAliases({ staging: { version: LATEST }, prod: { version: version.version } });
  log(
    `first start: published version ${version.version}; staging → $LATEST, prod → ${version.version}`,
  );
  return true;
}

// A first start killed after publishing version 1 and before writing the aliases leaves exactly
// that version and nothing but first-start history: resume it with that version.
async function interruptedFirstStart(
  store: LocalFunctionStore,
  history: readonly HistoryEntry[],
): Promise<VersionRecord | undefined> {
  const numbers = await store.versionNumbers();
  if (numbers.length !== 1 || numbers[0] !== 1) return undefined;
  if (!history.every((entry) => entry[FIRST_START] === true)) return undefined;
  const version = await store.getVersion('1');
  return version?.description === FIRST_DESCRIPTION ? version : undefined;
}

/**
 * Settles an alias move that a killed release command left journalled (see
 * `state/alias-move.ts`), under the release lock so no release command runs meanwhile. If a
 * release command holds the lock right now, it settles the journal itself.
 */
export async function settleInterruptedMove(
  store: LocalFunctionStore,
  log: (line: string) => void,
): Promise<void> {
  let lock;
  try {
    lock = await acquireLock(lockPathFor(store.stateDir), { command: 'dev (start-up check)' });
  } catch (error) {
    if (isStagecraftError(error, 'lock.busy')) return;
    throw error;
  }
  try {
    await settleAliasMove(store.stateDir, {
      target: 'local',
      functionName: store.functionName,
      currentRouting: async (stage) => {
        const aliases = await store.getAliases();
        return formatRouting(aliases[stage as Stage], 'compact');
      },
      currentApiDeployment: async (stage) => (await readApiStage(store.stateDir, stage)) ?? '',
      report: log,
    });
  } finally {
    await lock.release();
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
