import {
  type AliasConfiguration,
  type FunctionConfiguration,
  GetAliasCommand,
  GetFunctionCommand,
  type LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  type APIGatewayClient,
  GetDeploymentsCommand,
  GetStageCommand,
  type Stage as ApiGatewayStage,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { OUTPUTS } from '../../config/aws-stack.ts';
import { LATEST, type Stage, STAGE_CONFIG } from '../../config/stages.ts';
import type { AliasRouting, AliasState } from '../alias.ts';
import type { ApiDeploymentInfo, ControlPlane, PublishOutcome } from '../control-plane.ts';
import type { VersionInfo } from '../version.ts';
import { ReleaseError } from '../../errors.ts';
import { awsErrorName, translateAwsError } from './errors.ts';
import { readStackOutputs } from './stack-outputs.ts';

/** What {@link AwsControlPlane} needs: an injected Lambda client and the stack's facts. */
export interface AwsControlPlaneOptions {
  /** The Lambda client (with the retry settings of `AWS_RETRY`). */
  readonly lambda: LambdaClient;
  /** The function's name (the stack's `FunctionName` output). */
  readonly functionName: string;
  /** Stage base URLs (the stack's `StagingUrl` / `ProdUrl` outputs). */
  readonly stageUrls: Readonly<Record<Stage, string>>;
  /** The API Gateway client, for API deployments; without it those calls fail `api.not-found`. */
  readonly apigateway?: APIGatewayClient;
  /** The REST API's id (the stack's `ApiId` output). */
  readonly restApiId?: string;
}

// ListVersionsByFunction pages hold at most 50 versions; 200 pages is 10,000 versions, far
// beyond Lambda's code storage for one function: the bound only stops a looping Marker.
const MAX_PAGES = 200;

/** The control plane of a function on AWS Lambda. */
export class AwsControlPlane implements ControlPlane {
  readonly target = 'aws' as const;
  readonly functionName: string;
  readonly #lambda: LambdaClient;
  readonly #stageUrls: Readonly<Record<Stage, string>>;
  readonly #apigateway: APIGatewayClient | undefined;
  readonly #restApiId: string | undefined;

  /** @param options the injected client and the stack's outputs */
  constructor(options: AwsControlPlaneOptions) {
    this.#lambda = options.lambda;
    this.functionName = options.functionName;
    this.#stageUrls = options.stageUrls;
    this.#apigateway = options.apigateway;
    this.#restApiId = options.restApiId;
  }

  /** GetFunction on `$LATEST`: its CodeSha256. */
  async latestCodeSha256(): Promise<string> {
    let configuration: FunctionConfiguration | undefined;
    try {
      ({ Configuration: configuration } = await this.#lambda.send(
        new GetFunctionCommand({ FunctionName: this.functionName, Qualifier: LATEST }),
      ));
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') {
        throw new ReleaseError(
          'aws.stack',
          `function ${this.functionName} does not exist; deploy the stack first ` +
            '(stagecraft deploy --target aws; see docs/aws.md)',
          { cause: error },
        );
      }
      translateAwsError(error, `GetFunction ${this.functionName}`, 'lambda:GetFunction');
    }
    if (configuration?.CodeSha256 === undefined || configuration.CodeSha256 === '') {
      throw new ReleaseError('function.empty', `function ${this.functionName} has no code yet`);
    }
    return configuration.CodeSha256;
  }

  /** ListVersionsByFunction, every page, without `$LATEST`, oldest first. */
  async listVersions(): Promise<VersionInfo[]> {
    const versions: VersionInfo[] = [];
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let answer;
      try {
        answer = await this.#lambda.send(
          new ListVersionsByFunctionCommand({
            FunctionName: this.functionName,
            ...(marker !== undefined ? { Marker: marker } : {}),
          }),
        );
      } catch (error) {
        translateAwsError(
          error,
          `ListVersionsByFunction ${this.functionName}`,
          'lambda:ListVersionsByFunction',
        );
      }
      for (const configuration of answer.Versions ?? []) {
        if (configuration.Version === undefined || configuration.Version === LATEST) continue;
        versions.push(toVersionInfo(configuration));
      }
      marker = answer.NextMarker;
      if (marker === undefined || marker === '') {
        return versions.sort((a, b) => Number(a.version) - Number(b.version));
      }
    }
    throw new Error(`ListVersionsByFunction returned more than ${MAX_PAGES} pages`);
  }

  /** GetAlias: version, routing weights and RevisionId. */
  getAlias(stage: Stage): Promise<AliasState> {
    return readAwsAlias(this.#lambda, this.functionName, stage);
  }

  /**
   * UpdateAlias with RevisionId: Lambda refuses (PreconditionFailedException) when the alias
   * changed since it was read. An empty AdditionalVersionWeights ends a canary.
   */
  async updateAlias(
    stage: Stage,
    routing: AliasRouting,
    expectedRevision: string,
  ): Promise<AliasState> {
    const name = STAGE_CONFIG[stage].alias;
    try {
      return toAliasState(
        await this.#lambda.send(
          new UpdateAliasCommand({
            FunctionName: this.functionName,
            Name: name,
            FunctionVersion: routing.version,
            RoutingConfig: { AdditionalVersionWeights: { ...routing.weights } },
            RevisionId: expectedRevision,
          }),
        ),
      );
    } catch (error) {
      switch (awsErrorName(error)) {
        case 'PreconditionFailedException':
          throw new ReleaseError(
            'alias.conflict',
            `alias ${name} changed while this command ran (RevisionId no longer matches); ` +
              'someone else is releasing — check `stagecraft release status --target aws` and retry',
            { cause: error },
          );
        case 'ResourceNotFoundException':
          throw missingAlias(name, this.functionName, error);
        default:
          translateAwsError(error, `UpdateAlias ${name}`, 'lambda:UpdateAlias');
      }
    }
  }

  /**
   * PublishVersion with CodeSha256: Lambda publishes only if `$LATEST` still holds exactly
   * that code. It answers a mismatch with InvalidParameterValueException ("CodeSHA256 (…) is
   * different from current CodeSHA256 in $LATEST"); PreconditionFailedException is its answer
   * to a stale RevisionId, treated the same.
   */
  async publishVersion(input: {
    readonly expectedCodeSha256: string;
    readonly description?: string;
  }): Promise<PublishOutcome> {
    // Lambda returns the newest version instead of publishing unchanged code; knowing the
    // versions before tells "created" from "returned".
    const before = new Set((await this.listVersions()).map((v) => v.version));
    let configuration: FunctionConfiguration;
    try {
      configuration = await this.#lambda.send(
        new PublishVersionCommand({
          FunctionName: this.functionName,
          CodeSha256: input.expectedCodeSha256,
          ...(input.description !== undefined ? { Description: input.description } : {}),
        }),
      );
    } catch (error) {
      const name = awsErrorName(error);
      if (
        name === 'PreconditionFailedException' ||
        (name === 'InvalidParameterValueException' && /CodeSHA256/i.test(String(error)))
      ) {
        throw new ReleaseError(
          'publish.code-changed',
          `$LATEST of ${this.functionName} no longer holds code sha256 ${input.expectedCodeSha256} ` +
            '(it was deployed again since it was verified); nothing was published — verify the ' +
            'new code on staging, then promote',
          { cause: error },
        );
      }
      translateAwsError(error, `PublishVersion ${this.functionName}`, 'lambda:PublishVersion');
    }
    const version = toVersionInfo(configuration);
    return { version, created: !before.has(version.version) };
  }

  /** The stage URL from the stack's outputs. */
  async stageUrl(stage: Stage): Promise<string> {
    const url = this.#stageUrls[stage];
    return url.endsWith('/') ? url : `${url}/`;
  }

  /** GetDeployments, every page, oldest first. */
  async listApiDeployments(): Promise<ApiDeploymentInfo[]> {
    const { client, restApiId } = this.#api();
    const deployments: ApiDeploymentInfo[] = [];
    let position: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let answer;
      try {
        answer = await client.send(
          new GetDeploymentsCommand({
            restApiId,
            limit: 500,
            ...(position !== undefined ? { position } : {}),
          }),
        );
      } catch (error) {
        translateAwsError(error, `GetDeployments ${restApiId}`, 'apigateway:GET');
      }
      for (const item of answer.items ?? []) {
        if (item.id === undefined) continue;
        deployments.push({
          id: item.id,
          created_at: item.createdDate?.toISOString() ?? '',
          description: item.description ?? '',
        });
      }
      position = answer.position;
      if (position === undefined || position === '') {
        return deployments.sort(
          (a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id),
        );
      }
    }
    throw new Error(`GetDeployments returned more than ${MAX_PAGES} pages`);
  }

  /** GetStage: the stage's `deploymentId`. */
  async getApiStage(stage: Stage): Promise<string> {
    const found = await this.#readStage(stage);
    if (found.deploymentId === undefined || found.deploymentId === '') {
      throw new ReleaseError('api.not-found', `API stage ${stage} has no deployment`);
    }
    return found.deploymentId;
  }

  /**
   * UpdateStage with `replace /deploymentId`. API Gateway has no conditional update (no
   * revision on a stage), so the guard is a re-read: GetStage right before the write, refused
   * (`api.conflict`) unless the stage still serves `expectedDeployment`; the answer of the
   * write is checked too. The window between the read and the write is one round trip; the
   * release lock closes it for every stagecraft command.
   */
  async updateApiStage(
    stage: Stage,
    deployment: string,
    expectedDeployment: string,
  ): Promise<void> {
    const { client, restApiId } = this.#api();
    const current = await this.getApiStage(stage);
    if (current !== expectedDeployment) {
      throw new ReleaseError(
        'api.conflict',
        `API stage ${stage} of ${restApiId} now serves deployment ${current}, not ` +
          `${expectedDeployment} as read before: someone else moved it (another release, the ` +
          'console, a deploy); nothing was changed — check `stagecraft release status --target aws` and retry',
      );
    }
    let updated: ApiGatewayStage;
    try {
      updated = await client.send(
        new UpdateStageCommand({
          restApiId,
          stageName: stage,
          patchOperations: [{ op: 'replace', path: '/deploymentId', value: deployment }],
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'NotFoundException') {
        throw new ReleaseError(
          'api.not-found',
          `API deployment ${deployment} or stage ${stage} does not exist in REST API ${restApiId}`,
          { cause: error },
        );
      }
      translateAwsError(error, `UpdateStage ${stage}`, 'apigateway:PATCH');
    }
    if (updated.deploymentId !== undefined && updated.deploymentId !== deployment) {
      throw new ReleaseError(
        'api.conflict',
        `API stage ${stage} serves deployment ${updated.deploymentId} after the update to ` +
          `${deployment}: another change landed at the same time — check \`stagecraft release status --target aws\``,
      );
    }
  }

  async #readStage(stage: Stage): Promise<ApiGatewayStage> {
    const { client, restApiId } = this.#api();
    try {
      return await client.send(new GetStageCommand({ restApiId, stageName: stage }));
    } catch (error) {
      if (awsErrorName(error) === 'NotFoundException') {
        throw new ReleaseError(
          'api.not-found',
          `API stage ${stage} of REST API ${restApiId} does not exist; deploy the stack ` +
            '(stagecraft deploy --target aws; see docs/aws.md)',
          { cause: error },
        );
      }
      translateAwsError(error, `GetStage ${stage}`, 'apigateway:GET');
    }
  }

  #api(): { client: APIGatewayClient; restApiId: string } {
    if (this.#apigateway === undefined || this.#restApiId === undefined || this.#restApiId === '') {
      // Release commands then handle code only (status shows no API, promote moves the alias).
      throw new ReleaseError(
        'api.not-found',
        `the stack has no ${OUTPUTS.apiId} output (or no API Gateway client was given), so its ` +
          'API deployments cannot be read; deploy the current stack (stagecraft deploy --target aws)',
      );
    }
    return { client: this.#apigateway, restApiId: this.#restApiId };
  }
}

