/**
 * The REST API, built from the route table: explicit resources and methods (plus `ANY` on each
 * routed resource, so the function answers other methods 405), one Lambda proxy integration
 * that calls the alias named by the stage variable, body validation, the gateway responses of
 * src/config/gateway.ts, and the two stages.
 */
import { Aws, CfnCondition, Fn } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  type CfnDeployment,
  type CfnStage,
  EndpointType,
  Integration,
  IntegrationType,
  LogGroupLogDestination,
  Model,
  ResponseType,
  RestApi,
  Stage as ApiStage,
  type IResource,
  type StageOptions,
} from 'aws-cdk-lib/aws-apigateway';
import { CfnPermission, type CfnAlias, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  GATEWAY_RESPONSES,
  STAGE_VARIABLE,
  type CustomisedResponseType,
  type GatewayResponseCustomisation,
} from '../config/gateway.ts';
import { FUNCTION_NAME, STAGES, type Stage } from '../config/stages.ts';
import { apiDefinition, apiDefinitionId } from '../service/api-definition.ts';
import { RoutePattern, RoutePatternError, resourceTree } from '../service/route-pattern.ts';
import { ROUTES, type RouteSpec } from '../service/routes.ts';
import { bodyModelSchema } from './models.ts';
import { pascal } from './names.ts';
import { LOG_RETENTION, STAGE_THROTTLING, type ThrottleSettings } from './settings.ts';

/** The stage the RestApi construct itself deploys (its `deploymentStage`). */
const PRIMARY_STAGE: Stage = 'prod';

/**
 * Construct ids of the customised gateway responses (their bodies and statuses are in
 * src/config/gateway.ts, shared with the local gateway). Ids, not types, make the logical ids.
 */
const GATEWAY_RESPONSE_IDS: Readonly<Record<CustomisedResponseType, string>> = {
  DEFAULT_4XX: 'Default4xx',
  DEFAULT_5XX: 'Default5xx',
  MISSING_AUTHENTICATION_TOKEN: 'NoRoute',
};

// One JSON object per request. `error.message` is one of API Gateway's fixed messages, so it
// can sit inside quotes; values API Gateway lacks are logged as "-".
const ACCESS_LOG_FORMAT = `{${Object.entries({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  stage: '$context.stage',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  error: '$context.error.message',
})
  .map(([key, value]) => `"${key}":"${value}"`)
  .join(',')}}`;

export interface UserApiProps {
  /** The function the integration invokes (through an alias). */
  readonly function: IFunction;
  /** The alias each stage invokes; each gets its own invoke permission. */
  readonly aliases: Readonly<Record<Stage, CfnAlias>>;
  /**
   * The routes the API declares; every other method on a routed resource reaches the function
   * through `ANY` (which answers 405).
   * @default ROUTES (src/service/routes.ts), the table the Lambda and the local gateway serve
   */
  readonly routes?: readonly RouteSpec[];
  /**
   * The REST API's name.
   * @default FUNCTION_NAME
   */
  readonly restApiName?: string;
  /**
   * Each stage's throttling.
   * @default STAGE_THROTTLING (src/infra/settings.ts)
   */
  readonly throttling?: Readonly<Record<Stage, ThrottleSettings>>;
  /**
   * How long each stage's access logs are kept.
   * @default LOG_RETENTION (src/infra/settings.ts)
   */
  readonly logRetention?: RetentionDays;
  /**
   * The customised gateway responses (the local gateway answers with the same ones).
   * @default GATEWAY_RESPONSES (src/config/gateway.ts)
   */
  readonly gatewayResponses?: Readonly<
    Record<CustomisedResponseType, GatewayResponseCustomisation>
  >;
  /**
   * The deployment id the `prod` stage serves (a CloudFormation parameter's value); an empty
   * value puts prod on the newest deployment, like staging (a first deploy).
   * @default prod serves the newest deployment, like staging
   */
  readonly prodDeploymentId?: string;
}

