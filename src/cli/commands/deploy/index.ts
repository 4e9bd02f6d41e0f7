// `stagecraft deploy`: on AWS, `cdk deploy` with the prod alias pinned where it is live, so a
// deploy updates $LATEST (staging) and never moves prod. The command line only; the deploy is
// a release operation (src/release/operations/deploy.ts) that holds the release lock.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  cdkCliPath,
  PROJECT_ROOT,
  spawnProcess,
  type ProcessRunner,
} from '../../../infra/cdk-cli.ts';
import { DEFAULT_STACK_NAME } from '../../../config/aws-stack.ts';
import { isStackName } from '../../../infra/context.ts';
import { parseProdVersion, type DeployRequest } from '../../../release/deploy-plan.ts';
import { deploy } from '../../../release/operations/deploy.ts';
import { type AwsClients, createAwsClients } from '../../../platform/aws/clients.ts';
import { isReleaseError, isStagecraftError } from '../../../errors.ts';
import type { CommandContext } from '../../command.ts';
import { CliError, UsageError } from '../../errors.ts';

/**
 * The state dir the release commands use by default (their `--state-dir`); kept here rather
 * than imported so deploy does not load the release CLI (a test holds the two equal).
 */
import { DEFAULT_STATE_DIR } from '../../../state/layout.ts';

export { DEFAULT_STATE_DIR };

/** Help kept as data, so `--help` and docs/aws.md say the same thing. */
export const HELP = {
  usage:
    'stagecraft deploy --target aws [--stack NAME] [--profile NAME] [--region NAME] [--prod-version N|latest] [--state-dir DIR] [--dry-run] [-- CDK_ARGS…]',
  summary: [
    'Deploys the CDK stack (src/infra) with `cdk deploy`: tables, the Lambda ($LATEST, which the',
    'staging alias follows), the REST API and its stages. The prod alias stays where it is live:',
    'the command reads it first (DescribeStacks → FunctionName, GetAlias prod) and passes it as the',
    'ProdVersion parameter. Move prod only with `stagecraft release promote|rollback --target aws`.',
    '',
    'The live read and the cdk run hold the release lock of the state dir (the one the release',
    'commands take), so a promote or rollback cannot land in between and be undone by the deploy.',
    'While a release command holds it, deploy refuses at once (exit 1); --dry-run takes no lock.',
    '',
    'First deploy (no stack yet): no version exists, so pass --prod-version latest; prod follows',
    '$LATEST until the first `release promote` (which publishes the verified $LATEST).',
    '',
    '--target local: the local stack needs no deploy; `stagecraft dev` is it.',
  ],
  options: [
    ['--target aws|local', 'where to deploy (required)'],
    ['--stack NAME', `CloudFormation stack name (default ${DEFAULT_STACK_NAME})`],
    [
      '--profile NAME',
      'AWS profile for the live read and for cdk (default: AWS_PROFILE / default)',
    ],
    ['--region NAME', 'AWS region (default: AWS_REGION / the profile’s region)'],
    [
      '--prod-version N|latest',
      'first deploy: latest; repair: the version prod must keep when the live alias is unreadable',
    ],
    [
      '--state-dir DIR',
      `state dir whose release lock to hold (default ${DEFAULT_STATE_DIR}; as for release)`,
    ],
    ['--dry-run', 'read the live alias and print the cdk command; deploy nothing'],
    ['-- CDK_ARGS…', 'passed to cdk deploy as they are (e.g. -- --require-approval never)'],
    ['-h, --help', 'show this help'],
  ],
  exitCodes: [
    '0  deployed (or --dry-run / --target local)',
    '1  refused (would move prod, canary running, stack busy, release lock held), AWS read failed, or cdk failed',
    '2  bad command line',
  ],
} as const;

