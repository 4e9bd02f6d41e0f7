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
import { LATEST, type Stage, STAGE_CONFIG } from '../../config/stages.ts';
import type { AliasRouting, AliasState } from '../alias.ts';
import type { ControlPlane, PublishOutcome } from '../control-plane.ts';
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

  /** @param options the injected client and the stack's outputs */
  constructor(options: AwsControlPlaneOptions) {
    this.#lambda = options.lambda;
    this.functionName = options.functionName;
    this.#stageUrls = options.stageUrls;
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
}

/**
 * Reads the stack's outputs and builds the AWS control plane for the function they name.
 */
export async function openAwsControlPlane(options: {
  readonly lambda: LambdaClient;
  readonly cloudformation: CloudFormationClient;
  readonly stackName: string;
}): Promise<AwsControlPlane> {
  const outputs = await readStackOutputs(options.cloudformation, options.stackName);
  return new AwsControlPlane({
    lambda: options.lambda,
    functionName: outputs.FunctionName,
    stageUrls: { staging: outputs.StagingUrl, prod: outputs.ProdUrl },
  });
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