/** The user API on API Gateway (REST). */
export class UserApi extends Construct {
  readonly api: RestApi;
  /** The API Gateway stage of each stage. */
  readonly stages: Readonly<Record<Stage, ApiStage>>;

  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props the function and its aliases, and optionally what replaces the defaults
   */
  constructor(scope: Construct, id: string, props: UserApiProps) {
    super(scope, id);
    const stageOptions = (stage: Stage): StageOptions =>
      this.stageOptions(stage, props.throttling ?? STAGE_THROTTLING, props.logRetention);
    // deploy: true so that the RestApi construct owns the Deployment: it folds every method,
    // model, validator and gateway response into the Deployment's logical id, so any change
    // to the API creates a new deployment. With deploy: false that hashing would be ours to
    // reimplement. retainDeployments: an API change replaces the Deployment resource, and the
    // old one must stay — prod may still serve it until `stagecraft release promote` moves it.
    // Staging serves the newest deployment; prod the one `prodDeploymentId` names.
    this.api = new RestApi(this, 'RestApi', {
      restApiName: props.restApiName ?? FUNCTION_NAME,
      description: 'stagecraft user API',
      // Regional: a custom domain then uses a certificate in the stack's own region.
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      deploy: true,
      retainDeployments: true,
      deployOptions: stageOptions(PRIMARY_STAGE),
      // Access logging needs the account-level CloudWatch role; this creates it.
      cloudWatchRole: true,
    });
    // The construct also outputs the primary stage's URL; the stack outputs every stage's.
    this.api.node.tryRemoveChild('Endpoint');
    this.stages = this.addStages(stageOptions);
    this.addRoutes(props.function, props.routes ?? ROUTES);
    this.addGatewayResponses(props.gatewayResponses ?? GATEWAY_RESPONSES);
    this.grantInvoke(props.aliases);
    this.describeDeployment(props);
    if (props.prodDeploymentId !== undefined) this.pinProd(props.prodDeploymentId);
  }

  // The deployment says which API definition it snapshots (src/service/api-definition.ts):
  // `release status --target aws` shows it next to the deployment id.
  private describeDeployment(props: UserApiProps): void {
    const definition = apiDefinition(props.routes ?? ROUTES, {
      gatewayResponses: props.gatewayResponses ?? GATEWAY_RESPONSES,
    });
    const deployment = this.api.latestDeployment?.node.defaultChild as CfnDeployment | undefined;
    if (deployment !== undefined) {
      deployment.description = `stagecraft API definition ${apiDefinitionId(definition)}`;
    }
  }

  // The prod stage serves the deployment the parameter names; empty (the first deploy) → the
  // newest, so both stages start on the first deployment.
  private pinProd(prodDeploymentId: string): void {
    const latest = this.api.latestDeployment;
    if (latest === undefined) throw new Error('RestApi created no deployment');
    const unset = new CfnCondition(this, 'ProdDeploymentUnset', {
      expression: Fn.conditionEquals(prodDeploymentId, ''),
    });
    const stage = this.stages[PRIMARY_STAGE].node.defaultChild as CfnStage;
    stage.deploymentId = Fn.conditionIf(
      unset.logicalId,
      latest.deploymentId,
      prodDeploymentId,
    ).toString();
  }

  // The primary stage (prod) is the RestApi's own (its logical id predates API deployments,
  // so it is kept); staging is on the newest deployment.
  private addStages(stageOptions: (stage: Stage) => StageOptions): Record<Stage, ApiStage> {
    const deployment = this.api.latestDeployment;
    if (deployment === undefined) throw new Error('RestApi created no deployment');
    const stages = STAGES.map((stage) => {
      if (stage === PRIMARY_STAGE) return [stage, this.api.deploymentStage] as const;
      const apiStage = new ApiStage(this, `${pascal(stage)}Stage`, {
        deployment,
        ...stageOptions(stage),
      });
      return [stage, apiStage] as const;
    });
    return Object.fromEntries(stages) as Record<Stage, ApiStage>;
  }

  private stageOptions(
    stage: Stage,
    throttling: Readonly<Record<Stage, ThrottleSettings>>,
    retention: RetentionDays = LOG_RETENTION,
  ): StageOptions {
    const accessLogs = new LogGroup(this, `${pascal(stage)}AccessLogs`, { retention });
    return {
      stageName: stage,
      variables: { [STAGE_VARIABLE]: stage },
      throttlingRateLimit: throttling[stage].rateLimit,
      throttlingBurstLimit: throttling[stage].burstLimit,
      accessLogDestination: new LogGroupLogDestination(accessLogs),
      accessLogFormat: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
    };
  }

