/**
 * The local stand-in for Lambda's control plane: `$LATEST`, published versions, aliases and
 * the release history, kept as plain files in the state dir so they survive restarts and other
 * processes (the release CLI) can change them while `stagecraft dev` runs.
 *
 * The paths are `layout.ts`'s `<state>/lambda/<name>/…`; the release history is not kept here
 * but in `history.ts`, its only reader and writer.
 *
 * A damaged file is a {@link StateFileDamagedError} naming it and how to recover, never a
 * silent fresh start: an aliases file that is missing, empty or partial in a store that has
 * versions, or an alias pointing at a version that does not exist, is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LambdaBundle } from '../config/bundle-layout.ts';
import { BUNDLE_FILE } from '../config/bundle-layout.ts';
import { FUNCTION_NAME, LATEST, STAGES, isStage } from '../config/stages.ts';
import type { Stage } from '../config/stages.ts';
import type { AliasRouting as AliasRecord } from '../platform/alias.ts';
import { aliasProblem } from '../platform/alias.ts';
import { isPublishedVersion } from '../config/versions.ts';
import {
  readTextIfExists,
  syncDirectory,
  writeFileAtomic,
  writeJsonAtomic,
} from './atomic-file.ts';
import { StagecraftError } from '../errors.ts';
import { StateFileDamagedError } from './errors.ts';
import type { HistoryEntry } from './history.ts';
import { type FunctionLayout, stateLayout } from './layout.ts';
import { DIR_MODE, openStateDir } from './state-dir.ts';

export type { AliasRouting as AliasRecord } from '../platform/alias.ts';
// Kept exported from here for the modules that import it with the store.
export type { HistoryEntry };

/** A published, immutable version (Lambda's `PublishVersion` output, the parts we keep). */
export interface VersionRecord {
  /** `'1'`, `'2'`, …: numbered in publish order, never reused. */
  version: string;
  /** base64 SHA-256 of the deployment zip, as Lambda reports `CodeSha256`. */
  code_sha256: string;
  /** ISO-8601 UTC publish time. */
  published_at: string;
  /** Free text given at publish time. */
  description: string;
}

/** The current `$LATEST` build. */
export interface LatestRecord {
  /** base64 SHA-256 of its zip (`CodeSha256`). */
  code_sha256: string;
  /** ISO-8601 UTC build time. */
  built_at: string;
}

/** What went wrong in the local function store. */
export type FunctionStoreErrorCode =
  /** The store refused a change or holds no function yet. */
  | 'local.store'
  /** A file of the store cannot be read or is malformed. */
  | 'state.corrupt';

/** A problem with the store's content or with a requested change: the message says which. */
export class FunctionStoreError extends StagecraftError<FunctionStoreErrorCode> {
  override readonly name = 'FunctionStoreError';

  /**
   * @param message what went wrong and what to do about it
   * @param options `code` (default `local.store`) and the underlying error
   */
  constructor(message: string, options?: { code?: FunctionStoreErrorCode; cause?: unknown }) {
    super(options?.code ?? 'local.store', message, options);
  }
}

interface LatestFile extends LatestRecord {
  // hex SHA-256 of latest/index.mjs, so a reader can tell whether the code it read belongs to
  // this record or to a rebuild that was being written at the same moment.
  index_sha256: string;
}

const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Versions, `$LATEST`, aliases and history of one function, persisted in a state dir. */
export class LocalFunctionStore {
  /** `<state>/lambda/<name>`. */
  readonly functionDir: string;
  /** `<state>/lambda/<name>/aliases.json`, watched by the running gateway. */
  readonly aliasesPath: string;
  /** `<state>/lambda/<name>/latest/latest.json`, watched by the running gateway. */
  readonly latestPath: string;
  private readonly latestDir: string;
  private readonly versionsDir: string;
  private readonly paths: FunctionLayout;

  private constructor(
    /** The state dir. */
    readonly stateDir: string,
    /** The Lambda function name. */
    readonly functionName: string,
  ) {
    this.paths = stateLayout(stateDir).fn(functionName);
    this.functionDir = this.paths.dir;
    this.latestDir = this.paths.latestDir;
    this.versionsDir = this.paths.versionsDir;
    this.aliasesPath = this.paths.aliases;
    this.latestPath = this.paths.latestRecord;
  }

