/**
 * The stagecraft stack: per-stage tables, the Lambda with its aliases, the REST API with its
 * stages, the optional custom domain, and the outputs the release CLI reads. Everything that
 * names a route, a stage or a table comes from the shared config.
 */
import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LATEST, STAGES, type Stage } from '../config/stages.ts';
import { UserApi } from './api.ts';
import type { DomainSettings } from './context.ts';
import {
  OUTPUTS,
  PROD_API_DEPLOYMENT_PARAMETER,
  PROD_API_DEPLOYMENT_PATTERN,
  PROD_VERSION_PARAMETER,
  PROD_VERSION_PATTERN,
  STAGE_OUTPUTS,
} from '../config/aws-stack.ts';
import { UserTables } from './data.ts';
import { ApiDomain } from './domain.ts';
import { UserFunction, type FunctionCode } from './function.ts';

export interface StagecraftStackProps extends StackProps {
  /** The Lambda zip and its hash. */
  readonly code: FunctionCode;
  /** Each stage's table name (from `tableNameFor`). */
  readonly tableNames: Readonly<Record<Stage, string>>;
  /** The custom domain; none when absent. */
  readonly domain?: DomainSettings;
}

interface StackParts {
  readonly tables: UserTables;
  readonly lambda: UserFunction;
  readonly api: UserApi;
  readonly domain: ApiDomain | undefined;
  readonly codeSha256: string;
}

/** API Gateway (REST) → Lambda alias per stage → DynamoDB table per stage. */
export class StagecraftStack extends Stack {
  /**
   * @param scope the app
   * @param id the stack name
   * @param props code, table names and the optional domain
   */
  constructor(scope: Construct, id: string, props: StagecraftStackProps) {
    super(scope, id, props);
    // A parameter rather than a value in the template: prod moves only through the release
    // CLI (UpdateAlias); `stagecraft deploy` reads the live alias and passes it back here.
    const prodVersion = new CfnParameter(this, PROD_VERSION_PARAMETER, {
      type: 'String',
      allowedPattern: PROD_VERSION_PATTERN.source,
      constraintDescription:
        'a published Lambda version number, or $LATEST before the first publish',
      description:
        'The Lambda version the prod alias points at. stagecraft deploy passes the live value, so a deploy never moves prod.',
    });
    // Likewise for the API: prod's stage moves only through the release CLI (UpdateStage);
    // `stagecraft deploy` passes its live deployment id back. Empty on a first deploy.
    const prodApiDeployment = new CfnParameter(this, PROD_API_DEPLOYMENT_PARAMETER, {
      type: 'String',
      default: '',
      allowedPattern: PROD_API_DEPLOYMENT_PATTERN.source,
      constraintDescription: 'an API Gateway deployment id, or empty before the first deploy',
      description:
        "The API Gateway deployment the prod stage serves (empty: the newest). stagecraft deploy passes the live value, so a deploy never moves prod's API.",
    });
    const tables = new UserTables(this, 'Tables', { tableNames: props.tableNames });
    const aliasVersions: Record<Stage, string> = {
      staging: LATEST,
      prod: prodVersion.valueAsString,
    };
    const lambda = new UserFunction(this, 'Lambda', {
      code: props.code,
      tables: tables.byStage,
      aliasVersions,
    });
    const api = new UserApi(this, 'Api', {
      function: lambda.function,
      aliases: lambda.aliases,
      prodDeploymentId: prodApiDeployment.valueAsString,
    });
    const domain =
      props.domain === undefined
        ? undefined
        : new ApiDomain(this, 'Domain', {
            settings: props.domain,
            api: api.api,
            stages: api.stages,
          });

    this.addOutputs({ tables, lambda, api, domain, codeSha256: props.code.codeSha256 });
  }

  // What the release CLI and `deploy` read from the stack (src/config/aws-stack.ts names them).
  private addOutputs(parts: StackParts): void {
    for (const stage of STAGES) {
      const names = STAGE_OUTPUTS[stage];
      new CfnOutput(this, names.url, {
        value: parts.api.stages[stage].urlForPath('/'),
        description: `Base URL of the ${stage} stage`,
      });
      new CfnOutput(this, names.table, {
        value: parts.tables.byStage[stage].tableName,
        description: `DynamoDB table of the ${stage} stage`,
      });
      if (parts.domain !== undefined) {
        new CfnOutput(this, `${names.url.replace(/Url$/, '')}DomainUrl`, {
          value: parts.domain.urls[stage],
          description: `Base URL of the ${stage} stage on the custom domain`,
        });
      }
    }
    new CfnOutput(this, OUTPUTS.functionName, { value: parts.lambda.function.functionName });
    new CfnOutput(this, OUTPUTS.apiId, { value: parts.api.api.restApiId });
    new CfnOutput(this, OUTPUTS.codeSha256, {
      value: parts.codeSha256,
      description: 'base64 SHA-256 of the deployed Lambda zip (Lambda CodeSha256 of $LATEST)',
    });
  }
}