  private addRoutes(fn: IFunction, routes: readonly RouteSpec[]): void {
    // The function ARN plus `:${stageVariables.stage}`: each stage invokes its own alias.
    const integration = new Integration({
      type: IntegrationType.AWS_PROXY,
      integrationHttpMethod: 'POST',
      uri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${fn.functionArn}:\${stageVariables.${STAGE_VARIABLE}}/invocations`,
    });
    const patterns = compileResources(routes);
    const resources = this.addResources(patterns);
    const bodyValidator = this.api.addRequestValidator('BodyValidator', {
      requestValidatorName: 'json-body',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    for (const route of routes) {
      resources.get(route.resource)?.addMethod(route.method, integration, {
        operationName: route.operation,
        requestParameters: requestParameters(patterns.get(route.resource)),
        ...(route.body !== undefined && {
          requestValidator: bodyValidator,
          requestModels: { 'application/json': this.bodyModel(route) },
        }),
      });
    }
    // API Gateway prefers an explicit method over ANY, so ANY only gets the methods the route
    // table does not declare, and the function answers them 405 with `Allow`, as locally.
    // Without it API Gateway would answer them MISSING_AUTHENTICATION_TOKEN (our 404).
    for (const [path, pattern] of patterns) {
      resources.get(path)?.addMethod('ANY', integration, {
        requestParameters: requestParameters(pattern),
      });
    }
  }

  // Every resource the routes need, parents first, by full path.
  private addResources(patterns: ReadonlyMap<string, RoutePattern>): Map<string, IResource> {
    const resources = new Map<string, IResource>([['/', this.api.root]]);
    for (const node of resourceTree([...patterns.values()])) {
      const parent = resources.get(node.parentPath);
      if (parent === undefined) throw new Error(`resource ${node.parentPath} missing`);
      resources.set(node.path, parent.addResource(node.pathPart));
    }
    return resources;
  }

  private bodyModel(route: RouteSpec): Model {
    if (route.body === undefined) throw new Error(`${route.operation} has no body`);
    const name = `${pascal(route.operation)}Body`;
    return this.api.addModel(name, {
      modelName: name,
      contentType: 'application/json',
      description: `Body of ${route.method} ${route.resource}`,
      schema: bodyModelSchema(route.body, name),
    });
  }

  private addGatewayResponses(
    responses: Readonly<Record<CustomisedResponseType, GatewayResponseCustomisation>>,
  ): void {
    for (const [type, id] of Object.entries(GATEWAY_RESPONSE_IDS)) {
      const response = responses[type as CustomisedResponseType];
      this.api.addGatewayResponse(id, {
        type: ResponseType.of(type),
        ...(response.statusCode !== undefined && { statusCode: String(response.statusCode) }),
        ...(response.headers !== undefined && { responseHeaders: { ...response.headers } }),
        templates: { 'application/json': response.template },
      });
    }
  }

  // One permission per alias, each only for calls from this API through its own stage.
  private grantInvoke(aliases: Readonly<Record<Stage, CfnAlias>>): void {
    for (const stage of STAGES) {
      new CfnPermission(this, `Invoke${pascal(stage)}`, {
        action: 'lambda:InvokeFunction',
        functionName: aliases[stage].ref,
        principal: 'apigateway.amazonaws.com',
        sourceArn: this.api.arnForExecuteApi('*', '/*', stage),
      });
    }
  }
}

/**
 * Each routed resource's compiled pattern, in route-table order.
 * @throws RoutePatternError for a malformed or greedy resource: a `{proxy+}` would silently
 *   widen what the API accepts, so the API declares every resource it serves
 */
function compileResources(routes: readonly RouteSpec[]): Map<string, RoutePattern> {
  const patterns = new Map<string, RoutePattern>();
  for (const route of routes) {
    const pattern = patterns.get(route.resource) ?? new RoutePattern(route.resource);
    if (pattern.greedy) {
      throw new RoutePatternError(
        'route.invalid',
        `route resource '${route.resource}' is greedy; the API declares every resource`,
      );
    }
    patterns.set(route.resource, pattern);
  }
  return patterns;
}

// A method's path parameters, each required.
function requestParameters(pattern: RoutePattern | undefined): Record<string, boolean> {
  return Object.fromEntries(
    (pattern?.paramNames ?? []).map((name) => [`method.request.path.${name}`, true]),
  );
}
