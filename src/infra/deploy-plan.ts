/**
 * Decides which version the `prod` alias keeps during a deploy, and the `cdk deploy` command
 * line that says so. Pure: `readLiveProd` supplies the facts, tests supply them directly.
 *
 * The rule: a deploy never moves prod. An existing stack passes its live alias back as the
 * `ProdVersion` parameter; only a first deploy (no function yet) chooses, and since no version
 * exists before the function does, that choice can only be `$LATEST`.
 */
import { LATEST } from '../config/stages.ts';
import {
  PROD_VERSION_PARAMETER,
  PROD_VERSION_PATTERN,
  STACK_NAME_CONTEXT,
} from '../config/aws-stack.ts';
import type { LiveProd } from '../platform/aws/live.ts';
import { StagecraftError } from '../errors.ts';

/** Why a deploy must not run as asked. */
export type DeployPlanErrorCode =
  /** The deploy would move prod, races a busy stack, or needs --prod-version. */
  'deploy.refused';

/** A deploy that must not run as asked; the message says what to do instead. */
export class DeployPlanError extends StagecraftError<DeployPlanErrorCode> {
  override readonly name = 'DeployPlanError';

  /**
   * @param message what went wrong and what to do about it
   * @param options `code` (default `deploy.refused`) and the underlying error
   */
  constructor(message: string, options?: { code?: DeployPlanErrorCode; cause?: unknown }) {
    super(
      options?.code ?? 'deploy.refused',
      message,
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
  }
}

/** What the command line asked for. */
export interface DeployRequest {
  /** The CloudFormation stack. */
  readonly stackName: string;
  /** `--prod-version`: `$LATEST`/`latest` or a version number; only for a first deploy or repair. */
  readonly prodVersion?: string;
  /** `--profile`, passed to cdk. */
  readonly profile?: string;
  /** `--region`, passed to cdk. */
  readonly region?: string;
  /** Arguments after `--`, passed to `cdk deploy` as they are. */
  readonly extraArgs?: readonly string[];
}

/** The planned deploy. */
export interface DeployPlan {
  /** The value of the `ProdVersion` parameter. */
  readonly prodVersion: string;
  /** Why that value, for the user. */
  readonly reason: string;
  /** True when the stack does not exist yet. */
  readonly firstDeploy: boolean;
  /** Arguments to the cdk CLI. */
  readonly cdkArgs: readonly string[];
}

/**
 * Normalizes a `--prod-version` value: `latest` (easier to type than a quoted `$LATEST`) or
 * `$LATEST` → `$LATEST`; a version number as it is.
 * @throws DeployPlanError for anything else
 */
export function parseProdVersion(value: string): string {
  const normalized = value.toLowerCase() === 'latest' || value === LATEST ? LATEST : value;
  if (!PROD_VERSION_PATTERN.test(normalized)) {
    throw new DeployPlanError(
      `--prod-version '${value}' is not a Lambda version: give a published version number (1, 2, …) or 'latest'`,
    );
  }
  return normalized;
}

/**
 * Plans the deploy from what is live.
 * @throws DeployPlanError when the deploy would move prod, cannot know where prod is, or the
 *   stack is busy
 */
export function planDeploy(live: LiveProd, request: DeployRequest): DeployPlan {
  const requested =
    request.prodVersion === undefined ? undefined : parseProdVersion(request.prodVersion);
  const { prodVersion, reason } = chooseProdVersion(live, requested, request.stackName);
  return {
    prodVersion,
    reason,
    firstDeploy: live.kind === 'absent',
    cdkArgs: cdkDeployArgs(request, prodVersion),
  };
}

function chooseProdVersion(
  live: LiveProd,
  requested: string | undefined,
  stackName: string,
): { prodVersion: string; reason: string } {
  switch (live.kind) {
    case 'busy':
      throw new DeployPlanError(
        `stack ${stackName} is ${live.status}; wait until that operation finishes, then deploy again`,
      );
    case 'absent':
      if (requested === undefined) {
        throw new DeployPlanError(
          `stack ${stackName} does not exist yet: this is a first deploy, and no Lambda version exists to pin prod to. ` +
            `Run it with --prod-version latest (prod follows $LATEST until your first 'stagecraft release promote --target aws'; see docs/aws.md)`,
        );
      }
      if (requested !== LATEST) {
        throw new DeployPlanError(
          `stack ${stackName} does not exist yet, so version ${requested} cannot exist either (the deploy creates the function). ` +
            'Use --prod-version latest for the first deploy, then release publish and promote',
        );
      }
      return {
        prodVersion: LATEST,
        reason: 'first deploy: prod follows $LATEST until the first promote',
      };
    case 'unknown':
      if (requested === undefined) {
        throw new DeployPlanError(
          `cannot read the live prod alias of stack ${stackName} (${live.reason}); ` +
            'pass --prod-version with the version prod must keep (see stagecraft release history --target aws)',
        );
      }
      return { prodVersion: requested, reason: `--prod-version (${live.reason})` };
    case 'live': {
      const { version, weights } = live.alias;
      const canary = Object.entries(weights);
      if (canary.length > 0) {
        const shares = canary
          .map(([v, w]) => `version ${v} at ${Math.round(w * 1000) / 10}%`)
          .join(', ');
        // The stack's alias has no routing config: deploying would end the canary silently.
        throw new DeployPlanError(
          `prod is mid-canary (${version}, with ${shares}); finish it with 'stagecraft release promote --complete --target aws' ` +
            `or abort it with 'stagecraft release rollback --target aws', then deploy`,
        );
      }
      if (requested !== undefined && requested !== version) {
        throw new DeployPlanError(
          `prod is live at version ${version}; a deploy never moves prod, so --prod-version ${requested} is refused. ` +
            `Move prod with 'stagecraft release promote ${requested} --target aws' (or rollback)`,
        );
      }
      return { prodVersion: version, reason: `the live ${live.functionName}:prod alias` };
    }
  }
}

/** The `cdk deploy` arguments for a stack and the prod version it keeps. */
export function cdkDeployArgs(request: DeployRequest, prodVersion: string): string[] {
  return [
    'deploy',
    request.stackName,
    '--context',
    `${STACK_NAME_CONTEXT}=${request.stackName}`,
    '--parameters',
    `${request.stackName}:${PROD_VERSION_PARAMETER}=${prodVersion}`,
    '--no-notices',
    ...(request.profile === undefined ? [] : ['--profile', request.profile]),
    ...(request.region === undefined ? [] : ['--region', request.region]),
    ...(request.extraArgs ?? []),
  ];
}