/**
 * Reads the stack's outputs and builds the AWS control plane for the function they name.
 */
export async function openAwsControlPlane(options: {
  readonly lambda: LambdaClient;
  readonly cloudformation: CloudFormationClient;
  readonly apigateway?: APIGatewayClient;
  readonly stackName: string;
}): Promise<AwsControlPlane> {
  const outputs = await readStackOutputs(options.cloudformation, options.stackName);
  const restApiId = outputs.all[OUTPUTS.apiId];
  return new AwsControlPlane({
    lambda: options.lambda,
    functionName: outputs.FunctionName,
    stageUrls: { staging: outputs.StagingUrl, prod: outputs.ProdUrl },
    ...(options.apigateway !== undefined && { apigateway: options.apigateway }),
    ...(restApiId !== undefined && { restApiId }),
  });
}

/**
 * GetStage on an API stage: its `deploymentId`, or undefined when the stage does not exist.
 * For deploy's live read (prod's API deployment is passed back to the stack).
 */
export async function readAwsApiStageDeployment(
  apigateway: APIGatewayClient,
  restApiId: string,
  stage: Stage,
): Promise<string | undefined> {
  try {
    const found = await apigateway.send(new GetStageCommand({ restApiId, stageName: stage }));
    return found.deploymentId === '' ? undefined : found.deploymentId;
  } catch (error) {
    if (awsErrorName(error) === 'NotFoundException') return undefined;
    translateAwsError(error, `GetStage ${stage}`, 'apigateway:GET');
  }
}

