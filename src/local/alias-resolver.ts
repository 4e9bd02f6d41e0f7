/**
 * Resolves a stage's alias to the version a request runs, following changes other processes
 * (the release CLI) make to aliases.json and to `$LATEST` without a restart. The files are
 * replaced by rename, so a changed inode/mtime/size says "re-read". By default every request
 * checks (a `stat` of each file, shared by requests arriving while one is in flight), so a
 * request that starts after a release command finished runs what it set; measured, this costs
 * nothing visible next to the invocation.
 */
import { stat } from 'node:fs/promises';
import { LATEST, STAGES } from '../config/stages.ts';
import type { Stage } from '../config/stages.ts';
import { type AliasRouting, formatRouting } from '../platform/alias.ts';
import { pickVersion } from '../platform/alias.ts';
import type { LocalFunctionStore } from '../state/function-store.ts';

/** What one request runs. */
export interface ResolvedTarget {
  /** The alias (stage) it was invoked through. */
  readonly alias: Stage;
  /** `$LATEST` or a published version. */
  readonly version: string;
  /** Identifies the code (for `$LATEST`, changes with each rebuild). */
  readonly codeKey: string;
  /** The bundle to run. */
  readonly codePath: string;
}

/** Options for {@link AliasResolver}. */
export interface AliasResolverOptions {
  /**
   * How often (ms) at most the files are checked for changes; 0 checks on every request.
   * @default 0
   */
  readonly checkIntervalMs?: number;
  /**
   * The random source for canary weights (0 ≤ r < 1).
   * @default Math.random
   */
  readonly random?: () => number;
  /** Told about alias and `$LATEST` changes, and about unreadable files (kept at last good). */
  readonly log?: (line: string) => void;
}

/** Stage → version resolution over a {@link LocalFunctionStore}. */
export class AliasResolver {
  private aliases: Record<Stage, AliasRouting> | undefined;
  private latestSha: string | undefined;
  private signatures = { aliases: '', latest: '' };
  private lastCheck = 0;
  private checking: Promise<void> | undefined;
  private readonly checkIntervalMs: number;
  private readonly random: () => number;
  private readonly log: (line: string) => void;

  /**
   * @param store the function store to read
   * @param options see {@link AliasResolverOptions}
   */
  constructor(
    private readonly store: LocalFunctionStore,
    options: AliasResolverOptions = {},
  ) {
    this.checkIntervalMs = options.checkIntervalMs ?? 0;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => undefined);
  }

  /** Each stage's alias as last read. */
  async current(): Promise<Record<Stage, AliasRouting>> {
    await this.refresh();
    if (this.aliases === undefined) return this.store.getAliases(); // throws the store's message
    return this.aliases;
  }

  /** The `$LATEST` CodeSha256 as last read. */
  async latestCodeSha256(): Promise<string | undefined> {
    await this.refresh();
    return this.latestSha;
  }

  /** Makes the next resolution re-check the files (after an in-process change). */
  invalidate(): void {
    this.lastCheck = 0;
  }

  /** The version a request to `stage` runs, canary weights applied. */
  async resolve(stage: Stage): Promise<ResolvedTarget> {
    const aliases = await this.current();
    const version = pickVersion(aliases[stage], this.random());
    return {
      alias: stage,
      version,
      codeKey: version === LATEST ? `${LATEST}@${this.latestSha ?? ''}` : version,
      codePath: this.store.codePath(version),
    };
  }

  private refresh(): Promise<void> {
    if (Date.now() - this.lastCheck < this.checkIntervalMs) return Promise.resolve();
    this.checking ??= this.check().finally(() => {
      this.lastCheck = Date.now();
      this.checking = undefined;
    });
    return this.checking;
  }

  private async check(): Promise<void> {
    let aliasesSig: string;
    let latestSig: string;
    try {
      [aliasesSig, latestSig] = await Promise.all([
        signature(this.store.aliasesPath),
        signature(this.store.latestPath),
      ]);
    } catch (error) {
      this.reportUnreadable(error);
      return;
    }
    if (latestSig !== this.signatures.latest) {
      try {
        const sha = (await this.store.latest())?.code_sha256;
        if (this.latestSha !== undefined && sha !== this.latestSha) {
          this.log(`$LATEST is now ${sha ?? '(none)'}`);
        }
        this.latestSha = sha;
        this.signatures.latest = latestSig;
      } catch (error) {
        this.reportUnreadable(error);
      }
    }
    if (aliasesSig !== this.signatures.aliases) {
      try {
        const next = await this.store.readAliases();
        if (next !== undefined) {
          if (this.aliases !== undefined) this.reportChanges(this.aliases, next);
          this.aliases = next;
        }
        this.signatures.aliases = aliasesSig;
      } catch (error) {
        this.reportUnreadable(error);
      }
    }
  }

  private reportChanges(before: Record<Stage, AliasRouting>, after: Record<Stage, AliasRouting>) {
    for (const stage of STAGES) {
      const was = formatRouting(before[stage], 'serving');
      const now = formatRouting(after[stage], 'serving');
      if (was !== now) this.log(`alias ${stage} now serves ${now} (was ${was})`);
    }
  }

  // A hand-edited file can be broken for a moment: keep serving the last good state.
  private reportUnreadable(error: unknown): void {
    this.log(`${(error as Error).message}; still serving the last readable state`);
  }
}

async function signature(path: string): Promise<string> {
  try {
    const { ino, mtimeMs, size } = await stat(path);
    return `${ino}:${mtimeMs}:${size}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw error;
  }
}
