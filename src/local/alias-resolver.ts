/**
 * Resolves a stage's alias to the version a request runs, following changes other processes
 * (the release CLI) make to aliases.json and to `$LATEST` without a restart.
 *
 * The files are replaced by rename, so the resolver watches their directories (not the files:
 * a watch on a file follows the old inode away after a rename) and re-reads on an event; a
 * fallback check every `checkIntervalMs` covers file systems where watching does not work. A
 * request waits one turn of the event loop (`setImmediate`) before resolving: the kernel queues
 * the watch event during the `rename` itself, before the release command can send another
 * request, so by the time that request's bytes are read the event is either handled already or
 * in the same poll batch, which finishes before `setImmediate` callbacks run. So a request that
 * starts after a release command finished still runs what it set, without a `stat` per request
 * (the profile of issue 12 showed ~5 % of the gateway thread in those `stat` calls).
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
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
   * Fallback check interval (ms): the files' signatures are compared this often even when no
   * watch event came (network file systems, editors that write in place, a watch that failed).
   * @default 250
   */
  readonly checkIntervalMs?: number;
  /**
   * Watch the files' directories; false relies on the fallback check alone.
   * @default true
   */
  readonly watch?: boolean;
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
  // Bumped by every watch event (and invalidate()); a check records the value it started at,
  // so an event arriving while a check reads the files makes the next request check again.
  private changes = 1;
  private checkedChanges = 0;
  private checking: Promise<void> | undefined;
  private turn: Promise<void> | undefined;
  private readonly watchers: FSWatcher[] = [];
  // A version's bundle path never changes: joined once, not on every request.
  private readonly codePaths = new Map<string, string>();
  private readonly poll: NodeJS.Timeout;
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
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => undefined);
    if (options.watch ?? true) {
      this.watchFile(store.aliasesPath);
      this.watchFile(store.latestPath);
    }
    this.poll = setInterval(() => {
      if (this.checking === undefined) void this.refresh(true);
    }, options.checkIntervalMs ?? 250);
    this.poll.unref();
  }

  /** Each stage's alias as last read. */
  async current(): Promise<Record<Stage, AliasRouting>> {
    await this.refresh(false);
    if (this.aliases === undefined) return this.store.getAliases(); // throws the store's message
    return this.aliases;
  }

  /** The `$LATEST` CodeSha256 as last read. */
  async latestCodeSha256(): Promise<string | undefined> {
    await this.refresh(false);
    return this.latestSha;
  }

  /** Makes the next resolution re-check the files (after an in-process change). */
  invalidate(): void {
    this.changes++;
  }

  /** The version a request to `stage` runs, canary weights applied. */
  async resolve(stage: Stage): Promise<ResolvedTarget> {
    await this.nextTurn();
    const aliases = await this.current();
    const version = pickVersion(aliases[stage], this.random());
    return {
      alias: stage,
      version,
      codeKey: version === LATEST ? `${LATEST}@${this.latestSha ?? ''}` : version,
      codePath: this.codePath(version),
    };
  }

  private codePath(version: string): string {
    let path = this.codePaths.get(version);
    if (path === undefined) {
      path = this.store.codePath(version);
      this.codePaths.set(version, path);
    }
    return path;
  }

  /** Stops watching. */
  close(): void {
    clearInterval(this.poll);
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }

  private watchFile(path: string): void {
    const name = basename(path);
    try {
      const watcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
        // Some platforms do not report the name: then any change in the directory counts.
        if (filename === null || filename === name) this.changes++;
      });
      watcher.on('error', (error) => {
        this.log(`watching ${dirname(path)} failed (${error.message}); checking every interval`);
        watcher.close();
      });
      this.watchers.push(watcher);
    } catch (error) {
      this.log(
        `cannot watch ${dirname(path)} (${(error as Error).message}); checking every interval`,
      );
    }
  }

  // Shared by every request arriving in one turn of the event loop: see the module comment.
  private nextTurn(): Promise<void> {
    this.turn ??= new Promise((resolve) =>
      setImmediate(() => {
        this.turn = undefined;
        resolve();
      }),
    );
    return this.turn;
  }

  // Checks the files unless nothing changed since the last check. A check already running may
  // have started before the latest change, so it is waited for and the state looked at again.
  private async refresh(force: boolean): Promise<void> {
    let forced = force;
    // Bounded: a storm of events cannot keep one request checking forever.
    for (let round = 0; round < 4; round++) {
      if (this.checking !== undefined) {
        await this.checking;
        continue;
      }
      if (!forced && this.checkedChanges === this.changes) return;
      forced = false;
      const startedAt = this.changes;
      this.checking = this.check().finally(() => {
        this.checkedChanges = startedAt;
        this.checking = undefined;
      });
    }
    await this.checking;
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
