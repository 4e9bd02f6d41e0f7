/**
 * `deploy` as a release operation: read where prod is live, plan (release/deploy-plan.ts),
 * then run `cdk deploy` with prod pinned there — all under the state dir's release lock, so a
 * `release promote` landing between the live read and the cdk run cannot be reverted by the
 * deploy's stale ProdVersion. The live read uses the platform's AWS reads (DescribeStacks,
 * GetAlias) and so explains AWS failures like every other command.
 */
import { OUTPUTS } from '../../config/aws-stack.ts';
import { STAGE_CONFIG } from '../../config/stages.ts';
import { isReleaseError, ReleaseError } from '../../errors.ts';
import { routingOf } from '../../platform/alias.ts';
import type { AwsClients } from '../../platform/aws/clients.ts';
import { readAwsAlias, readAwsApiStageDeployment } from '../../platform/aws/control-plane.ts';
import { describeStack } from '../../platform/aws/stack-outputs.ts';
import { acquireLock, type HeldLock, lockPathFor } from '../../state/release-lock.ts';
import { type DeployPlan, type DeployRequest, type LiveProd, planDeploy } from '../deploy-plan.ts';

/** What {@link deploy} needs; the CLI builds it, tests inject the clients and the cdk run. */
export interface DeployOptions {
  /** The AWS clients (with the release retry settings) for the live read. */
  readonly clients: AwsClients;
  /** The stack, `--prod-version`, and what is passed to cdk. */
  readonly request: DeployRequest;
  /** The state dir whose release lock the deploy holds. */
  readonly stateDir: string;
  /** The command, as the lock records it for anyone who finds it taken. */
  readonly commandLine: string;
  /** Read and plan only: no lock (like `release status`), no cdk run. */
  readonly dryRun: boolean;
  /** Runs `cdk` with these arguments and resolves to its exit code. */
  readonly runCdk: (args: readonly string[]) => Promise<number>;
  /** Told the plan before cdk runs, so the user sees where prod stays while cdk works. */
  readonly onPlan?: (plan: DeployPlan) => void;
}

/**
 * Deploys the stack without moving prod and resolves to the plan it followed.
 * @throws ReleaseError `lock.busy` (another release command runs), `deploy.refused` (the plan
 *   refuses), `deploy.failed` (cdk failed), `aws.*` (the live read failed)
 */
export async function deploy(options: DeployOptions): Promise<DeployPlan> {
  // A dry run only reads, like `release status`: it takes no lock.
  if (options.dryRun) return readPlanRun(options);
  const lock = await takeReleaseLock(options.stateDir, options.commandLine);
  try {
    return await readPlanRun(options);
  } finally {
    await lock.release();
  }
}

async function readPlanRun(options: DeployOptions): Promise<DeployPlan> {
  const live = await readLiveProd(options.clients, options.request.stackName);
  const plan = planDeploy(live, options.request);
  options.onPlan?.(plan);
  if (options.dryRun) return plan;
  const code = await options.runCdk(plan.cdkArgs);
  if (code !== 0) {
    throw new ReleaseError(
      'deploy.failed',
      `cdk deploy failed (exit code ${code}); its output is above`,
    );
  }
  return plan;
}

// The same lock file and owner record the release commands use, so each side names the other.
async function takeReleaseLock(stateDir: string, command: string): Promise<HeldLock> {
  try {
    return await acquireLock(lockPathFor(stateDir), { command });
  } catch (error) {
    if (isReleaseError(error, 'lock.busy')) {
      throw new ReleaseError('lock.busy', `not deploying now: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

// A stack that exists by name but holds no function: creation failed and rolled back, or a
// change set was created but never executed. CDK replaces such a stack on deploy.
const NOTHING_DEPLOYED = new Set(['ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS']);

/**
 * What is live on AWS before a deploy: whether the stack exists, and where its `prod` alias
 * points. Only reads.
 */
export async function readLiveProd(clients: AwsClients, stackName: string): Promise<LiveProd> {
  const stack = await describeStack(clients.cloudformation, stackName);
  if (stack === undefined) return { kind: 'absent' };
  const { status } = stack;
  if (NOTHING_DEPLOYED.has(status)) return { kind: 'absent', status };
  if (status.endsWith('_IN_PROGRESS')) return { kind: 'busy', status };

  const functionName = stack.outputs[OUTPUTS.functionName];
  if (functionName === undefined || functionName === '') {
    return { kind: 'unknown', status, reason: `the stack has no ${OUTPUTS.functionName} output` };
  }
  const where = `alias ${functionName}:${STAGE_CONFIG.prod.alias}`;
  let alias;
  try {
    alias = await readAwsAlias(clients.lambda, functionName, 'prod');
  } catch (error) {
    if (isReleaseError(error, 'alias.not-found')) {
      return { kind: 'unknown', status, reason: `${where} does not exist` };
    }
    throw error;
  }
  if (alias.version === '') return { kind: 'unknown', status, reason: `${where} has no version` };
  // Prod's API deployment, passed back like the alias (GetStage); a stack from before API
  // deployments has the stage too, so its live deployment is kept across the upgrade.
  const restApiId = stack.outputs[OUTPUTS.apiId];
  const apiDeployment =
    clients.apigateway !== undefined && restApiId !== undefined && restApiId !== ''
      ? await readAwsApiStageDeployment(clients.apigateway, restApiId, 'prod')
      : undefined;
  return {
    kind: 'live',
    status,
    functionName,
    alias: routingOf(alias),
    ...(apiDeployment !== undefined && { apiDeployment }),
  };
}