function helpText(): string {
  const width = Math.max(...HELP.options.map(([flag]) => flag.length));
  return [
    `Usage: ${HELP.usage}`,
    '',
    ...HELP.summary,
    '',
    'Options:',
    ...HELP.options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    '',
    'Exit codes:',
    ...HELP.exitCodes.map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/** What `--target local` prints: the local stack is deployed by running it. */
export const LOCAL_DEPLOY_NOTE = [
  'The local stack has nothing to deploy: `stagecraft dev` is the local deploy. It builds $LATEST',
  'from src/ (again on every save), serves http://127.0.0.1:3000/<stage>/user/{id} through the',
  'staging and prod aliases, and keeps its state in .stagecraft/. Release locally with',
  '`stagecraft release … --target local`.',
  '',
].join('\n');

/** What tests replace. */
export interface DeployDeps {
  /** Runs the cdk CLI (tests record the call instead). */
  readonly runProcess?: ProcessRunner;
  /** Builds the clients (tests pass ones aws-sdk-client-mock controls). */
  readonly createClients?: (options: { profile?: string; region?: string }) => AwsClients;
}

/**
 * Runs `deploy`.
 * @param ctx arguments, streams and environment
 */
export async function run(ctx: CommandContext): Promise<number> {
  return runDeploy(ctx, {});
}

/**
 * Runs `deploy` with replaceable dependencies.
 * @param ctx arguments, streams and environment
 * @param deps the process runner and the client factory
 */
export async function runDeploy(ctx: CommandContext, deps: DeployDeps): Promise<number> {
  const parsed = parseOptions(ctx.argv);
  if (parsed === 'help') {
    ctx.stdout.write(helpText());
    return 0;
  }
  if (parsed.target === 'local') {
    ctx.stdout.write(LOCAL_DEPLOY_NOTE);
    return 0;
  }
  const { request, dryRun } = parsed;
  const clients = (deps.createClients ?? createAwsClients)({
    ...(request.profile !== undefined && { profile: request.profile }),
    ...(request.region !== undefined && { region: request.region }),
  });
  const runProcess = deps.runProcess ?? spawnProcess;
  let plan;
  try {
    plan = await deploy({
      clients,
      request,
      dryRun,
      stateDir: resolve(ctx.cwd, parsed.stateDir),
      commandLine: ['deploy', ...ctx.argv].join(' '),
      runCdk: (args) =>
        runProcess(process.execPath, [cdkCliPath(), ...args], { cwd: PROJECT_ROOT, env: ctx.env }),
      onPlan: (planned) =>
        ctx.stderr.write(
          `stack ${request.stackName}: prod stays at ${planned.prodVersion} (${planned.reason}); ` +
            `staging ($LATEST) gets the code built now\n`,
        ),
    });
  } catch (error) {
    if (isStagecraftError(error)) throw new CliError(error.message);
    throw error;
  } finally {
    clients.cloudformation.destroy();
    clients.lambda.destroy();
  }
  if (dryRun) {
    ctx.stdout.write(`cdk ${plan.cdkArgs.map(quote).join(' ')}\n`);
  } else if (plan.firstDeploy) {
    ctx.stderr.write(
      'first deploy done; next: stagecraft release verify --target aws, then stagecraft release promote --target aws (it publishes the verified code as version 1; docs/aws.md)\n',
    );
  }
  return 0;
}

type Parsed =
  | 'help'
  | { target: 'local' }
  | { target: 'aws'; request: DeployRequest; dryRun: boolean; stateDir: string };

function parseOptions(argv: readonly string[]): Parsed {
  // Everything after `--` belongs to cdk deploy.
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const extraArgs = split === -1 ? [] : argv.slice(split + 1);
  let values;
  try {
    ({ values } = parseArgs({
      args: [...own],
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        stack: { type: 'string' },
        profile: { type: 'string' },
        region: { type: 'string' },
        'prod-version': { type: 'string' },
        'state-dir': { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nRun 'stagecraft deploy --help' for usage.`);
  }
  if (values.help === true) return 'help';
  if (values.target === undefined) {
    throw new UsageError('--target is required: aws (cdk deploy to your account) or local');
  }
  if (values.target !== 'aws' && values.target !== 'local') {
    throw new UsageError(`--target must be aws or local, not '${values.target}'`);
  }
  if (values.target === 'local') return { target: 'local' };
  for (const flag of ['stack', 'profile', 'region', 'prod-version', 'state-dir'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a value`);
  }
  if (values.stack !== undefined && !isStackName(values.stack)) {
    throw new UsageError(`--stack '${values.stack}' is not a CloudFormation stack name`);
  }
  let prodVersion: string | undefined;
  try {
    prodVersion =
      values['prod-version'] === undefined ? undefined : parseProdVersion(values['prod-version']);
  } catch (error) {
    if (isReleaseError(error, 'deploy.')) throw new UsageError(error.message);
    throw error;
  }
  return {
    target: 'aws',
    dryRun: values['dry-run'] === true,
    stateDir: values['state-dir'] ?? DEFAULT_STATE_DIR,
    request: {
      stackName: values.stack ?? DEFAULT_STACK_NAME,
      ...(prodVersion !== undefined && { prodVersion }),
      ...(values.profile !== undefined && { profile: values.profile }),
      ...(values.region !== undefined && { region: values.region }),
      extraArgs,
    },
  };
}

// Shell-quotes an argument for display (`$LATEST` must not expand when pasted).
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
