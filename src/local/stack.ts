/**
 * The local stack in one call: embedded DynamoDB, the function store, the Lambda runner, the
 * API Gateway emulation and watch mode — what `stagecraft dev` runs, and what tests and the
 * benchmark start in-process.
 */
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { HANDLER_ENTRY } from '../build/bundle.ts';
import { SOURCE_DIR } from '../config/project-paths.ts';
import { ENDPOINT_ENV } from '../dynamo/lean-client.ts';
import { STAGE_VARIABLE } from '../config/gateway.ts';
import { FUNCTION_NAME, STAGE_CONFIG, STAGES, tableNameFor } from '../config/stages.ts';
import type { Stage } from '../config/stages.ts';
import { ROUTES } from '../service/routes.ts';
import { AliasResolver } from './alias-resolver.ts';
import type { AliasRouting } from '../platform/alias.ts';
import { startEmbeddedDynamo } from './dynamodb.ts';
import { LocalStackError } from './errors.ts';
import type { EmbeddedDynamo } from './dynamodb.ts';
import { LocalFunctionStore } from '../state/function-store.ts';
import { LOCAL_ACCOUNT_ID, FunctionRunner } from './lambda/runner.ts';
import { ResourceMatcher } from './gateway/routing.ts';
import { createGatewayServer } from './gateway/server.ts';
import { InternalRoutes } from './gateway/internal-routes.ts';
import { checkHandlerModule, handlerExportProblem } from './handler-module.ts';
import { GatewayMetrics } from './gateway/metrics.ts';
import { registerMetricsRoute } from './gateway/metrics-route.ts';
import { buildLatest, firstDeployment, settleInterruptedMove } from './seed.ts';
import { ApiStageResolver, loadApiDefinition, recordApi } from './api-stages.ts';
import { watchSources } from './source-watcher.ts';
import { StateDirInUseError, acquireStateLock } from '../state/dev-lock.ts';
import { DEFAULT_STATE_DIR, stateLayout } from '../state/layout.ts';
import { readTextIfExists } from '../state/atomic-file.ts';
import { StateFileDamagedError } from '../state/errors.ts';
import { ensurePrivateDir } from '../state/state-dir.ts';
import type { SourceWatcher } from './source-watcher.ts';

/** Options for {@link startLocalStack}. */
export interface LocalStackOptions {
  /**
   * Port of the gateway; 0 picks a free one.
   * @default 3000
   */
  readonly port?: number;
  /**
   * Address to bind.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * State dir (DynamoDB data, versions, aliases, history), relative to the working directory.
   * @default '.stagecraft'
   */
  readonly stateDir?: string;
  /**
   * Rebuild `$LATEST` when a file under `watchDir` changes.
   * @default true
   */
  readonly watch?: boolean;
  /**
   * The handler source: any TypeScript or JavaScript module exporting `handler`, bundled as the
   * built-in one is (`stagecraft dev --handler FILE`). A missing file or a module without a
   * `handler` export stops the start with a {@link LocalStackError}.
   * @default HANDLER_ENTRY (src/service/handler.ts)
   */
  readonly entry?: string;
  /**
   * The directory watched.
   * @default src/ for the default entry, else the entry's directory
   */
  readonly watchDir?: string;
  /**
   * Function timeout (ms); an invocation over it fails as in Lambda ("Task timed out") and the
   * gateway answers 502, as API Gateway does.
   * @default 10000 (as deployed)
   */
  readonly timeoutMs?: number;
  /**
   * API Gateway's integration timeout (ms): a request without an answer by then gets 504
   * `Endpoint request timed out`.
   * @default 29000 (API Gateway's default, as deployed)
   */
  readonly integrationTimeoutMs?: number;
  /**
   * The API's resource paths (`/user/{id}`, `/{proxy+}`): what the emulated gateway routes,
   * every method of each reaching the function. For tests that replay events captured on other
   * APIs, served as given on both stages, without request models; `stagecraft dev` always
   * serves the route table's, each stage from its own API deployment.
   * @default the resources of ROUTES (src/service/routes.ts)
   */
  readonly resources?: readonly string[];
  /**
   * Function memory size (MB), also the worker's heap limit.
   * @default 256
   */
  readonly memoryMb?: number;
  /**
   * Extra environment variables of the function.
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Where the function's own logs go; null discards them.
   * @default process.stdout
   */
  readonly functionLogs?: NodeJS.WritableStream | null;
  /**
   * The stack's messages (builds, alias changes, 502/504 reasons).
   * @default a line on stderr
   */
  readonly log?: (line: string) => void;
  /**
   * Content types whose bodies reach the function base64-encoded (the API's
   * `binaryMediaTypes`; the deployed API sets none).
   * @default []
   */
  readonly binaryMediaTypes?: readonly string[];
  /**
   * Random source for canary weights.
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Debounce (ms) of watch mode.
   * @default 100
   */
  readonly debounceMs?: number;
  /**
   * Adds routes of the dev server's own (`/`, `/_stagecraft/...`) from a part that local/ must
   * not import (the release console); what it returns is run when the stack stops.
   */
  readonly registerRoutes?: (
    routes: InternalRoutes,
    stack: { readonly stateDir: string },
  ) => (() => Promise<void>) | undefined;
}

