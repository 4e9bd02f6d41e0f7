// `stagecraft deploy`: on AWS, `cdk deploy` with the prod alias pinned where it is live, so a
// deploy updates $LATEST (staging) and never moves prod. The command line only; the deploy is
// a release operation (src/release/operations/deploy.ts) that holds the release lock.
import { resolve } from 'node:path';
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
import type { AwsClients } from '../../../platform/aws/clients.ts';
import { isReleaseError } from '../../../errors.ts';
import { flagReader, parseCommandArgs } from '../../argv.ts';
import type { CommandContext, ParsedArgs } from '../../command.ts';
import { UsageError } from '../../errors.ts';
import { DEFAULT_STATE_DIR, DEPLOY } from './spec.ts';

export { DEFAULT_STATE_DIR } from './spec.ts';

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
 * @param ctx streams and environment
 * @param args the parsed command line
 */
export async function run(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  return runDeploy(ctx, {}, args);
}

/**
 * Runs `deploy` with replaceable dependencies.
 * @param ctx arguments, streams and environment
 * @param deps the process runner and the client factory
 * @param args the parsed command line (default: `ctx.argv` parsed)
 */
export async function runDeploy(
  ctx: CommandContext,
  deps: DeployDeps,
  args: ParsedArgs = parseCommandArgs(DEPLOY, ctx.argv, 'deploy'),
): Promise<number> {
  const parsed = deployOptions(args);
  if (parsed.target === 'local') {
    if (parsed.json) writeJson(ctx, { target: 'local', deployed: false, note: LOCAL_DEPLOY_NOTE });
    else ctx.stdout.write(LOCAL_DEPLOY_NOTE);
    return 0;
  }
  const { request, dryRun, json } = parsed;
  // Loaded only here: `deploy --help` and `--target local` need no AWS SDK.
  const createClients =
    deps.createClients ?? (await import('../../../platform/aws/clients.ts')).createAwsClients;
  const clients = createClients({
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
        runProcess(process.execPath, [cdkCliPath(), ...args], {
          cwd: PROJECT_ROOT,
          env: ctx.env,
          // With --json, stdout holds our one JSON object: cdk's own output goes to stderr.
          ...(json && { stdout: 'stderr' as const }),
        }),
      onPlan: (planned) =>
        ctx.stderr.write(
          `stack ${request.stackName}: prod stays at ${planned.prodVersion} (${planned.reason})` +
            `${planned.prodApiDeployment !== undefined ? ` and on API deployment ${planned.prodApiDeployment}` : ''}; ` +
            `staging ($LATEST) gets the code built now${planned.prodApiDeployment !== undefined ? ' and the newest API deployment' : ''}\n`,
        ),
    });
  } finally {
    clients.cloudformation.destroy();
    clients.lambda.destroy();
    clients.apigateway?.destroy();
  }
  const outcome = {
    target: 'aws',
    stack: request.stackName,
    prod_version: plan.prodVersion,
    ...(plan.prodApiDeployment !== undefined && { prod_api_deployment: plan.prodApiDeployment }),
    reason: plan.reason,
    first_deploy: plan.firstDeploy,
    dry_run: dryRun,
    cdk_args: plan.cdkArgs,
  };
  if (dryRun) {
    if (json) writeJson(ctx, { ...outcome, deployed: false });
    else ctx.stdout.write(`cdk ${plan.cdkArgs.map(quote).join(' ')}\n`);
    return 0;
  }
  if (json) writeJson(ctx, { ...outcome, deployed: true });
  if (plan.firstDeploy) {
    ctx.stderr.write(
      'first deploy done; next: stagecraft release verify --target aws, then stagecraft release promote --target aws (it publishes the verified code as version 1; docs/aws.md)\n',
    );
  }
  return 0;
}

type Parsed = { target: 'local'; json: boolean } | AwsDeploy;

interface AwsDeploy {
  readonly target: 'aws';
  readonly request: DeployRequest;
  readonly dryRun: boolean;
  readonly stateDir: string;
  readonly json: boolean;
}

// The parsed flags → a checked deploy (bad values are usage errors, exit 2).
function deployOptions(args: ParsedArgs): Parsed {
  const { str, bool } = flagReader(args);
  const json = bool('json');
  const target = str('target');
  if (target === undefined) {
    throw new UsageError('--target is required: aws (cdk deploy to your account) or local');
  }
  if (target !== 'aws' && target !== 'local') {
    throw new UsageError(`--target must be aws or local, not '${target}'`);
  }
  if (target === 'local') return { target: 'local', json };
  for (const flag of ['stack', 'profile', 'region', 'prod-version', 'state-dir'] as const) {
    if (str(flag) === '') throw new UsageError(`--${flag} needs a value`);
  }
  const stack = str('stack');
  if (stack !== undefined && !isStackName(stack)) {
    throw new UsageError(`--stack '${stack}' is not a CloudFormation stack name`);
  }
  const profile = str('profile');
  const region = str('region');
  return {
    target: 'aws',
    dryRun: bool('dry-run'),
    stateDir: str('state-dir') ?? DEFAULT_STATE_DIR,
    json,
    request: {
      stackName: stack ?? DEFAULT_STACK_NAME,
      ...prodVersionOption(str('prod-version')),
      ...(profile !== undefined && { profile }),
      ...(region !== undefined && { region }),
      extraArgs: args.rest,
    },
  };
}

// `--prod-version`: a malformed value is a bad command line, not a refused deploy.
function prodVersionOption(value: string | undefined): { prodVersion?: string } {
  if (value === undefined) return {};
  try {
    return { prodVersion: parseProdVersion(value) };
  } catch (error) {
    if (isReleaseError(error, 'deploy.')) throw new UsageError(error.message);
    throw error;
  }
}

// Writes one JSON object and a newline.
function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

// Shell-quotes an argument for display (`$LATEST` must not expand when pasted).
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
