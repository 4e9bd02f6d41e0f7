/**
 * Decides which version the `prod` alias keeps during a deploy, and the `cdk deploy` command
 * line that says so. Pure: the deploy operation reads the facts (`readLiveProd` in
 * operations/deploy.ts), tests supply them directly.
 *
 * The rule: a deploy never moves prod. An existing stack passes its live alias back as the
 * `ProdVersion` parameter, and its prod stage's live API deployment as `ProdApiDeployment`; only a first deploy (no function yet) chooses, and since no version
 * exists before the function does, that choice can only be `$LATEST`.
 */
import { LATEST } from '../config/stages.ts';
import {
  PROD_API_DEPLOYMENT_PARAMETER,
  PROD_VERSION_PARAMETER,
  PROD_VERSION_PATTERN,
  STACK_NAME_CONTEXT,
} from '../config/aws-stack.ts';
import { type AliasRouting, formatRouting, hasCanary } from '../platform/alias.ts';
import { ReleaseError } from '../errors.ts';

/** What the deploy found on AWS. */
export type LiveProd =
  /** No stack (or one whose creation failed and rolled back): the function does not exist. */
  | { readonly kind: 'absent'; readonly status?: string }
  /** A stack mid-operation: deploying now would fail or race it. */
  | { readonly kind: 'busy'; readonly status: string }
  /** A stack whose prod alias could not be found (no FunctionName output, or no alias). */
  | { readonly kind: 'unknown'; readonly status: string; readonly reason: string }
  /** A stack with a readable prod alias. */
  | {
      readonly kind: 'live';
      readonly status: string;
      readonly functionName: string;
      readonly alias: AliasRouting;
      /** The API deployment the prod stage serves (undefined: no prod stage could be read). */
      readonly apiDeployment?: string;
    };

// A deploy that must not run as asked; the message says what to do instead.
function refused(message: string): ReleaseError {
  return new ReleaseError('deploy.refused', message);
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
  /**
   * The value of the `ProdApiDeployment` parameter: prod's live API deployment. Undefined on
   * a first deploy (the parameter's empty default: prod starts on the newest deployment) or
   * when no prod stage could be read (cdk then keeps the parameter's previous value).
   */
  readonly prodApiDeployment?: string;
  /** True when the stack does not exist yet. */
  readonly firstDeploy: boolean;
  /** Arguments to the cdk CLI. */
  readonly cdkArgs: readonly string[];
}

/**
 * Normalizes a `--prod-version` value: `latest` (easier to type than a quoted `$LATEST`) or
 * `$LATEST` → `$LATEST`; a version number as it is.
 * @throws ReleaseError `deploy.refused` for anything else (the CLI makes it a usage error)
 */
export function parseProdVersion(value: string): string {
  const normalized = value.toLowerCase() === 'latest' || value === LATEST ? LATEST : value;
  if (!PROD_VERSION_PATTERN.test(normalized)) {
    throw refused(
      `--prod-version '${value}' is not a Lambda version: give a published version number (1, 2, …) or 'latest'`,
    );
  }
  return normalized;
}

/**
 * Plans the deploy from what is live.
 * @throws ReleaseError `deploy.refused` when the deploy would move prod, cannot know where prod is, or the
 *   stack is busy
 */
export function planDeploy(live: LiveProd, request: DeployRequest): DeployPlan {
  const requested =
    request.prodVersion === undefined ? undefined : parseProdVersion(request.prodVersion);
  const { prodVersion, reason } = chooseProdVersion(live, requested, request.stackName);
  const prodApiDeployment = live.kind === 'live' ? live.apiDeployment : undefined;
  return {
    prodVersion,
    reason,
    ...(prodApiDeployment !== undefined && { prodApiDeployment }),
    firstDeploy: live.kind === 'absent',
    cdkArgs: cdkDeployArgs(request, prodVersion, prodApiDeployment),
  };
}

function chooseProdVersion(
  live: LiveProd,
  requested: string | undefined,
  stackName: string,
): { prodVersion: string; reason: string } {
  switch (live.kind) {
    case 'busy':
      throw refused(
        `stack ${stackName} is ${live.status}; wait until that operation finishes, then deploy again`,
      );
    case 'absent':
      if (requested === undefined) {
        throw refused(
          `stack ${stackName} does not exist yet: this is a first deploy, and no Lambda version exists to pin prod to. ` +
            `Run it with --prod-version latest (prod follows $LATEST until your first 'stagecraft release promote --target aws'; see docs/aws.md)`,
        );
      }
      if (requested !== LATEST) {
        throw refused(
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
        throw refused(
          `cannot read the live prod alias of stack ${stackName} (${live.reason}); ` +
            'pass --prod-version with the version prod must keep (see stagecraft release history --target aws)',
        );
      }
      return { prodVersion: requested, reason: `--prod-version (${live.reason})` };
    case 'live': {
      const { version } = live.alias;
      if (hasCanary(live.alias)) {
        // The stack's alias has no routing config: deploying would end the canary silently.
        throw refused(
          `prod is mid-canary (${formatRouting(live.alias, 'canary')}); finish it with 'stagecraft release promote --complete --target aws' ` +
            `or abort it with 'stagecraft release rollback --target aws', then deploy`,
        );
      }
      if (requested !== undefined && requested !== version) {
        throw refused(
          `prod is live at version ${version}; a deploy never moves prod, so --prod-version ${requested} is refused. ` +
            `Move prod with 'stagecraft release promote ${requested} --target aws' (or rollback)`,
        );
      }
      return { prodVersion: version, reason: `the live ${live.functionName}:prod alias` };
    }
  }
}

/** The `cdk deploy` arguments for a stack and the prod version (and API deployment) it keeps. */
export function cdkDeployArgs(
  request: DeployRequest,
  prodVersion: string,
  prodApiDeployment?: string,
): string[] {
  return [
    'deploy',
    request.stackName,
    '--context',
    `${STACK_NAME_CONTEXT}=${request.stackName}`,
    '--parameters',
    `${request.stackName}:${PROD_VERSION_PARAMETER}=${prodVersion}`,
    ...(prodApiDeployment === undefined
      ? []
      : [
          '--parameters',
          `${request.stackName}:${PROD_API_DEPLOYMENT_PARAMETER}=${prodApiDeployment}`,
        ]),
    '--no-notices',
    ...(request.profile === undefined ? [] : ['--profile', request.profile]),
    ...(request.region === undefined ? [] : ['--region', request.region]),
    ...(request.extraArgs ?? []),
  ];
}
