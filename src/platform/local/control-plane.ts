import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { FUNCTION_NAME, type Stage, STAGE_CONFIG } from '../../config/stages.ts';
import { FunctionStoreError, LocalFunctionStore } from '../../state/function-store.ts';
import { runningDevUrl } from '../../state/dev-lock.ts';
import { type AliasRouting, type AliasState, routingOf } from '../alias.ts';
import type { ApiDeploymentInfo, ControlPlane, PublishOutcome } from '../control-plane.ts';
import {
  listApiDeployments,
  readApiDeployment,
  readApiStage,
  writeApiStage,
} from '../../state/api-deployments.ts';
import type { VersionInfo } from '../version.ts';
import { ReleaseError } from '../../errors.ts';

/** Where `stagecraft dev` listens unless told otherwise. */
export const DEFAULT_DEV_URL = 'http://127.0.0.1:3000/';

/** Options for {@link LocalControlPlane.open}. */
export interface LocalControlPlaneOptions {
  /** The state dir `stagecraft dev` runs on. */
  readonly stateDir: string;
  /**
   * The base URL of the running `stagecraft dev` (stage URLs are `<url><stage>/`).
   * @default the `url` in `<state>/dev.lock` while the dev server that wrote it runs, else
   *   {@link DEFAULT_DEV_URL}
   */
  readonly devUrl?: string;
  /**
   * The function name.
   * @default FUNCTION_NAME
   */
  readonly functionName?: string;
}

/**
 * The control plane of the local stack: the same operations as Lambda's, over the
 * {@link LocalFunctionStore} files that a running `stagecraft dev` re-reads on change.
 *
 * Lambda guards alias updates with a RevisionId; the store has none, so the revision here is
 * a hash of the alias record itself: an update is refused when the record changed since it
 * was read. (Release commands also hold the state dir's lock; the guard catches writers that
 * do not, such as a hand edit.)
 */
export class LocalControlPlane implements ControlPlane {
  readonly target = 'local' as const;
  readonly functionName: string;
  readonly #store: LocalFunctionStore;
  readonly #devUrl: string | undefined;

  private constructor(store: LocalFunctionStore, devUrl: string | undefined) {
    this.#store = store;
    this.functionName = store.functionName;
    this.#devUrl = devUrl;
  }

  /** Opens the function store in the state dir. */
  static async open(options: LocalControlPlaneOptions): Promise<LocalControlPlane> {
    // The store creates missing directories; a typo in --state-dir must not create a new one.
    try {
      await access(options.stateDir);
    } catch {
      throw new ReleaseError(
        'local.store',
        `state dir ${options.stateDir} does not exist; start \`stagecraft dev --state-dir ` +
          `${options.stateDir}\` once to set it up (it publishes version 1 and creates the aliases)`,
      );
    }
    const store = await LocalFunctionStore.open(
      options.stateDir,
      options.functionName ?? FUNCTION_NAME,
    );
    return new LocalControlPlane(store, options.devUrl);
  }

  /** The `$LATEST` build's code sha256. */
  async latestCodeSha256(): Promise<string> {
    const latest = await this.#store.latest();
    if (latest === undefined) {
      throw new ReleaseError(
        'function.empty',
        `$LATEST has not been built in ${this.#store.stateDir}; start \`stagecraft dev\` on it once`,
      );
    }
    return latest.code_sha256;
  }