  /** Opens (creating the directories if needed) the store of `functionName` in `stateDir`. */
  static async open(stateDir: string, functionName = FUNCTION_NAME): Promise<LocalFunctionStore> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(functionName)) {
      throw new FunctionStoreError(`invalid function name ${JSON.stringify(functionName)}`);
    }
    const store = new LocalFunctionStore(stateDir, functionName);
    await openStateDir(stateDir);
    await mkdir(store.latestDir, { recursive: true, mode: DIR_MODE });
    await mkdir(store.versionsDir, { recursive: true, mode: DIR_MODE });
    return store;
  }

  /** Makes `bundle` the `$LATEST` code; unchanged code (same CodeSha256) writes nothing. */
  async setLatest(bundle: LambdaBundle): Promise<{ code_sha256: string; changed: boolean }> {
    // A damaged $LATEST record is only a cache of the last build: a new build replaces it.
    const current = await this.readLatestFile().catch((error: unknown) => {
      if (error instanceof StateFileDamagedError) return undefined;
      throw error;
    });
    if (current?.code_sha256 === bundle.codeSha256) {
      return { code_sha256: bundle.codeSha256, changed: false };
    }
    // Code first, record second: a record never names code that is not on disk yet.
    await writeFileAtomic(join(this.latestDir, BUNDLE_FILE), bundle.code);
    const record: LatestFile = {
      code_sha256: bundle.codeSha256,
      built_at: new Date().toISOString(),
      index_sha256: sha256Hex(bundle.code),
    };
    await writeJsonAtomic(this.latestPath, record);
    return { code_sha256: bundle.codeSha256, changed: true };
  }

  /** The `$LATEST` record, or undefined before the first build. */
  async latest(): Promise<LatestRecord | undefined> {
    const file = await this.readLatestFile();
    return file && { code_sha256: file.code_sha256, built_at: file.built_at };
  }

  /**
   * Publishes `$LATEST` as the next version, like Lambda's `PublishVersion`: when the newest
   * version already has the same code, that version is returned and nothing is created.
   */
  async publish(description = ''): Promise<{ version: VersionRecord; created: boolean }> {
    const { record, code } = await this.readLatestConsistently();
    for (let attempt = 0; attempt < 20; attempt++) {
      const numbers = await this.versionNumbers();
      const last = numbers.at(-1);
      const newest = last === undefined ? undefined : await this.getVersion(String(last));
      if (newest?.code_sha256 === record.code_sha256) return { version: newest, created: false };
      const version: VersionRecord = {
        // From the folder names, not the readable records: a number is never reused.
        version: String((last ?? 0) + 1),
        code_sha256: record.code_sha256,
        published_at: new Date().toISOString(),
        description,
      };
      // Build the version in a private directory, then rename it into place: a version is
      // either complete or absent, and the rename fails if another publisher took the number.
      const temp = join(
        this.versionsDir,
        `.publish-${process.pid}-${randomBytes(4).toString('hex')}`,
      );
      await mkdir(temp, { mode: DIR_MODE });
      try {
        await writeFileAtomic(join(temp, BUNDLE_FILE), code);
        await writeJsonAtomic(
          join(temp, basename(this.paths.versionRecord(version.version))),
          version,
        );
        await rename(temp, join(this.versionsDir, version.version));
      } catch (error) {
        await rm(temp, { recursive: true, force: true });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') continue; // lost the race: next number
        throw error;
      }
      await syncDirectory(this.versionsDir);
      return { version, created: true };
    }
    throw new FunctionStoreError('could not publish: too many concurrent publishers');
  }

  /**
   * Every published version whose record is readable, oldest first. A damaged version that
   * no alias serves must not make the others unreadable; {@link getVersion} of it (and any
   * alias that points at it) still fails naming the file.
   */
  async listVersions(): Promise<VersionRecord[]> {
    const records: VersionRecord[] = [];
    for (const number of await this.versionNumbers()) {
      try {
        const record = await this.getVersion(String(number));
        if (record !== undefined) records.push(record);
      } catch (error) {
        if (!(error instanceof StateFileDamagedError)) throw error;
      }
    }
    return records;
  }

  /** The numbers of every version folder, ascending (readable or not). */
  async versionNumbers(): Promise<number[]> {
    const names = (await readdir(this.versionsDir)).filter(isPublishedVersion);
    return names.map(Number).sort((a, b) => a - b);
  }

  /** A published version's record, or undefined when there is no such version. */
  async getVersion(version: string): Promise<VersionRecord | undefined> {
    if (!isPublishedVersion(version)) return undefined;
    const path = this.paths.versionRecord(version);
    const record = await readJson(path, VERSION_RECOVERY);
    if (record === undefined) return undefined;
    if (!isVersionRecord(record) || record.version !== version) {
      throw new StateFileDamagedError(path, 'is not a valid version record', VERSION_RECOVERY);
    }
    return record;
  }

  /** The `index.mjs` of a published version or of `$LATEST`. */
  codePath(version: string): string {
    if (version === LATEST) return this.paths.latestCode;
    if (!isPublishedVersion(version)) {
      throw new FunctionStoreError(`not a version: ${JSON.stringify(version)}`);
    }
    return this.paths.versionCode(version);
  }

  /** Both stages' aliases; fails when the state dir has not been set up yet. */
  async getAliases(): Promise<Record<Stage, AliasRecord>> {
    const aliases = await this.readAliases();
    if (aliases === undefined) {
      throw new FunctionStoreError(
        `no aliases in ${this.aliasesPath}: start \`stagecraft dev\` once to set up the state dir`,
      );
    }
    return aliases;
  }

  /**
   * Both stages' aliases, or undefined on a store that was never set up (no aliases file and
   * no version). Anything else that is not two aliases pointing at existing versions is a
   * {@link StateFileDamagedError}: a missing file in a store with versions, an empty or
   * partial file, an alias naming a version that does not exist.
   */
  async readAliases(): Promise<Record<Stage, AliasRecord> | undefined> {
    const text = await readTextIfExists(this.aliasesPath);
    if (text === undefined) {
      if ((await this.versionNumbers()).length === 0) return undefined;
      throw this.aliasesDamaged('is missing, but versions were published');
    }
    if (text.trim() === '') throw this.aliasesDamaged('is empty');
    const partial = await this.readPartialAliases();
    const missing = STAGES.filter((stage) => partial[stage] === undefined);
    if (missing.length > 0) throw this.aliasesDamaged(`has no alias ${missing.join(', ')}`);
    for (const stage of STAGES) {
      const problem = await this.missingTarget(partial[stage] as AliasRecord);
      if (problem !== undefined) throw this.aliasesDamaged(`: alias ${stage} ${problem}`);
    }
    return partial as Record<Stage, AliasRecord>;
  }

  /** True when the aliases file exists (even damaged): the store has been set up. */
  async hasAliasesFile(): Promise<boolean> {
    return (await readTextIfExists(this.aliasesPath)) !== undefined;
  }

  /** Points one stage's alias at a version (checked to exist), keeping the other stage's. */
  async setAlias(stage: Stage, alias: AliasRecord): Promise<void> {
    const aliases = await this.readPartialAliases();
    aliases[stage] = await this.checkedAlias(stage, alias);
    await writeJsonAtomic(this.aliasesPath, aliases);
  }

  /** Writes every stage's alias in one atomic step (the first start uses it). */
  async setAliases(aliases: Record<Stage, AliasRecord>): Promise<void> {
    const checked: Partial<Record<Stage, AliasRecord>> = {};
    for (const stage of STAGES) checked[stage] = await this.checkedAlias(stage, aliases[stage]);
    await writeJsonAtomic(this.aliasesPath, checked);
  }

  private async checkedAlias(stage: Stage, alias: AliasRecord): Promise<AliasRecord> {
    if (!isStage(stage)) throw new FunctionStoreError(`unknown stage ${JSON.stringify(stage)}`);
    const problem = aliasProblem(alias);
    if (problem !== undefined) throw new FunctionStoreError(`alias ${stage} ${problem}`);
    const weights = alias.weights ?? {};
    const missing = await this.missingTarget(alias);
    if (missing !== undefined) throw new FunctionStoreError(`alias ${stage}: ${missing}`);
    return Object.keys(weights).length > 0
      ? { version: alias.version, weights: { ...weights } }
      : { version: alias.version };
  }

  // Why the alias cannot be served (a version that does not exist), or undefined.
  private async missingTarget(alias: AliasRecord): Promise<string | undefined> {
    for (const version of [alias.version, ...Object.keys(alias.weights ?? {})]) {
      if (version === LATEST) {
        if ((await this.latest()) === undefined) return '$LATEST has not been built yet';
      } else if ((await this.getVersion(version)) === undefined) {
        return `version ${version} does not exist`;
      }
    }
    return undefined;
  }

  private aliasesDamaged(problem: string): StateFileDamagedError {
    return new StateFileDamagedError(
      this.aliasesPath,
      problem,
      'it says which version each stage serves, so nothing was started from it. Restore it ' +
        '(e.g. {"staging":{"version":"$LATEST"},"prod":{"version":"N"}} with N the prod ' +
        'version in `stagecraft release history`), or move the state dir away to start afresh',
    );
  }

  private async readPartialAliases(): Promise<Partial<Record<Stage, AliasRecord>>> {
    const raw = await readJson(this.aliasesPath, '');
    if (raw === undefined) return {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw this.aliasesDamaged('must hold an object of stage → alias');
    }
    const aliases: Partial<Record<Stage, AliasRecord>> = {};
    for (const [stage, alias] of Object.entries(raw)) {
      if (!isStage(stage)) throw this.aliasesDamaged(`: unknown stage ${JSON.stringify(stage)}`);
      const problem = aliasProblem(alias);
      if (problem !== undefined) throw this.aliasesDamaged(`: alias ${stage} ${problem}`);
      aliases[stage] = alias as AliasRecord;
    }
    return aliases;
  }

  private async readLatestFile(): Promise<LatestFile | undefined> {
    const raw = await readJson(this.latestPath, LATEST_RECOVERY);
    if (raw === undefined) return undefined;
    const file = raw as Partial<LatestFile> | null;
    if (
      typeof file !== 'object' ||
      file === null ||
      typeof file.code_sha256 !== 'string' ||
      typeof file.built_at !== 'string' ||
      typeof file.index_sha256 !== 'string'
    ) {
      throw new StateFileDamagedError(
        this.latestPath,
        'is not a valid $LATEST record',
        LATEST_RECOVERY,
      );
    }
    return file as LatestFile;
  }

  // The record and the code are two files; a rebuild may land between the two reads, so read
  // until they agree.
  private async readLatestConsistently(): Promise<{ record: LatestFile; code: Buffer }> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const record = await this.readLatestFile();
      if (record === undefined) {
        throw new FunctionStoreError('nothing to publish: $LATEST has not been built yet');
      }
      const code = await readFile(this.codePath(LATEST));
      if (sha256Hex(code) === record.index_sha256) return { record, code };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new FunctionStoreError(
      `${this.codePath(LATEST)} does not match ${this.latestPath}; rebuild $LATEST`,
    );
  }
}

const LATEST_RECOVERY =
  'it records the last build of $LATEST: (re)start `stagecraft dev`, which rebuilds it';
const VERSION_RECOVERY =
  'a published version is immutable: restore the file from a backup, or, if no alias ' +
  'serves this version, move its folder out of versions/ (its number is not reused)';

async function readJson(path: string, recovery: string): Promise<unknown> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  if (text.trim() === '') throw new StateFileDamagedError(path, 'is empty', recovery);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new StateFileDamagedError(path, 'is not valid JSON', recovery, { cause: error });
  }
}

function isVersionRecord(value: unknown): value is VersionRecord {
  const record = value as Partial<VersionRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    isPublishedVersion(record.version) &&
    typeof record.code_sha256 === 'string' &&
    typeof record.published_at === 'string' &&
    typeof record.description === 'string'
  );
}
