/**
 * The Lambda function, its least-privilege role, its log group and one alias per stage.
 */
import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  CfnAlias,
  Code,
  Function as LambdaFunction,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_HANDLER } from '../config/bundle-layout.ts';
import { FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT_SECONDS } from '../config/gateway.ts';
import { FUNCTION_NAME, STAGE_CONFIG, STAGES, type Stage } from '../config/stages.ts';
import type { ItemClient } from '../dynamo/client.ts';
import { pascal } from './names.ts';
import { LOG_RETENTION } from './settings.ts';

/**
 * The DynamoDB actions the Lambda may call: exactly one per {@link ItemClient} operation.
 * Typed by the client's keys, so a new client operation fails to compile until it is granted.
 */
export const DYNAMODB_ACTIONS: Readonly<Record<keyof ItemClient, string>> = {
  getItem: 'dynamodb:GetItem',
  putItem: 'dynamodb:PutItem',
  updateItem: 'dynamodb:UpdateItem',
  deleteItem: 'dynamodb:DeleteItem',
};

/** The built code the function runs. */
export interface FunctionCode {
  /** Path of the deterministic zip from `buildLambdaBundle`; uploaded byte for byte. */
  readonly zipPath: string;
  /** base64 SHA-256 of that zip, as Lambda reports `CodeSha256`. */
  readonly codeSha256: string;
}

export interface UserFunctionProps {
  /** The code to deploy as `$LATEST`. */
  readonly code: FunctionCode;
  /** Each stage's table: the function may read and write these and nothing else. */
  readonly tables: Readonly<Record<Stage, Table>>;
  /** The version each stage's alias points at (`$LATEST`, or a parameter for prod). */
  readonly aliasVersions: Readonly<Record<Stage, string>>;
  /**
   * The function's name; the release CLI and `deploy` find it by this name.
   * @default FUNCTION_NAME
   */
  readonly functionName?: string;
  /**
   * Memory in MB (the local stack runs the function with the same).
   * @default FUNCTION_MEMORY_MB
   */
  readonly memorySize?: number;
  /**
   * How long one invocation may run (the local stack enforces the same).
   * @default FUNCTION_TIMEOUT_SECONDS seconds
   */
  readonly timeout?: Duration;
  /**
   * How long the function's logs are kept.
   * @default LOG_RETENTION (src/infra/settings.ts)
   */
  readonly logRetention?: RetentionDays;
}

/** The user API's Lambda function with its role, logs and per-stage aliases. */
export class UserFunction extends Construct {
  /** The function (`$LATEST`). */
  readonly function: LambdaFunction;
  /** The alias each stage's API Gateway stage invokes. */
  readonly aliases: Readonly<Record<Stage, CfnAlias>>;
  readonly logGroup: LogGroup;

  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props code, tables and alias targets
   */
  constructor(scope: Construct, id: string, props: UserFunctionProps) {
    super(scope, id);
    // Created here rather than by Lambda on first write, so retention applies from the start
    // and the role needs no logs:CreateLogGroup.
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? LOG_RETENTION });
    const functionName = props.functionName ?? FUNCTION_NAME;
    const role = this.createRole(functionName, props.tables);

    // The handler resolves its table with tableNameFor(stage); passing the names through the
    // environment keeps it on exactly the tables the role grants, even when they are overridden.
    const environment = Object.fromEntries(
      STAGES.map((stage) => [STAGE_CONFIG[stage].tableEnvVar, props.tables[stage].tableName]),
    );
    this.function = new LambdaFunction(this, 'Function', {
      functionName,
      description: `stagecraft user API; bundle sha256 ${props.code.codeSha256}`,
      code: Code.fromAsset(props.code.zipPath),
      handler: LAMBDA_HANDLER,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? FUNCTION_MEMORY_MB,
      timeout: props.timeout ?? Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      role,
      logGroup: this.logGroup,
      environment,
    });

    this.aliases = this.addAliases(props.aliasVersions);
  }

  // No managed policy: AWSLambdaBasicExecutionRole would allow writing to every log group.
  private createRole(functionName: string, tables: Readonly<Record<Stage, Table>>): Role {
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${functionName} Lambda: item access to the stage tables, its own logs`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: Object.values(DYNAMODB_ACTIONS),
        resources: STAGES.map((stage) => tables[stage].tableArn),
      }),
    );
    this.logGroup.grantWrite(role);
    return role;
  }

  // CfnAlias, not lambda.Alias: the latter needs an IVersion and cannot point at $LATEST,
  // and prod's version is a CloudFormation parameter, not a version this stack publishes.
  private addAliases(versions: Readonly<Record<Stage, string>>): Record<Stage, CfnAlias> {
    const aliases = STAGES.map((stage) => {
      const alias = new CfnAlias(this, `${pascal(stage)}Alias`, {
        functionName: this.function.functionName,
        functionVersion: versions[stage],
        name: STAGE_CONFIG[stage].alias,
        description: `API Gateway stage ${stage}`,
      });
      return [stage, alias] as const;
    });
    return Object.fromEntries(aliases) as Record<Stage, CfnAlias>;
  }
}
