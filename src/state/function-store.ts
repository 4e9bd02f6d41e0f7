/**
 * The local stand-in for Lambda's control plane: `$LATEST`, published versions, aliases and
 * the release history, kept as plain files in the state dir so they survive restarts and other
 * processes (the release CLI) can change them while `stagecraft dev` runs.
 *
 * ```
 * <state>/lambda/<name>/latest/index.mjs + latest.json
 * <state>/lambda/<name>/versions/<n>/index.mjs + version.json
 * <state>/lambda/<name>/aliases.json
 * <state>/history.jsonl
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LambdaBundle } from '../build/bundle.ts';
import { BUNDLE_FILE } from '../build/bundle-layout.ts';
import { FUNCTION_NAME, LATEST, STAGES, isStage } from '../config/stages.ts';
import type { Stage } from '../config/stages.ts';
import type { AliasRouting as AliasRecord } from '../platform/alias.ts';
import { aliasProblem } from '../platform/alias.ts';
import { isPublishedVersion } from '../config/versions.ts';
import {
  appendLineDurable,
  readTextIfExists,
  syncDirectory,
  writeFileAtomic,
  writeJsonAtomic,
} from './atomic-file.ts';
import { StagecraftError } from '../errors.ts';

export type { AliasRouting as AliasRecord } from '../platform/alias.ts';

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
    super(
      options?.code ?? 'local.store',
      message,
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
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
  /** `<state>/history.jsonl`. */
  readonly historyPath: string;
  private readonly latestDir: string;
  private readonly versionsDir: string;

  private constructor(
    /** The state dir. */
    readonly stateDir: string,
    /** The Lambda function name. */
    readonly functionName: string,
  ) {
    this.functionDir = join(stateDir, 'lambda', functionName);
    this.latestDir = join(this.functionDir, 'latest');
    this.versionsDir = join(this.functionDir, 'versions');
    this.aliasesPath = join(this.functionDir, 'aliases.json');
    this.latestPath = join(this.latestDir, 'latest.json');
    this.historyPath = join(stateDir, 'history.jsonl');
  }

  /** Opens (creating the directories if needed) the store of `functionName` in `stateDir`. */
  static async open(stateDir: string, functionName = FUNCTION_NAME): Promise<LocalFunctionStore> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(functionName)) {
      throw new FunctionStoreError(`invalid function name ${JSON.stringify(functionName)}`);
    }
    const store = new LocalFunctionStore(stateDir, functionName);
    await mkdir(store.latestDir, { recursive: true });
    await mkdir(store.versionsDir, { recursive: true });
    return store;
  }

  /** Makes `bundle` the `$LATEST` code; unchanged code (same CodeSha256) writes nothing. */
  async setLatest(bundle: LambdaBundle): Promise<{ code_sha256: string; changed: boolean }> {
    const current = await this.readLatestFile();
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
      const versions = await this.listVersions();
      const newest = versions.at(-1);
      if (newest?.code_sha256 === record.code_sha256) return { version: newest, created: false };
      const version: VersionRecord = {
        version: String(Number(newest?.version ?? 0) + 1),
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
      await mkdir(temp);
      try {
        await writeFileAtomic(join(temp, BUNDLE_FILE), code);
        await writeJsonAtomic(join(temp, 'version.json'), version);
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

  /** Every published version, oldest first. */
  async listVersions(): Promise<VersionRecord[]> {
    const names = (await readdir(this.versionsDir)).filter(isPublishedVersion);
    const records: VersionRecord[] = [];
    for (const name of names) {
      const record = await this.getVersion(name);
      if (record !== undefined) records.push(record);
    }
    return records.sort((a, b) => Number(a.version) - Number(b.version));
  }

  /** A published version's record, or undefined when there is no such version. */
  async getVersion(version: string): Promise<VersionRecord | undefined> {
    if (!isPublishedVersion(version)) return undefined;
    const path = join(this.versionsDir, version, 'version.json');
    const record = await readJson(path);
    if (record === undefined) return undefined;
    if (!isVersionRecord(record) || record.version !== version) {
      throw new FunctionStoreError(`${path} is not a valid version record`);
    }
    return record;
  }

  /** The `index.mjs` of a published version or of `$LATEST`. */
  codePath(version: string): string {
    if (version === LATEST) return join(this.latestDir, BUNDLE_FILE);
    if (!isPublishedVersion(version)) {
      throw new FunctionStoreError(`not a version: ${JSON.stringify(version)}`);
    }
    return join(this.versionsDir, version, BUNDLE_FILE);
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

  /** Both stages' aliases, or undefined while aliases.json is missing or incomplete. */
  async readAliases(): Promise<Record<Stage, AliasRecord> | undefined> {
    const partial = await this.readPartialAliases();
    return STAGES.every((stage) => partial[stage] !== undefined)
      ? (partial as Record<Stage, AliasRecord>)
      : undefined;
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

  /** Appends one entry to the release history (durable once this resolves). */
  async appendHistory(entry: HistoryEntry): Promise<void> {
    const problem = historyProblem(entry);
    if (problem !== undefined) throw new FunctionStoreError(`invalid history entry: ${problem}`);
    await appendLineDurable(this.historyPath, JSON.stringify(entry));
  }

  /** The whole release history, oldest first. */
  async readHistory(): Promise<HistoryEntry[]> {
    const text = await readTextIfExists(this.historyPath);
    if (text === undefined) return [];
    const lines = text.split('\n');
    const entries: HistoryEntry[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        entries.push(JSON.parse(line) as HistoryEntry);
      } catch (error) {
        // Only the final line can be torn (a crash mid-append, never acknowledged); anything
        // else is damage a human should look at.
        if (index >= lines.length - 2) return;
        throw new FunctionStoreError(`${this.historyPath} line ${index + 1} is not JSON`, {
          cause: error,
        });
      }
    });
    return entries;
  }

  private async checkedAlias(stage: Stage, alias: AliasRecord): Promise<AliasRecord> {
    if (!isStage(stage)) throw new FunctionStoreError(`unknown stage ${JSON.stringify(stage)}`);
    const problem = aliasProblem(alias);
    if (problem !== undefined) throw new FunctionStoreError(`alias ${stage} ${problem}`);
    const weights = alias.weights ?? {};
    for (const version of [alias.version, ...Object.keys(weights)]) {
      if (version === LATEST) {
        if ((await this.latest()) === undefined) {
          throw new FunctionStoreError(`alias ${stage}: $LATEST has not been built yet`);
        }
      } else if ((await this.getVersion(version)) === undefined) {
        throw new FunctionStoreError(`alias ${stage}: version ${version} does not exist`);
      }
    }
    return Object.keys(weights).length > 0
      ? { version: alias.version, weights: { ...weights } }
      : { version: alias.version };
  }

  private async readPartialAliases(): Promise<Partial<Record<Stage, AliasRecord>>> {
    const raw = await readJson(this.aliasesPath);
    if (raw === undefined) return {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new FunctionStoreError(`${this.aliasesPath} must hold an object of stage → alias`);
    }
    const aliases: Partial<Record<Stage, AliasRecord>> = {};
    for (const [stage, alias] of Object.entries(raw)) {
      if (!isStage(stage)) {
        throw new FunctionStoreError(`${this.aliasesPath}: unknown stage ${JSON.stringify(stage)}`);
      }
      const problem = aliasProblem(alias);
      if (problem !== undefined) {
        throw new FunctionStoreError(`${this.aliasesPath}: alias ${stage} ${problem}`);
      }
      aliases[stage] = alias as AliasRecord;
    }
    return aliases;
  }

  private async readLatestFile(): Promise<LatestFile | undefined> {
    const raw = await readJson(this.latestPath);
    if (raw === undefined) return undefined;
    const file = raw as Partial<LatestFile>;
    if (
      typeof file.code_sha256 !== 'string' ||
      typeof file.built_at !== 'string' ||
      typeof file.index_sha256 !== 'string'
    ) {
      throw new FunctionStoreError(`${this.latestPath} is not a valid $LATEST record`);
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

async function readJson(path: string): Promise<unknown> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new FunctionStoreError(`${path} is not valid JSON`, { cause: error });
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

function historyProblem(entry: HistoryEntry): string | undefined {
  if (typeof entry !== 'object' || entry === null) return 'must be an object';
  for (const field of ['at', 'user', 'command'] as const) {
    if (typeof entry[field] !== 'string' || entry[field] === '') return `${field} must be a string`;
  }
  if (Number.isNaN(Date.parse(entry.at))) return 'at must be an ISO-8601 time';
  if (typeof entry.forced !== 'boolean') return 'forced must be a boolean';
  return undefined;
}