/** A running local stack. */
export interface LocalStack {
  /** `http://HOST:PORT`. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** The absolute state dir. */
  readonly stateDir: string;
  /** The embedded DynamoDB endpoint. */
  readonly dynamoEndpoint: string;
  /** The function's versions and aliases. */
  readonly store: LocalFunctionStore;
  /** `http://HOST:PORT/<stage>`, the base URL of a stage. */
  stageUrl(stage: Stage): string;
  /** What each stage's alias points at now. */
  serving(): Promise<Record<Stage, AliasRouting>>;
  /** Rebuilds `$LATEST` now (what watch mode does on a save). */
  rebuild(): Promise<{ code_sha256: string; changed: boolean }>;
  /** Stops everything; resolves when all is closed. */
  stop(): Promise<void>;
}

export { LocalStackError } from './errors.ts';

/** Starts the local stack; see {@link LocalStackOptions}. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[stagecraft dev] ${line}\n`));
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const entry = options.entry ?? HANDLER_ENTRY;
  const host = options.host ?? '127.0.0.1';
  const cleanup: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const step of cleanup.reverse()) await step();
  };

  try {
    if (options.entry !== undefined) await checkHandlerModule(entry);
    await ensurePrivateDir(stateDir);
    const lock = await lockStateDir(stateDir);
    cleanup.push(() => lock.release());
    const store = await LocalFunctionStore.open(stateDir, FUNCTION_NAME);
    const dynamo = await startDynamo(stateLayout(stateDir).dynamodb);
    cleanup.push(() => dynamo.stop());

    await settleInterruptedMove(store, log);
    await buildLatest(store, entry, log);
    await firstDeployment(store, log);
    const binaryMediaTypes = options.binaryMediaTypes ?? [];
    await recordApi(stateDir, await loadApiDefinition(binaryMediaTypes), log);
    const apis = new ApiStageResolver(stateDir, log);
    cleanup.push(() => Promise.resolve(apis.close()));

    const resolver = new AliasResolver(store, {
      log,
      ...(options.random !== undefined && { random: options.random }),
    });
    cleanup.push(() => Promise.resolve(resolver.close()));
    await resolver.current();
    const runner = createRunner(options, dynamo.endpoint);
    cleanup.push(() => runner.close());
    await runner.prepare();

    // The dev server's own routes (`/`, `/_stagecraft/...`): each feature registers its own.
    const internal = new InternalRoutes();
    const metrics = new GatewayMetrics();
    registerMetricsRoute(internal, metrics);
    const unregister = options.registerRoutes?.(internal, { stateDir });
    if (unregister !== undefined) cleanup.push(unregister);
    const server = createGateway(options, resolver, runner, internal, metrics, log, apis);
    await listen(server, options.port ?? 3000, host);
    cleanup.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    );
    const { port } = server.address() as AddressInfo;

    const rebuild = async () => {
      // A saved custom handler that lost its `handler` export is refused like a build error:
      // the previous $LATEST keeps serving.
      const problem = options.entry === undefined ? undefined : await handlerExportProblem(entry);
      if (problem !== undefined) {
        log(`not rebuilt, still serving the previous $LATEST: ${problem}`);
        const previous = await store.latest();
        return { code_sha256: previous?.code_sha256 ?? '', changed: false };
      }
      const result = await buildLatest(store, entry, log);
      if (result.changed) resolver.invalidate();
      await recordApiChange(stateDir, binaryMediaTypes, log);
      apis.invalidate();
      return result;
    };
    if (options.watch ?? true) {
      const watcher = startWatcher(options, entry, rebuild, log);
      cleanup.push(() => watcher.close());
    }

    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    await lock.describe({ url: `${url}/` });
    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      stateDir,
      dynamoEndpoint: dynamo.endpoint,
      store,
      stageUrl: (stage) => `${url}/${stage}`,
      serving: () => resolver.current(),
      rebuild,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

// One worker per version; the function sees the embedded DynamoDB and its stage's table names.
function createRunner(options: LocalStackOptions, dynamoEndpoint: string): FunctionRunner {
  return new FunctionRunner({
    functionName: FUNCTION_NAME,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.memoryMb !== undefined && { memoryMb: options.memoryMb }),
    output: options.functionLogs === undefined ? process.stdout : options.functionLogs,
    environment: {
      [ENDPOINT_ENV]: dynamoEndpoint,
      ...Object.fromEntries(
        STAGES.map((stage) => [STAGE_CONFIG[stage].tableEnvVar, tableNameFor(stage)]),
      ),
      ...options.environment,
    },
  });
}

// The REST API emulation: the route table's resources, each stage calling its alias.
function createGateway(
  options: LocalStackOptions,
  resolver: AliasResolver,
  runner: FunctionRunner,
  internal: InternalRoutes,
  metrics: GatewayMetrics,
  log: (line: string) => void,
  apis: ApiStageResolver,
) {
  return createGatewayServer({
    resolver,
    runner,
    internal,
    metrics,
    // Resources given by a test stand for another API: served as given, on both stages.
    ...(options.resources === undefined && { apis }),
    matcher: new ResourceMatcher(
      STAGES,
      options.resources ?? ROUTES.map((route) => route.resource),
    ),
    ...(options.integrationTimeoutMs !== undefined && {
      integrationTimeoutMs: options.integrationTimeoutMs,
    }),
    api: {
      apiId: 'local',
      accountId: LOCAL_ACCOUNT_ID,
      stageVariables: (stage) => ({ [STAGE_VARIABLE]: stage }),
      binaryMediaTypes: options.binaryMediaTypes ?? [],
      operationName: (resource, method) =>
        ROUTES.find((route) => route.resource === resource && route.method === method)?.operation,
    },
    log,
  });
}

// A rebuild records the API definition too; a definition that does not load (a half-edited
// routes.ts) keeps staging on its current deployment.
async function recordApiChange(
  stateDir: string,
  binaryMediaTypes: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  let definition;
  try {
    definition = await loadApiDefinition(binaryMediaTypes);
  } catch (error) {
    log(
      `cannot read the API definition, staging keeps its API deployment:\n${(error as Error).message}`,
    );
    return;
  }
  await recordApi(stateDir, definition, log);
}

// Watch mode: a save under src/ (or next to a custom entry) rebuilds $LATEST.
function startWatcher(
  options: LocalStackOptions,
  entry: string,
  rebuild: () => Promise<unknown>,
  log: (line: string) => void,
): SourceWatcher {
  const dir = options.watchDir ?? (options.entry === undefined ? SOURCE_DIR : dirname(entry));
  // A custom handler's folder may hold the state dir (written on every request) or
  // node_modules: changes there are not sources.
  const stateDir = relative(dir, resolve(options.stateDir ?? DEFAULT_STATE_DIR));
  const ignored = (path: string) =>
    path === stateDir ||
    path.startsWith(`${stateDir}${sep}`) ||
    path.split(sep).some((part) => part === 'node_modules' || part === '.git');
  return watchSources({
    dir,
    log,
    ignore: ignored,
    rebuild: async () => {
      await rebuild();
    },
    ...(options.debounceMs !== undefined && { debounceMs: options.debounceMs }),
  });
}

async function lockStateDir(stateDir: string) {
  try {
    return await acquireStateLock(stateDir);
  } catch (error) {
    if (error instanceof StateDirInUseError) throw new LocalStackError(error.message);
    throw error;
  }
}

async function startDynamo(path: string): Promise<EmbeddedDynamo> {
  await checkDynamoData(path);
  try {
    return await startEmbeddedDynamo({ path });
  } catch (error) {
    const message = (error as Error).message;
    if (/Database is closed|[Cc]orrupt/.test(message))
      throw dynamoDamaged(path, 'cannot be opened');
    if (/lock|LOCK|already held/.test(message)) {
      throw new LocalStackError(
        `the DynamoDB data in ${path} is in use by another process (another \`stagecraft dev\` on the same --state-dir?)`,
      );
    }
    throw error;
  }
}

const DYNAMO_RECOVERY =
  'the local DynamoDB data cannot be read: restore the folder from a backup, or delete it to ' +
  'start with empty tables (every local item is lost; versions, aliases and history are not)';

function dynamoDamaged(path: string, problem: string): StateFileDamagedError {
  return new StateFileDamagedError(path, problem, DYNAMO_RECOVERY);
}

// LevelDB's CURRENT names the live manifest; when it is damaged dynalite only says "Database
// is closed" on the first request. Check it before opening, and name the file.
async function checkDynamoData(path: string): Promise<void> {
  const currentPath = join(path, 'CURRENT');
  const current = await readTextIfExists(currentPath);
  if (current === undefined) return; // a new data folder
  const manifest = /^(MANIFEST-\d+)\n$/.exec(current)?.[1];
  if (manifest === undefined) throw dynamoDamaged(currentPath, 'does not name a LevelDB manifest');
  if ((await readTextIfExists(join(path, manifest))) === undefined) {
    throw dynamoDamaged(currentPath, `names ${manifest}, which does not exist`);
  }
}

function listen(server: ReturnType<typeof createGatewayServer>, port: number, host: string) {
  return new Promise<void>((done, fail) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        fail(
          new LocalStackError(
            `port ${port} on ${host} is already in use; choose another with --port`,
          ),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        fail(new LocalStackError(`cannot bind ${host}: not an address of this machine`));
      } else if (error.code === 'EACCES') {
        fail(new LocalStackError(`not allowed to bind port ${port} on ${host}`));
      } else {
        fail(error);
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      done();
    });
  });
}
