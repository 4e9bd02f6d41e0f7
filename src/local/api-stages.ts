/**
 * API deployments in `stagecraft dev`: recording a new one when the API definition changes (at
 * start and on each watched rebuild), keeping `staging` on the newest and `prod` where release
 * commands put it, and telling the gateway which snapshot each stage serves.
 *
 * The definition is read from the project's sources each time (src/service/api-definition.ts
 * bundled by esbuild and imported), not from the route table compiled into this process, so an
 * edit of src/service/routes.ts reaches staging in watch mode like an edit of the handler does.
 */
import { watch, type FSWatcher } from 'node:fs';
import { build } from 'esbuild';
import { sourcePath } from '../config/project-paths.ts';
import { STAGES } from '../config/stages.ts';
import {
  apiDefinitionId,
  parseApiDefinition,
  type ApiDefinition,
} from '../service/api-definition.ts';
import {
  readApiDeployment,
  readApiStage,
  recordApiDeployment,
  writeApiStage,
} from '../state/api-deployments.ts';
import { stateLayout } from '../state/layout.ts';
import { stageApi, type StageApi, type StageApiSource } from './gateway/stage-api.ts';

/** The module the definition is read from. */
export const API_DEFINITION_SOURCE = sourcePath('service/api-definition.ts');

/**
 * The project's API definition as its sources say now: the module bundled and imported fresh.
 * @param binaryMediaTypes the API's binary media types (part of what a deployment snapshots)
 */
export async function loadApiDefinition(
  binaryMediaTypes: readonly string[] = [],
  source = API_DEFINITION_SOURCE,
): Promise<ApiDefinition> {
  const result = await build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error('esbuild produced no output');
  const module = (await import(
    `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
  )) as { apiDefinition?: (routes?: undefined, options?: object) => unknown };
  const definition = parseApiDefinition(module.apiDefinition?.(undefined, { binaryMediaTypes }));
  if (definition === undefined) {
    throw new Error(`${source} does not export apiDefinition() of the expected format`);
  }
  return definition;
}

/**
 * Records `definition` as a deployment (if new) and moves staging to it; a stage without a
 * deployment (a fresh state dir, or one from before API deployments existed) starts on it too,
 * so after a migration both stages serve one initial deployment. Resolves to its id.
 */
export async function recordApi(
  stateDir: string,
  definition: ApiDefinition,
  log: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<string> {
  const id = apiDefinitionId(definition);
  const created = await recordApiDeployment(stateDir, {
    id,
    created_at: now().toISOString(),
    description: `stagecraft dev: ${describe(definition)}`,
    definition,
  });
  if (created) log(`recorded API deployment ${id} (${describe(definition)})`);
  // Prod first: a kill between the two writes leaves prod set and staging missing, which
  // the next start completes; never the reverse (a prod that followed staging).
  if ((await readApiStage(stateDir, 'prod')) === undefined) {
    await writeApiStage(stateDir, 'prod', id);
    log(`API stage prod → ${id} (first deployment)`);
  }
  const staging = await readApiStage(stateDir, 'staging');
  if (staging !== id) {
    await writeApiStage(stateDir, 'staging', id);
    log(
      `API stage staging → ${id}${staging === undefined ? ' (first deployment)' : ` (was ${staging})`}`,
    );
  }
  return id;
}

function describe(definition: ApiDefinition): string {
  const routes = definition.routes.map((route) => `${route.method} ${route.resource}`);
  return `${routes.length} route${routes.length === 1 ? '' : 's'}: ${routes.join(', ')}`;
}

/**
 * Stage → the {@link StageApi} of its deployment, following changes to
 * `<state>/api/stages/` (a release command moving prod) without a restart: the folder is
 * watched, with a check every `checkIntervalMs` as a fallback, and a request waits one turn of
 * the event loop first (as the alias resolver does, for the same reason). Snapshots never
 * change, so each is parsed once.
 */
export class ApiStageResolver implements StageApiSource {
  private served = new Map<string, StageApi>();
  private readonly snapshots = new Map<string, ApiDefinition>();
  private changes = 1;
  private checked = 0;
  private checking: Promise<void> | undefined;
  private turn: Promise<void> | undefined;
  private watcher: FSWatcher | undefined;
  private readonly poll: NodeJS.Timeout;

  /**
   * @param stateDir the state dir
   * @param log told about stage moves and unreadable records (the last good state is kept)
   */
  constructor(
    private readonly stateDir: string,
    private readonly log: (line: string) => void,
    checkIntervalMs = 250,
  ) {
    try {
      this.watcher = watch(stateLayout(stateDir).api.stagesDir, { persistent: false }, () => {
        this.changes++;
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // no folder yet, or no watching here: the interval check covers it
    }
    this.poll = setInterval(() => this.changes++, checkIntervalMs);
    this.poll.unref();
  }

  /** The API a request to `stage` is served by. */
  async forStage(stage: string): Promise<StageApi | undefined> {
    this.turn ??= new Promise((resolve) =>
      setImmediate(() => {
        this.turn = undefined;
        resolve();
      }),
    );
    await this.turn;
    if (this.checked !== this.changes) {
      const startedAt = this.changes;
      this.checking ??= this.check().finally(() => {
        this.checked = startedAt;
        this.checking = undefined;
      });
      await this.checking;
    }
    return this.served.get(stage);
  }

  /** Makes the next request re-read the stage records (after an in-process move). */
  invalidate(): void {
    this.changes++;
  }

  /** Stops watching. */
  close(): void {
    clearInterval(this.poll);
    this.watcher?.close();
  }

  private async check(): Promise<void> {
    const next = new Map(this.served);
    for (const stage of STAGES) {
      try {
        const id = await readApiStage(this.stateDir, stage);
        if (id === undefined || next.get(stage)?.deployment === id) continue;
        const definition = await this.snapshot(id);
        const was = next.get(stage)?.deployment;
        next.set(stage, stageApi(stage, id, definition));
        if (was !== undefined) this.log(`API stage ${stage} now serves ${id} (was ${was})`);
      } catch (error) {
        this.log(`${(error as Error).message}; ${stage} still serves its last readable API`);
      }
    }
    this.served = next;
  }

  private async snapshot(id: string): Promise<ApiDefinition> {
    const known = this.snapshots.get(id);
    if (known !== undefined) return known;
    const record = await readApiDeployment(this.stateDir, id);
    const definition = parseApiDefinition(record?.definition);
    if (definition === undefined) {
      throw new Error(`API deployment ${id} is missing or not a definition this version reads`);
    }
    this.snapshots.set(id, definition);
    return definition;
  }
}
