// `stagecraft dev`: the local stack — embedded DynamoDB, both API Gateway stages, Lambda
// versions and aliases, watch mode — until Ctrl-C or SIGTERM.
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { STAGES } from '../../../config/stages.ts';
import { formatRouting } from '../../../platform/alias.ts';
import { FunctionStoreError } from '../../../state/function-store.ts';
import { DEFAULT_STATE_DIR } from '../../../state/layout.ts';
import { StagecraftError } from '../../../errors.ts';
import { DEFAULT_TIMEOUT_MS } from '../../../local/lambda/runner.ts';
import { LocalStackError, startLocalStack } from '../../../local/stack.ts';
import { ROUTES } from '../../../service/routes.ts';
import type { CommandContext } from '../../command.ts';
import { CliError, UsageError } from '../../errors.ts';

/** Help kept as data, so `--help` and docs/local.md say the same thing. */
export const HELP = {
  usage: `stagecraft dev [--port 3000] [--host 127.0.0.1] [--state-dir ${DEFAULT_STATE_DIR}] [--no-watch] [--timeout 10]`,
  summary:
    'Runs the user API locally: API Gateway stages staging and prod, each calling its Lambda ' +
    'alias (staging → $LATEST, prod → a published version), on an embedded DynamoDB.',
  options: [
    { flag: '--port N', text: 'port of the local API Gateway; 0 picks a free one (default: 3000)' },
    { flag: '--host ADDR', text: 'address to bind (default: 127.0.0.1, this machine only)' },
    {
      flag: '--state-dir DIR',
      text: `DynamoDB data, versions, aliases and release history (default: ${DEFAULT_STATE_DIR})`,
    },
    { flag: '--no-watch', text: 'do not rebuild $LATEST when a file under src/ changes' },
    {
      flag: '--timeout S',
      text: 'function timeout in seconds; slower requests get 504 (default: 10, as deployed)',
    },
    { flag: '-h, --help', text: 'show this help' },
  ],
} as const;

function helpText(): string {
  const width = Math.max(...HELP.options.map((o) => o.flag.length));
  return [
    `Usage: ${HELP.usage}`,
    '',
    HELP.summary,
    '',
    'Options:',
    ...HELP.options.map((o) => `  ${o.flag.padEnd(width)}  ${o.text}`),
    '',
  ].join('\n');
}

interface DevOptions {
  readonly port: number;
  readonly host: string;
  readonly stateDir: string;
  readonly watch: boolean;
  readonly timeoutMs: number;
}

function parse(argv: readonly string[]): DevOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'state-dir': { type: 'string' },
        'no-watch': { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${helpText()}`);
  }
  if (values.help === true) return 'help';
  const port = values.port ?? '3000';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new UsageError(`--port must be a number 0–65535, got '${port}'`);
  }
  const timeout = values.timeout ?? String(DEFAULT_TIMEOUT_MS / 1000);
  if (!/^\d+(\.\d+)?$/.test(timeout) || Number(timeout) <= 0 || Number(timeout) > 900) {
    throw new UsageError(
      `--timeout must be seconds within (0, 900] as in Lambda, got '${timeout}'`,
    );
  }
  const host = values.host ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  const stateDir = values['state-dir'] ?? DEFAULT_STATE_DIR;
  if (stateDir === '') throw new UsageError('--state-dir must not be empty');
  return {
    port: Number(port),
    host,
    stateDir,
    watch: values['no-watch'] !== true,
    timeoutMs: Math.round(Number(timeout) * 1000),
  };
}

/** Starts the local stack and serves until SIGINT/SIGTERM. */
export async function run(ctx: CommandContext): Promise<number> {
  const options = parse(ctx.argv);
  if (options === 'help') {
    ctx.stdout.write(helpText());
    return 0;
  }
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
      functionLogs: ctx.stdout,
      log,
    });
  } catch (error) {
    stopRequested.dispose();
    // Problems the user can fix: a port, a state dir, a build error, a broken state file.
    if (
      error instanceof LocalStackError ||
      error instanceof FunctionStoreError ||
      error instanceof StagecraftError
    ) {
      throw new CliError(error.message);
    }
    throw error;
  }

  const serving = await stack.serving();
  const resources = [...new Set(ROUTES.map((route) => route.resource))];
  const rows = STAGES.flatMap((stage) =>
    resources.map((resource) => [stage, `${stack.stageUrl(stage)}${resource}`] as const),
  );
  const stageWidth = Math.max(...rows.map(([stage]) => stage.length));
  const urlWidth = Math.max(...rows.map(([, url]) => url.length));
  for (const [stage, url] of rows) {
    ctx.stdout.write(
      `${stage.padEnd(stageWidth)}  ${url.padEnd(urlWidth)}  → ${formatRouting(serving[stage], 'serving')}\n`,
    );
  }
  log(`DynamoDB ${stack.dynamoEndpoint}, state in ${relative(ctx.cwd, stack.stateDir) || '.'}`);
  if (options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
    log(`bound to ${options.host}: reachable from other machines`);
  }
  log(options.watch ? 'watching src/ for changes (--no-watch to disable)' : 'watch mode off');
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
