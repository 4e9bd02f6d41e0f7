/**
 * The REST API, built from the route table: explicit resources and methods (plus `ANY` on each
 * routed resource, so the function answers other methods 405), one Lambda proxy integration
 * that calls the alias named by the stage variable, body validation, the gateway responses of
 * src/config/gateway.ts, and the two stages.
 */
import { Aws } from 'aws-cdk-lib';
import {
  AccessLogFormat,
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
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  GATEWAY_RESPONSES,
  STAGE_VARIABLE,
  type CustomisedResponseType,
} from '../config/gateway.ts';
import { FUNCTION_NAME, STAGES, type Stage } from '../config/stages.ts';
import { RoutePattern, RoutePatternError, resourceTree } from '../service/route-pattern.ts';
import { ROUTES, type RouteSpec } from '../service/routes.ts';
import { bodyModelSchema } from './models.ts';
import { pascal } from './names.ts';
import { LOG_RETENTION, STAGE_THROTTLING } from './settings.ts';

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

/** Props of {@link UserApi}. */
export interface UserApiProps {
  /** The function the integration invokes (through an alias). */
  readonly function: IFunction;
  /** The alias each stage invokes; each gets its own invoke permission. */
  readonly aliases: Readonly<Record<Stage, CfnAlias>>;
}

/** The user API on API Gateway (REST). */
export class UserApi extends Construct {
  /** The REST API. */
  readonly api: RestApi;
  /** The API Gateway stage of each stage. */
  readonly stages: Readonly<Record<Stage, ApiStage>>;

  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props the function and its aliases
   */
  constructor(scope: Construct, id: string, props: UserApiProps) {
    super(scope, id);
    // deploy: true so that the RestApi construct owns the Deployment: it folds every method,
    // model, validator and gateway response into the Deployment's logical id, so any change
    // to the API creates a new deployment. With deploy: false that hashing would be ours to
    // reimplement. The other stages share that deployment.
    this.api = new RestApi(this, 'RestApi', {
      restApiName: FUNCTION_NAME,
      description: 'stagecraft user API',
      // Regional: a custom domain then uses a certificate in the stack's own region.
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      deploy: true,
      deployOptions: this.stageOptions(PRIMARY_STAGE),
      // Access logging needs the account-level CloudWatch role; this creates it.
      cloudWatchRole: true,
    });
    // The construct also outputs the primary stage's URL; the stack outputs every stage's.
    this.api.node.tryRemoveChild('Endpoint');
    const deployment = this.api.latestDeployment;
    if (deployment === undefined) throw new Error('RestApi created no deployment');
    const stages = STAGES.map((stage) => {
      if (stage === PRIMARY_STAGE) return [stage, this.api.deploymentStage] as const;
      const apiStage = new ApiStage(this, `${pascal(stage)}Stage`, {
        deployment,
        ...this.stageOptions(stage),
      });
      return [stage, apiStage] as const;
    });
    this.stages = Object.fromEntries(stages) as Record<Stage, ApiStage>;

    this.addRoutes(props.function);
    for (const [type, id] of Object.entries(GATEWAY_RESPONSE_IDS)) {
      const response = GATEWAY_RESPONSES[type as CustomisedResponseType];
      this.api.addGatewayResponse(id, {
        type: ResponseType.of(type),
        ...(response.statusCode !== undefined && { statusCode: String(response.statusCode) }),
        ...(response.headers !== undefined && { responseHeaders: { ...response.headers } }),
        templates: { 'application/json': response.template },
      });
    }

    // One permission per alias, each only for calls from this API through its own stage.
    for (const stage of STAGES) {
      new CfnPermission(this, `Invoke${pascal(stage)}`, {
        action: 'lambda:InvokeFunction',
        functionName: props.aliases[stage].ref,
        principal: 'apigateway.amazonaws.com',
        sourceArn: this.api.arnForExecuteApi('*', '/*', stage),
      });
    }
  }

  private stageOptions(stage: Stage): StageOptions {
    const accessLogs = new LogGroup(this, `${pascal(stage)}AccessLogs`, {
      retention: LOG_RETENTION,
    });
    return {
      stageName: stage,
      variables: { [STAGE_VARIABLE]: stage },
      throttlingRateLimit: STAGE_THROTTLING[stage].rateLimit,
      throttlingBurstLimit: STAGE_THROTTLING[stage].burstLimit,
      accessLogDestination: new LogGroupLogDestination(accessLogs),
      accessLogFormat: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
    };
  }

  private addRoutes(fn: IFunction): void {
    // The function ARN plus `:${stageVariables.stage}`: each stage invokes its own alias.
    const integration = new Integration({
      type: IntegrationType.AWS_PROXY,
      integrationHttpMethod: 'POST',
      uri: `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}:lambda:path/2015-03-31/functions/${fn.functionArn}:\${stageVariables.${STAGE_VARIABLE}}/invocations`,
    });
    const patterns = new Map<string, RoutePattern>();
    for (const route of ROUTES) {
      const pattern = patterns.get(route.resource) ?? new RoutePattern(route.resource);
      // A greedy `{proxy+}` would silently widen what the API accepts.
      if (pattern.greedy) {
        throw new RoutePatternError(
          'route.invalid',
          `route resource '${route.resource}' is greedy; the API declares every resource`,
        );
      }
      patterns.set(route.resource, pattern);
    }
    const resources = new Map<string, IResource>([['/', this.api.root]]);
    for (const node of resourceTree([...patterns.values()])) {
      const parent = resources.get(node.parentPath);
      if (parent === undefined) throw new Error(`resource ${node.parentPath} missing`);
      resources.set(node.path, parent.addResource(node.pathPart));
    }
    const bodyValidator = this.api.addRequestValidator('BodyValidator', {
      requestValidatorName: 'json-body',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const pathParametersOf = (path: string): Record<string, boolean> =>
      Object.fromEntries(
        (patterns.get(path)?.paramNames ?? []).map((name) => [`method.request.path.${name}`, true]),
      );
    for (const route of ROUTES) {
      const resource = resources.get(route.resource);
      if (resource === undefined) throw new Error(`resource ${route.resource} missing`);
      resource.addMethod(route.method, integration, {
        operationName: route.operation,
        requestParameters: pathParametersOf(route.resource),
        ...(route.body !== undefined && {
          requestValidator: bodyValidator,
          requestModels: { 'application/json': this.bodyModel(route) },
        }),
      });
    }
    // API Gateway prefers an explicit method over ANY, so ANY only gets the methods the route
    // table does not declare, and the function answers them 405 with `Allow`, as locally.
    // Without it API Gateway would answer them MISSING_AUTHENTICATION_TOKEN (our 404).
    for (const path of patterns.keys()) {
      const resource = resources.get(path);
      if (resource === undefined) throw new Error(`resource ${path} missing`);
      resource.addMethod('ANY', integration, { requestParameters: pathParametersOf(path) });
    }
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
}
