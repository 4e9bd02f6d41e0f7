/**
 * Getting the function ready at start-up: build `$LATEST` from the sources, and on a fresh
 * state dir do the first deployment once — publish version 1, point `staging` at `$LATEST` and
 * `prod` at version 1, and record it in the release history.
 */
import { userInfo } from 'node:os';
import { buildLambdaBundle } from '../build/bundle.ts';
import { LATEST } from '../config/stages.ts';
import { LocalStackError } from './errors.ts';
import type { LocalFunctionStore } from '../state/function-store.ts';

/** Marks the history entries of the first deployment, so a retried start adds none. */
const FIRST_START = 'first_start';

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
 * The seed's first deployment, on a state dir without aliases: publish `$LATEST` as version 1
 * (or reuse it after an interrupted first start) and point the aliases. Resolves to true when
 * it did so, false when the aliases already existed.
 */
export async function firstDeployment(
  store: LocalFunctionStore,
  log: (line: string) => void,
): Promise<boolean> {
  if ((await store.readAliases()) !== undefined) return false;
  const { version } = await store.publish('first deployment (stagecraft dev)');
  // History first, aliases last: aliases.json is what marks the deployment as done, and a
  // retry after a crash between the two finds the entries and does not add them again.
  const history = await store.readHistory();
  if (!history.some((entry) => entry[FIRST_START] === true)) {
    const common = {
      at: new Date().toISOString(),
      user: currentUser(),
      command: 'dev',
      forced: false,
    };
    await store.appendHistory({ ...common, stage: 'staging', to: LATEST, [FIRST_START]: true });
    await store.appendHistory({
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

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