/**
 * GetAlias on a stage's alias: version, routing weights and RevisionId; `alias.not-found`
 * when the function or the alias does not exist. For callers that know the function but
 * need no control plane (deploy's live read).
 */
export async function readAwsAlias(
  lambda: LambdaClient,
  functionName: string,
  stage: Stage,
): Promise<AliasState> {
  const name = STAGE_CONFIG[stage].alias;
  try {
    return toAliasState(
      await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: name })),
    );
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') {
      throw missingAlias(name, functionName, error);
    }
    translateAwsError(error, `GetAlias ${name}`, 'lambda:GetAlias');
  }
}

function toVersionInfo(configuration: FunctionConfiguration): VersionInfo {
  const modified = configuration.LastModified;
  // Lambda writes "2024-05-01T10:00:00.000+0000", which Date parses; normalise to ISO-8601 Z.
  const parsed = modified === undefined ? Number.NaN : Date.parse(modified);
  return {
    version: configuration.Version ?? '',
    code_sha256: configuration.CodeSha256 ?? '',
    published_at: Number.isNaN(parsed) ? (modified ?? '') : new Date(parsed).toISOString(),
    description: configuration.Description ?? '',
  };
}

function toAliasState(alias: AliasConfiguration): AliasState {
  const weights = alias.RoutingConfig?.AdditionalVersionWeights ?? {};
  return {
    version: alias.FunctionVersion ?? '',
    ...(Object.keys(weights).length > 0 ? { weights: { ...weights } } : {}),
    revision: alias.RevisionId ?? '',
  };
}

function missingAlias(name: string, functionName: string, cause: unknown): ReleaseError {
  return new ReleaseError(
    'alias.not-found',
    `alias ${name} of function ${functionName} does not exist; the CDK stack creates both ` +
      'aliases — deploy it (stagecraft deploy --target aws; see docs/aws.md)',
    { cause },
  );
}