  /** Every published version, oldest first. */
  listVersions(): Promise<VersionInfo[]> {
    return storeCall(() => this.#store.listVersions());
  }

  /** The alias from aliases.json, with a content hash as its revision. */
  async getAlias(stage: Stage): Promise<AliasState> {
    const aliases = await this.#store.readAliases().catch(storeError);
    const alias = aliases?.[stage];
    if (alias === undefined) {
      throw new ReleaseError(
        'alias.not-found',
        `alias ${STAGE_CONFIG[stage].alias} is not set up in ${this.#store.aliasesPath}; start ` +
          '`stagecraft dev` on this state dir once (its first start creates both aliases)',
      );
    }
    return { ...routingOf(alias), revision: revisionOf(alias) };
  }

  /** Writes the alias (atomically) if it still has the revision read before. */
  async updateAlias(
    stage: Stage,
    routing: AliasRouting,
    expectedRevision: string,
  ): Promise<AliasState> {
    const current = await this.getAlias(stage);
    if (current.revision !== expectedRevision) {
      throw new ReleaseError(
        'alias.conflict',
        `alias ${stage} changed while this command ran (it now points at ${current.version}); ` +
          'check `stagecraft release status` and retry',
      );
    }
    const record = routingOf(routing);
    await storeCall(() => this.#store.setAlias(stage, record));
    return { ...record, revision: revisionOf(record) };
  }

  /**
   * Publishes `$LATEST` if it holds the expected code. The store cannot check and publish in
   * one step, so the code is checked before and the published version after: if a rebuild
   * slipped in between, the new version holds other code and the error says so (nothing
   * else changes; the version stays, as an unverified one).
   */
  async publishVersion(input: {
    readonly expectedCodeSha256: string;
    readonly description?: string;
  }): Promise<PublishOutcome> {
    const before = await this.latestCodeSha256();
    if (before !== input.expectedCodeSha256) throw codeChanged(input.expectedCodeSha256, before);
    const outcome = await storeCall(() => this.#store.publish(input.description ?? ''));
    if (outcome.version.code_sha256 !== input.expectedCodeSha256) {
      throw codeChanged(
        input.expectedCodeSha256,
        outcome.version.code_sha256,
        outcome.created ? outcome.version.version : undefined,
      );
    }
    return outcome;
  }

  /** `<dev url><stage>/`. */
  async stageUrl(stage: Stage): Promise<string> {
    const base = this.#devUrl ?? (await this.#runningDevUrl()) ?? DEFAULT_DEV_URL;
    return new URL(`${stage}/`, base.endsWith('/') ? base : `${base}/`).href;
  }

  /** The snapshots under `<state>/api/deployments/`, oldest first. */
  listApiDeployments(): Promise<ApiDeploymentInfo[]> {
    return listApiDeployments(this.#store.stateDir);
  }

  /** The deployment `<state>/api/stages/<stage>.json` names. */
  async getApiStage(stage: Stage): Promise<string> {
    const id = await readApiStage(this.#store.stateDir, stage);
    if (id === undefined) {
      throw new ReleaseError(
        'api.not-found',
        `the ${stage} stage has no API deployment in ${this.#store.stateDir} yet; start ` +
          '`stagecraft dev` on this state dir once (it records the API and sets both stages up)',
      );
    }
    return id;
  }

  /**
   * Rewrites the stage's record if it still names `expectedDeployment`. The release lock
   * serializes release commands; the re-read catches writers that do not hold it.
   */
  async updateApiStage(
    stage: Stage,
    deployment: string,
    expectedDeployment: string,
  ): Promise<void> {
    const current = await this.getApiStage(stage);
    if (current !== expectedDeployment) {
      throw new ReleaseError(
        'api.conflict',
        `the ${stage} stage's API deployment changed while this command ran (it is now ` +
          `${current}, expected ${expectedDeployment}); check \`stagecraft release status\` and retry`,
      );
    }
    if ((await readApiDeployment(this.#store.stateDir, deployment)) === undefined) {
      throw new ReleaseError(
        'api.not-found',
        `API deployment ${deployment} does not exist in ${this.#store.stateDir}`,
      );
    }
    await writeApiStage(this.#store.stateDir, stage, deployment);
  }

  // Where the running `stagecraft dev` listens: the `url` of its <state>/dev.lock. A lock whose
  // process is gone is ignored.
  #runningDevUrl(): Promise<string | undefined> {
    return runningDevUrl(this.#store.stateDir);
  }
}

/** A stable hash of the record (keys sorted), so equal records have equal revisions. */
function revisionOf(alias: AliasRouting): string {
  const weights = Object.entries(alias.weights ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const canonical = JSON.stringify([alias.version, weights]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function codeChanged(expected: string, actual: string, published?: string): ReleaseError {
  const what =
    published === undefined
      ? 'nothing was published'
      : `version ${published} was published from the new code and is NOT verified; prod was not changed`;
  return new ReleaseError(
    'publish.code-changed',
    `$LATEST no longer holds code sha256 ${expected} (it holds ${actual}: a rebuild happened ` +
      `since the verification); ${what} — verify the new code on staging, then promote`,
  );
}

async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    return storeError(error);
  }
}

function storeError(error: unknown): never {
  if (error instanceof FunctionStoreError) {
    throw new ReleaseError('local.store', error.message, { cause: error });
  }
  throw error;
}
