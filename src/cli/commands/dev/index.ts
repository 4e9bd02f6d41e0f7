// `stagecraft dev`: the local stack — embedded DynamoDB, both API Gateway stages, Lambda
// versions and aliases, watch mode — until Ctrl-C or SIGTERM.
import { dirname, relative, resolve } from 'node:path';
import { INTEGRATION_TIMEOUT_SECONDS } from '../../../config/gateway.ts';
import { STAGES } from '../../../config/stages.ts';
import { formatRouting } from '../../../platform/alias.ts';
import { DEFAULT_TIMEOUT_MS } from '../../../local/lambda/runner.ts';
import { startLocalStack } from '../../../local/stack.ts';
import { registerConsole } from '../../../console/routes.ts';
import { ROUTES } from '../../../service/routes.ts';
import { DEFAULT_STATE_DIR } from '../../../state/layout.ts';
import { flagReader } from '../../argv.ts';
import type { CommandContext, ParsedArgs } from '../../command.ts';
import { UsageError } from '../../errors.ts';

interface DevOptions {
  readonly port: number;
  readonly host: string;
  readonly stateDir: string;
  readonly watch: boolean;
  readonly timeoutMs: number;
  readonly integrationTimeoutMs: number;
  /** A custom handler module (`--handler`), relative to the working directory. */
  readonly handler: string | undefined;
  readonly json: boolean;
}

// The parsed flags → checked options (bad values are usage errors, exit 2).
function devOptions(args: ParsedArgs): DevOptions {
  const { str, bool } = flagReader(args);
  const port = str('port') ?? '3000';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new UsageError(`--port must be a number 0–65535, got '${port}'`);
  }
  const timeout = str('timeout') ?? String(DEFAULT_TIMEOUT_MS / 1000);
  if (!/^\d+(\.\d+)?$/.test(timeout) || Number(timeout) <= 0 || Number(timeout) > 900) {
    throw new UsageError(
      `--timeout must be seconds within (0, 900] as in Lambda, got '${timeout}'`,
    );
  }
  const integrationTimeout = str('integration-timeout') ?? String(INTEGRATION_TIMEOUT_SECONDS);
  if (
    !/^\d+(\.\d+)?$/.test(integrationTimeout) ||
    Number(integrationTimeout) < 0.05 ||
    Number(integrationTimeout) > 900
  ) {
    throw new UsageError(
      `--integration-timeout must be seconds within [0.05, 900], got '${integrationTimeout}'`,
    );
  }
  const handler = str('handler');
  if (handler === '') throw new UsageError('--handler must not be empty');
  const host = str('host') ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  const stateDir = str('state-dir') ?? DEFAULT_STATE_DIR;
  if (stateDir === '') throw new UsageError('--state-dir must not be empty');
  return {
    port: Number(port),
    host,
    stateDir,
    watch: !bool('no-watch'),
    timeoutMs: Math.round(Number(timeout) * 1000),
    integrationTimeoutMs: Math.round(Number(integrationTimeout) * 1000),
    handler,
    json: bool('json'),
  };
}

/** Starts the local stack and serves until SIGINT/SIGTERM. */
export async function run(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const options = devOptions(args);
  const log = (line: string) => ctx.stderr.write(`[stagecraft dev] ${line}\n`);
  // Listen before anything is printed: a signal sent as soon as the URLs appear must stop us
  // cleanly, not kill us with the default disposition.
  const stopRequested = listenForStopSignal();
  let stack;
  try {
    stack = await startLocalStack({
      port: options.port,
      host: options.host,
      stateDir: resolve(ctx.cwd, options.stateDir),
      watch: options.watch,
      timeoutMs: options.timeoutMs,
      integrationTimeoutMs: options.integrationTimeoutMs,
      ...(options.handler !== undefined && { entry: resolve(ctx.cwd, options.handler) }),
      // With --json, stdout holds the one JSON object; the function's logs go to stderr.
      functionLogs: options.json ? ctx.stderr : ctx.stdout,
      log,
      // The release console at / and /_stagecraft/ (docs/console.md).
      registerRoutes: (routes, stack) => registerConsole(routes, { stateDir: stack.stateDir }),
    });
  } catch (error) {
    // Problems the user can fix (a port, a state dir, a build error, a broken state file) are
    // StagecraftErrors: the error mapper reports them.
    stopRequested.dispose();
    throw error;
  }

  const serving = await stack.serving();
  const resources = [...new Set(ROUTES.map((route) => route.resource))];
  const rows = STAGES.flatMap((stage) =>
    resources.map((resource) => [stage, `${stack.stageUrl(stage)}${resource}`] as const),
  );
  const stageWidth = Math.max(...rows.map(([stage]) => stage.length));
  const urlWidth = Math.max(...rows.map(([, url]) => url.length));
  if (options.json) {
    const routes = rows.map(([stage, url]) => ({
      stage,
      url,
      serves: formatRouting(serving[stage], 'serving'),
    }));
    const ready = {
      routes,
      dynamodb_endpoint: stack.dynamoEndpoint,
      state_dir: stack.stateDir,
      console_url: `${stack.url}/`,
    };
    ctx.stdout.write(`${JSON.stringify(ready, null, 2)}\n`);
  } else {
    for (const [stage, url] of rows) {
      ctx.stdout.write(
        `${stage.padEnd(stageWidth)}  ${url.padEnd(urlWidth)}  → ${formatRouting(serving[stage], 'serving')}\n`,
      );
    }
  }
  log(`release console ${stack.url}/`);
  log(`DynamoDB ${stack.dynamoEndpoint}, state in ${relative(ctx.cwd, stack.stateDir) || '.'}`);
  if (options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
    log(`bound to ${options.host}: reachable from other machines`);
  }
  if (options.handler !== undefined) log(`serving the handler export of ${options.handler}`);
  const watched =
    options.handler === undefined
      ? 'src/'
      : `${relative(ctx.cwd, dirname(resolve(ctx.cwd, options.handler))) || '.'}/`;
  log(options.watch ? `watching ${watched} for changes (--no-watch to disable)` : 'watch mode off');
  log('ready; Ctrl-C to stop');

  const signal = await stopRequested.signal;
  log(`${signal}: stopping`);
  await stack.stop();
  log('stopped');
  return 0;
}

function listenForStopSignal(): { signal: Promise<NodeJS.Signals>; dispose: () => void } {
  let dispose = () => {};
  const signal = new Promise<NodeJS.Signals>((resolveSignal) => {
    const onSignal = (name: NodeJS.Signals) => {
      dispose();
      resolveSignal(name);
    };
    dispose = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
    // After the first signal the listeners are gone, so a second Ctrl-C kills at once.
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { signal, dispose };
}
