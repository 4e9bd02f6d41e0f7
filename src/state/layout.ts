/**
 * The state dir's layout: the one place where the default dir and every file name in it are
 * spelled. Everything else asks here for a path.
 *
 * ```
 * <state>/history.jsonl                      release history (append-only JSON lines)
 * <state>/verification.json                  the last `release verify`
 * <state>/alias-move.json                    an alias move in flight (see alias-move.ts)
 * <state>/rollout.json                       a `release rollout` in progress (see rollout.ts)
 * <state>/release.lock, <state>/dev.lock     pid locks
 * <state>/rollout.lock                       pid lock of the running `release rollout`
 * <state>/rollout.stop                       `release rollback` asks the running rollout to stop
 * <state>/dev.json                           (read only: older dev servers' url record)
 * <state>/dynamodb/                          the embedded DynamoDB's LevelDB data
 * <state>/lambda/<name>/aliases.json         stage → alias
 * <state>/lambda/<name>/latest/index.mjs + latest.json
 * <state>/lambda/<name>/versions/<n>/index.mjs + version.json
 * <state>/api/deployments/<id>.json          one API deployment (immutable snapshot)
 * <state>/api/stages/<stage>.json            the API deployment a stage serves
 * ```
 */
import { join } from 'node:path';
import { BUNDLE_FILE } from '../config/bundle-layout.ts';

/** The state dir used when no `--state-dir` is given (relative to the working directory). */
export const DEFAULT_STATE_DIR = '.stagecraft';

/** File and folder names directly inside the state dir. */
export const STATE_FILES = {
  history: 'history.jsonl',
  verification: 'verification.json',
  aliasMove: 'alias-move.json',
  rollout: 'rollout.json',
  rolloutLock: 'rollout.lock',
  rolloutStop: 'rollout.stop',
  releaseLock: 'release.lock',
  devLock: 'dev.lock',
  devRecord: 'dev.json',
  dynamodb: 'dynamodb',
  lambda: 'lambda',
  api: 'api',
} as const;

/** File and folder names inside `<state>/api/` (see api-deployments.ts). */
export const API_FILES = {
  deployments: 'deployments',
  stages: 'stages',
} as const;

/** File and folder names inside one function's folder. */
export const FUNCTION_FILES = {
  aliases: 'aliases.json',
  latest: 'latest',
  latestRecord: 'latest.json',
  versions: 'versions',
  versionRecord: 'version.json',
  code: BUNDLE_FILE,
} as const;

/** Paths of one state dir. */
export interface StateLayout {
  readonly dir: string;
  readonly history: string;
  readonly verification: string;
  readonly aliasMove: string;
  readonly rollout: string;
  readonly rolloutLock: string;
  readonly rolloutStop: string;
  readonly releaseLock: string;
  readonly devLock: string;
  readonly devRecord: string;
  readonly dynamodb: string;
  /** The API deployments and what each stage serves. */
  readonly api: ApiLayout;
  /** The paths of one function's store. */
  fn(name: string): FunctionLayout;
}

/** Paths of one function's store inside a state dir. */
export interface FunctionLayout {
  readonly dir: string;
  readonly aliases: string;
  readonly latestDir: string;
  readonly latestRecord: string;
  readonly latestCode: string;
  readonly versionsDir: string;
  versionDir(version: string): string;
  versionRecord(version: string): string;
  versionCode(version: string): string;
}

/** Paths of the API deployments inside a state dir. */
export interface ApiLayout {
  readonly dir: string;
  readonly deploymentsDir: string;
  readonly stagesDir: string;
  deployment(id: string): string;
  stage(stage: string): string;
}

/** The layout of the state dir at `dir`. */
export function stateLayout(dir: string): StateLayout {
  return {
    dir,
    history: join(dir, STATE_FILES.history),
    verification: join(dir, STATE_FILES.verification),
    aliasMove: join(dir, STATE_FILES.aliasMove),
    rollout: join(dir, STATE_FILES.rollout),
    rolloutLock: join(dir, STATE_FILES.rolloutLock),
    rolloutStop: join(dir, STATE_FILES.rolloutStop),
    releaseLock: join(dir, STATE_FILES.releaseLock),
    devLock: join(dir, STATE_FILES.devLock),
    devRecord: join(dir, STATE_FILES.devRecord),
    dynamodb: join(dir, STATE_FILES.dynamodb),
    api: apiLayout(join(dir, STATE_FILES.api)),
    fn: (name) => functionLayout(join(dir, STATE_FILES.lambda, name)),
  };
}

function apiLayout(dir: string): ApiLayout {
  const deploymentsDir = join(dir, API_FILES.deployments);
  const stagesDir = join(dir, API_FILES.stages);
  return {
    dir,
    deploymentsDir,
    stagesDir,
    deployment: (id) => join(deploymentsDir, `${id}.json`),
    stage: (stage) => join(stagesDir, `${stage}.json`),
  };
}

function functionLayout(dir: string): FunctionLayout {
  const latestDir = join(dir, FUNCTION_FILES.latest);
  const versionsDir = join(dir, FUNCTION_FILES.versions);
  const versionDir = (version: string) => join(versionsDir, version);
  return {
    dir,
    aliases: join(dir, FUNCTION_FILES.aliases),
    latestDir,
    latestRecord: join(latestDir, FUNCTION_FILES.latestRecord),
    latestCode: join(latestDir, FUNCTION_FILES.code),
    versionsDir,
    versionDir,
    versionRecord: (version) => join(versionDir(version), FUNCTION_FILES.versionRecord),
    versionCode: (version) => join(versionDir(version), FUNCTION_FILES.code),
  };
}
