// `stagecraft deploy`: on AWS, `cdk deploy` with the prod alias pinned where it is live, so a
// deploy updates $LATEST (staging) and never moves prod. Read what is live, plan, then run cdk,
// all under the state dir's release lock: a `release promote` landing between the live read and
// the cdk run would otherwise be reverted by the deploy's stale ProdVersion.
import { resolve } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  cdkCliPath,
  PROJECT_ROOT,
  spawnProcess,
  type ProcessRunner,
} from '../../../infra/cdk-cli.ts';
import { DEFAULT_STACK_NAME } from '../../../config/aws-stack.ts';
import { isStackName } from '../../../infra/context.ts';
import {
  DeployPlanError,
  parseProdVersion,
  planDeploy,
  type DeployRequest,
} from '../../../infra/deploy-plan.ts';
import { readLiveProd } from '../../../platform/aws/live.ts';
import { ReleaseError } from '../../../errors.ts';
import { acquireLock, lockPathFor, type HeldLock } from '../../../state/release-lock.ts';
import { parseCommandArgs } from '../../argv.ts';
import type { CommandContext, ParsedArgs } from '../../command.ts';
import { CliError, UsageError } from '../../errors.ts';
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

/** The SDK clients the live read needs. */
export interface DeployClients {
  /** CloudFormation, for DescribeStacks. */
  readonly cloudformation: CloudFormationClient;
  /** Lambda, for GetAlias. */
  readonly lambda: LambdaClient;
}

/** What tests replace. */
export interface DeployDeps {
  /** Runs the cdk CLI (tests record the call instead). */
  readonly runProcess?: ProcessRunner;
  /** Builds the clients (tests pass ones aws-sdk-client-mock controls). */
  readonly createClients?: (options: { profile?: string; region?: string }) => DeployClients;
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
  // A dry run only reads, like `release status`: it takes no lock.
  if (parsed.dryRun) return deployLocked(ctx, deps, parsed);
  const lock = await takeReleaseLock(resolve(ctx.cwd, parsed.stateDir), ctx.argv);
  try {
    return await deployLocked(ctx, deps, parsed);
  } finally {
    await lock.release();
  }
}

// Reads the live prod alias, plans, and (unless dry) runs cdk deploy; the caller holds the lock.
async function deployLocked(
  ctx: CommandContext,
  deps: DeployDeps,
  { request, dryRun, json }: AwsDeploy,
): Promise<number> {
  const clients = (deps.createClients ?? createClients)({
    ...(request.profile !== undefined && { profile: request.profile }),
    ...(request.region !== undefined && { region: request.region }),
  });
  let plan;
  // A LiveReadError or DeployPlanError is a StagecraftError: the error mapper reports it.
  try {
    const live = await readLiveProd({ ...clients, stackName: request.stackName });
    plan = planDeploy(live, request);
  } finally {
    clients.cloudformation.destroy();
    clients.lambda.destroy();
  }
  ctx.stderr.write(
    `stack ${request.stackName}: prod stays at ${plan.prodVersion} (${plan.reason}); ` +
      `staging ($LATEST) gets the code built now\n`,
  );
  const outcome = {
    target: 'aws',
    stack: request.stackName,
    prod_version: plan.prodVersion,
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
  const runProcess = deps.runProcess ?? spawnProcess;
  const code = await runProcess(process.execPath, [cdkCliPath(), ...plan.cdkArgs], {
    cwd: PROJECT_ROOT,
    env: ctx.env,
    // With --json, stdout holds our one JSON object: cdk's own output goes to stderr.
    ...(json && { stdout: 'stderr' as const }),
  });
  if (code !== 0) {
    throw new CliError(
      `cdk deploy failed (exit code ${code}); its output is above`,
      'deploy.cdk-failed',
    );
  }
  if (json) writeJson(ctx, { ...outcome, deployed: true });
  if (plan.firstDeploy) {
    ctx.stderr.write(
      'first deploy done; next: stagecraft release verify --target aws, then stagecraft release promote --target aws (it publishes the verified code as version 1; docs/aws.md)\n',
    );
  }
  return 0;
}

// The same lock file and owner record the release commands use, so each side names the other.
async function takeReleaseLock(stateDir: string, argv: readonly string[]): Promise<HeldLock> {
  try {
    return await acquireLock(lockPathFor(stateDir), { command: ['deploy', ...argv].join(' ') });
  } catch (error) {
    if (error instanceof ReleaseError && error.code === 'lock.busy') {
      throw new ReleaseError('lock.busy', `not deploying now: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function createClients(options: { profile?: string; region?: string }): DeployClients {
  return {
    cloudformation: new CloudFormationClient(options),
    lambda: new LambdaClient(options),
  };
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
  const values = args.values as Readonly<Record<string, string | boolean | undefined>>;
  const str = (name: string) => values[name] as string | undefined;
  const json = values.json === true;
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
    dryRun: values['dry-run'] === true,
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
    if (error instanceof DeployPlanError) throw new UsageError(error.message);
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
