// The synthesized CloudFormation template, asserted piece by piece. One app is synthesized per
// describe block (in-process, offline, no credentials) with a fixture handler.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_HANDLER } from '../../src/build/bundle.ts';
import {
  FUNCTION_MEMORY_MB,
  FUNCTION_TIMEOUT_SECONDS,
  GATEWAY_RESPONSES,
  INTEGRATION_TIMEOUT_SECONDS,
  STAGE_VARIABLE,
} from '../../src/config/gateway.ts';
import { FUNCTION_NAME, STAGES, STAGE_CONFIG, tableNameFor } from '../../src/config/stages.ts';
import { createApp, type StagecraftApp } from '../../src/infra/app.ts';
import {
  DEFAULT_STACK_NAME,
  OUTPUTS,
  PROD_API_DEPLOYMENT_PARAMETER,
  PROD_VERSION_PARAMETER,
  PROD_VERSION_PATTERN,
  STAGE_OUTPUTS,
} from '../../src/config/aws-stack.ts';
import {
  GATEWAY_DEFAULTS,
  gatewayResponse,
  type GatewayResponseType,
} from '../../src/local/gateway/gateway-responses.ts';
import { ROUTES } from '../../src/service/routes.ts';

const entry = fileURLToPath(new URL('../fixtures/echo-handler.ts', import.meta.url));
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

type Json = Record<string, unknown>;

/** The resources the route table serves; each also gets an ANY method. */
const ROUTED_RESOURCES = [...new Set(ROUTES.map((route) => route.resource))];

/** Renders a CloudFormation value as a string: `{Ref: X}` → `<X>`, `Fn::GetAtt` → `<X.Attr>`. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Json;
  if ('Ref' in v) return `<${String(v.Ref)}>`;
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  if ('Fn::Sub' in v) return String(v['Fn::Sub']);
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

function resourcesOf(template: Template, type: string): [string, Json][] {
  return Object.entries(template.findResources(type)) as [string, Json][];
}

function onlyResource(template: Template, type: string, props: Json = {}): [string, Json] {
  const found = Object.entries(template.findResources(type, { Properties: props }));
  expect(found).toHaveLength(1);
  return found[0] as [string, Json];
}

function propsOf(resource: Json): Json {
  return resource.Properties as Json;
}

/** The template's gateway responses by type: status (a string) and JSON template. */
function gatewayResponsesOf(
  template: Template,
): Record<string, { statusCode?: string; template: string }> {
  return Object.fromEntries(
    resourcesOf(template, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => {
      const props = propsOf(r);
      const templates = props.ResponseTemplates as Record<string, string>;
      expect(Object.keys(templates)).toEqual(['application/json']);
      return [
        props.ResponseType,
        {
          ...(props.StatusCode !== undefined && { statusCode: props.StatusCode as string }),
          template: templates['application/json'] ?? '',
        },
      ];
    }),
  );
}

async function synth(dir: string, options: { context?: Json; env?: NodeJS.ProcessEnv } = {}) {
  const built = await createApp({
    entry,
    bundleDir: join(dir, 'bundle'),
    outdir: join(dir, 'cdk.out'),
    context: { ...cdkJson.context, ...options.context },
    env: options.env ?? {},
  });
  const assembly = built.app.synth();
  return { built, assembly, template: Template.fromStack(built.stack) };
}

describe('the stack without a custom domain', () => {
  let dir: string;
  let built: StagecraftApp;
  let template: Template;
  let assemblyDir: string;
  let missingContext: unknown;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stagecraft-infra-'));
    const result = await synth(dir);
    built = result.built;
    template = result.template;
    assemblyDir = result.assembly.directory;
    missingContext = result.assembly.manifest.missing;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('synthesizes offline into a cloud assembly named after the default stack', async () => {
    expect(built.stack.stackName).toBe(DEFAULT_STACK_NAME);
    const onDisk = JSON.parse(
      await readFile(join(assemblyDir, `${DEFAULT_STACK_NAME}.template.json`), 'utf8'),
    ) as Json;
    expect(onDisk.Resources).toEqual(template.toJSON().Resources);
    // Environment-agnostic and lookup-free: no account, no region, no missing context.
    expect(Token.isUnresolved(built.stack.account)).toBe(true);
    expect(Token.isUnresolved(built.stack.region)).toBe(true);
    expect(missingContext).toBeUndefined();
  });

  it('holds exactly these resources, nothing CDK added on the side', () => {
    const counts: Record<string, number> = {};
    for (const resource of Object.values(template.toJSON().Resources as Record<string, Json>)) {
      const type = resource.Type as string;
      counts[type] = (counts[type] ?? 0) + 1;
    }
    expect(counts).toEqual({
      'AWS::DynamoDB::Table': 2,
      'AWS::Logs::LogGroup': 3,
      'AWS::IAM::Role': 2, // the function's, and API Gateway's CloudWatch role for access logs
      'AWS::IAM::Policy': 1,
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::Alias': 2,
      'AWS::Lambda::Permission': 2,
      'AWS::ApiGateway::RestApi': 1,
      'AWS::ApiGateway::Account': 1,
      'AWS::ApiGateway::Deployment': 1,
      'AWS::ApiGateway::Stage': 2,
      'AWS::ApiGateway::Resource': 2,
      'AWS::ApiGateway::Method': ROUTES.length + ROUTED_RESOURCES.length,
      'AWS::ApiGateway::RequestValidator': 1,
      'AWS::ApiGateway::Model': 1,
      'AWS::ApiGateway::GatewayResponse': 3,
    });
  });

  it('has one on-demand table per stage, keyed by id, named by tableNameFor', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', STAGES.length);
    for (const stage of STAGES) {
      const [, table] = onlyResource(template, 'AWS::DynamoDB::Table', {
        TableName: tableNameFor(stage, {}),
      });
      expect(propsOf(table)).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      });
      const pitr = propsOf(table).PointInTimeRecoverySpecification as Json;
      expect(pitr.PointInTimeRecoveryEnabled).toBe(stage === 'prod');
      expect(table.DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete');
    }
  });

  it('deploys the bundle zip byte for byte as an arm64 nodejs22.x function', async () => {
    const [, fn] = onlyResource(template, 'AWS::Lambda::Function');
    const props = propsOf(fn);
    expect(props).toMatchObject({
      FunctionName: FUNCTION_NAME,
      Handler: LAMBDA_HANDLER,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
    expect(props.Description).toContain(built.bundle.codeSha256);
    const key = (props.Code as Json).S3Key as string;
    const asset = await readFile(join(assemblyDir, `asset.${key}`));
    expect(asset.equals(Buffer.from(built.bundle.zip))).toBe(true);
    // `file` packaging: cdk-assets uploads the zip as it is, so Lambda's CodeSha256 is ours.
    const manifest = JSON.parse(
      await readFile(join(assemblyDir, `${DEFAULT_STACK_NAME}.assets.json`), 'utf8'),
    ) as { files: Record<string, { source: { path: string; packaging: string } }> };
    expect(Object.values(manifest.files).map((f) => f.source)).toContainEqual({
      path: `asset.${key}`,
      packaging: 'file',
    });
    // The handler gets exactly the table names the role is granted.
    const tables = resourcesOf(template, 'AWS::DynamoDB::Table');
    const byName = new Map(tables.map(([id, t]) => [propsOf(t).TableName, id]));
    const variables = (props.Environment as Json).Variables as Json;
    for (const stage of STAGES) {
      expect(variables[STAGE_CONFIG[stage].tableEnvVar]).toEqual({
        Ref: byName.get(tableNameFor(stage, {})),
      });
    }
  });

  it('grants the role exactly the repository DynamoDB actions on the two tables, and its own logs', () => {
    const [roleId, role] = onlyResource(template, 'AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
    });
    expect(propsOf(role).ManagedPolicyArns).toBeUndefined();
    expect(propsOf(role).Policies).toBeUndefined();
    const policies = resourcesOf(template, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(propsOf(p).Roles).includes(roleId),
    );
    expect(policies).toHaveLength(1);
    const statements = (propsOf(policies[0]?.[1] ?? {}).PolicyDocument as Json).Statement as Json[];
    const tableIds = resourcesOf(template, 'AWS::DynamoDB::Table').map(([id]) => id);
    const loggingConfig = propsOf(onlyResource(template, 'AWS::Lambda::Function')[1])
      .LoggingConfig as { LogGroup: { Ref: string } };
    const logGroupId = loggingConfig.LogGroup.Ref;
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId]).toBeDefined();
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        Resource: expect.arrayContaining(tableIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))),
      },
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
      },
    ]);
    expect((statements[0]?.Resource as unknown[]).length).toBe(2);
  });

  it('keeps every log group for 30 days', () => {
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(1 + STAGES.length); // the function's + one access log per stage
    for (const [, group] of groups) expect(propsOf(group).RetentionInDays).toBe(30);
  });

  it('points the staging alias at $LATEST and the prod alias at the ProdVersion parameter', () => {
    template.resourceCountIs('AWS::Lambda::Alias', 2);
    const [fnId] = onlyResource(template, 'AWS::Lambda::Function');
    onlyResource(template, 'AWS::Lambda::Alias', {
      Name: 'staging',
      FunctionName: { Ref: fnId },
      FunctionVersion: '$LATEST',
    });
    onlyResource(template, 'AWS::Lambda::Alias', {
      Name: 'prod',
      FunctionName: { Ref: fnId },
      FunctionVersion: { Ref: PROD_VERSION_PARAMETER },
    });
  });

  it('declares ProdVersion without a default, accepting $LATEST or a version number', () => {
    const parameter = template.toJSON().Parameters[PROD_VERSION_PARAMETER] as Json;
    expect(parameter.Type).toBe('String');
    expect(parameter.Default).toBeUndefined(); // a first deploy must choose; later ones pass the live value
    const pattern = new RegExp(parameter.AllowedPattern as string);
    expect(pattern.source).toBe(PROD_VERSION_PATTERN.source);
    for (const ok of ['$LATEST', '1', '42']) expect(pattern.test(ok)).toBe(true);
    for (const bad of ['0', '01', 'prod', '$latest', '', '1.0'])
      expect(pattern.test(bad)).toBe(false);
  });

  it('pins the prod stage to the ProdApiDeployment parameter, the newest deployment while it is empty, and retains old deployments', () => {
    const json = template.toJSON() as {
      Parameters: Record<string, Json>;
      Conditions: Record<string, Json>;
    };
    const parameter = json.Parameters[PROD_API_DEPLOYMENT_PARAMETER] as Json;
    expect(parameter.Type).toBe('String');
    expect(parameter.Default).toBe(''); // a first deploy puts both stages on the first deployment
    const pattern = new RegExp(parameter.AllowedPattern as string);
    for (const ok of ['', 'abc123', 'x7k2q9']) expect(pattern.test(ok)).toBe(true);
    for (const bad of ['a b', 'abc/123', 'x'.repeat(33)]) expect(pattern.test(bad)).toBe(false);

    const [deploymentId, deployment] = onlyResource(template, 'AWS::ApiGateway::Deployment');
    // An API change replaces the Deployment resource; the old one stays for prod to serve.
    expect(deployment.DeletionPolicy).toBe('Retain');
    expect(deployment.UpdateReplacePolicy).toBe('Retain');
    expect(propsOf(deployment).Description).toMatch(/^stagecraft API definition [0-9a-f]{16}$/);

    const prod = resourcesOf(template, 'AWS::ApiGateway::Stage').find(
      ([, stage]) => propsOf(stage).StageName === 'prod',
    );
    const choice = (propsOf(prod?.[1] as Json).DeploymentId as { 'Fn::If': unknown[] })['Fn::If'];
    const condition = json.Conditions[choice[0] as string];
    expect(condition).toEqual({ 'Fn::Equals': [{ Ref: PROD_API_DEPLOYMENT_PARAMETER }, ''] });
    expect(choice.slice(1)).toEqual([
      { Ref: deploymentId },
      { Ref: PROD_API_DEPLOYMENT_PARAMETER },
    ]);
  });

  it('gives each alias one invoke permission, limited to this API and its own stage', () => {
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission');
    expect(permissions).toHaveLength(STAGES.length);
    const aliases = new Map(
      resourcesOf(template, 'AWS::Lambda::Alias').map(([id, a]) => [id, propsOf(a).Name]),
    );
    const [apiId] = onlyResource(template, 'AWS::ApiGateway::RestApi');
    const byAlias = permissions.map(([, p]) => {
      const props = propsOf(p);
      expect(props.Action).toBe('lambda:InvokeFunction');
      expect(props.Principal).toBe('apigateway.amazonaws.com');
      const alias = aliases.get((props.FunctionName as { Ref: string }).Ref);
      return [alias, render(props.SourceArn)];
    });
    expect(Object.fromEntries(byAlias)).toEqual(
      Object.fromEntries(
        STAGES.map((stage) => [
          stage,
          `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${stage}/*/*`,
        ]),
      ),
    );
  });

  it('integrates every method as AWS_PROXY with the alias named by the stage variable', () => {
    const [fnId] = onlyResource(template, 'AWS::Lambda::Function');
    const methods = resourcesOf(template, 'AWS::ApiGateway::Method');
    expect(methods).toHaveLength(ROUTES.length + ROUTED_RESOURCES.length);
    for (const [, method] of methods) {
      const integration = propsOf(method).Integration as Json;
      expect(integration.Type).toBe('AWS_PROXY');
      expect(integration.IntegrationHttpMethod).toBe('POST');
      expect(render(integration.Uri)).toBe(
        `arn:<AWS::Partition>:apigateway:<AWS::Region>:lambda:path/2015-03-31/functions/<${fnId}.Arn>:\${stageVariables.stage}/invocations`,
      );
      expect(propsOf(method).AuthorizationType).toBe('NONE');
      // API Gateway's default integration timeout, which the local gateway emulates.
      expect(integration.TimeoutInMillis ?? INTEGRATION_TIMEOUT_SECONDS * 1000).toBe(
        INTEGRATION_TIMEOUT_SECONDS * 1000,
      );
    }
    // No binary media types: a base64 body reaches clients as text, locally as on AWS.
    const [, api] = onlyResource(template, 'AWS::ApiGateway::RestApi');
    expect(propsOf(api).BinaryMediaTypes).toBeUndefined();
  });

  it('validates JSON bodies against a model built from the route body schema, never stricter than the function', () => {
    const [validatorId] = onlyResource(template, 'AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
    });
    const [modelId, model] = onlyResource(template, 'AWS::ApiGateway::Model');
    expect(propsOf(model).ContentType).toBe('application/json');
    expect(propsOf(model).Schema).toEqual({
      $schema: 'http://json-schema.org/draft-04/schema#',
      title: 'PutUserBody',
      type: 'object',
      // Never stricter than the function: no maxLength (it applies after trimming), and
      // `number` so that 1.0 reaches the function, which takes it as 1.
      properties: {
        name: { type: 'string', minLength: 1 },
        lock_version: { type: 'number', minimum: 1 },
      },
      required: ['name'],
      additionalProperties: false,
    });
    for (const [, method] of resourcesOf(template, 'AWS::ApiGateway::Method')) {
      const props = propsOf(method);
      const route = ROUTES.find((r) => r.method === props.HttpMethod);
      expect(props.RequestParameters).toEqual({ 'method.request.path.id': true });
      if (route?.body === undefined) {
        expect(props.RequestValidatorId).toBeUndefined();
        expect(props.RequestModels).toBeUndefined();
      } else {
        expect(props.RequestValidatorId).toEqual({ Ref: validatorId });
        expect(props.RequestModels).toEqual({ 'application/json': { Ref: modelId } });
      }
    }
  });

  it('answers API Gateway\'s own 4xx/5xx with "error" and "message" set to its message, as valid JSON', () => {
    const responses = gatewayResponsesOf(template);
    expect(Object.keys(responses).sort()).toEqual([
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'MISSING_AUTHENTICATION_TOKEN',
    ]);
    // messageString arrives JSON-quoted; substitute one with awkward characters.
    const message = 'Invalid "request" body\\';
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      const body = responses[type]?.template ?? '';
      expect(body.replaceAll('$context.error.messageString', JSON.stringify(message))).toBe(
        `{"error":${JSON.stringify(message)},"message":${JSON.stringify(message)}}`,
      );
      expect(responses[type]?.statusCode).toBeUndefined();
    }
    expect(responses.MISSING_AUTHENTICATION_TOKEN).toEqual({
      statusCode: '404',
      template:
        '{"error":"no route for this method and path","message":"no route for this method and path"}',
    });
  });

  it('gives every gateway response an X-Request-Id header mapped from the request id, as the local gateway sends', () => {
    const responses = resourcesOf(template, 'AWS::ApiGateway::GatewayResponse');
    expect(responses).toHaveLength(Object.keys(GATEWAY_RESPONSES).length);
    for (const [, response] of responses) {
      const props = propsOf(response);
      // No X-Function-Version: a gateway response knows no function version.
      expect(props.ResponseParameters, String(props.ResponseType)).toEqual({
        'gatewayresponse.header.X-Request-Id': 'context.requestId',
      });
      const type = props.ResponseType as keyof typeof GATEWAY_RESPONSES;
      expect(GATEWAY_RESPONSES[type].headers).toEqual({ 'X-Request-Id': 'context.requestId' });
    }
    for (const type of Object.keys(GATEWAY_DEFAULTS) as GatewayResponseType[]) {
      expect(gatewayResponse(type, { requestId: 'id-1' }).headers['X-Request-Id'], type).toBe(
        'id-1',
      );
    }
  });

  it('deploys the gateway responses, stage variable, timeout and memory the local stack uses (parity)', () => {
    const responses = gatewayResponsesOf(template);
    expect(responses).toEqual(
      Object.fromEntries(
        Object.entries(GATEWAY_RESPONSES).map(([type, r]) => [
          type,
          {
            ...(r.statusCode !== undefined && { statusCode: String(r.statusCode) }),
            template: r.template,
          },
        ]),
      ),
    );
    // Every answer the local gateway gives itself is what the deployed template renders for
    // API Gateway's message of that type (the type's own response, else its 4XX/5XX family).
    for (const type of Object.keys(GATEWAY_DEFAULTS) as GatewayResponseType[]) {
      const fallback = GATEWAY_DEFAULTS[type];
      const deployed =
        responses[type] ?? responses[fallback.statusCode < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX'];
      const local = gatewayResponse(type, { requestId: 'parity' });
      expect(local.statusCode, type).toBe(Number(deployed?.statusCode ?? fallback.statusCode));
      expect(local.body, type).toBe(
        deployed?.template.replaceAll(
          '$context.error.messageString',
          JSON.stringify(fallback.message),
        ),
      );
    }
    const fn = propsOf(onlyResource(template, 'AWS::Lambda::Function')[1]);
    expect(fn.MemorySize).toBe(FUNCTION_MEMORY_MB);
    expect(fn.Timeout).toBe(FUNCTION_TIMEOUT_SECONDS);
    for (const [, stage] of resourcesOf(template, 'AWS::ApiGateway::Stage')) {
      expect(propsOf(stage).Variables).toEqual({ [STAGE_VARIABLE]: propsOf(stage).StageName });
    }
  });

  it('has a staging and a prod stage, each with its stage variable, throttling and JSON access logs', () => {
    const stages = resourcesOf(template, 'AWS::ApiGateway::Stage');
    expect(stages).toHaveLength(STAGES.length);
    const [deploymentId] = onlyResource(template, 'AWS::ApiGateway::Deployment');
    const [accountId] = onlyResource(template, 'AWS::ApiGateway::Account');
    const logGroups = new Set(resourcesOf(template, 'AWS::Logs::LogGroup').map(([id]) => id));
    const destinations = new Set<string>();
    for (const [, stage] of stages) {
      const props = propsOf(stage);
      const name = props.StageName as 'staging' | 'prod';
      // Staging serves the newest deployment; prod the ProdApiDeployment parameter's, or the
      // newest while that is empty (a first deploy). See the test of the parameter below.
      expect(props.DeploymentId).toEqual(
        name === 'staging'
          ? { Ref: deploymentId }
          : {
              'Fn::If': [
                expect.any(String),
                { Ref: deploymentId },
                { Ref: PROD_API_DEPLOYMENT_PARAMETER },
              ],
            },
      );
      expect(props.MethodSettings).toEqual([
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: expect.any(Number),
          ThrottlingBurstLimit: expect.any(Number),
        }),
      ]);
      const access = props.AccessLogSetting as { DestinationArn: unknown; Format: string };
      const destination = render(access.DestinationArn);
      const group = /log-group:<(\w+)>$/.exec(destination)?.[1];
      expect(group !== undefined && logGroups.has(group)).toBe(true);
      destinations.add(destination);
      const fields = JSON.parse(access.Format) as Json;
      expect(fields).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
      // Stages need the account's CloudWatch role before access logging can be switched on.
      expect(stage.DependsOn).toContain(accountId);
      expect(name in STAGE_CONFIG).toBe(true);
    }
    expect(destinations.size).toBe(STAGES.length);
  });

  it('matches the route table and the local stages exactly (parity)', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const [apiId] = onlyResource(template, 'AWS::ApiGateway::RestApi');
    const pathOf = (ref: unknown): string => {
      const r = ref as Json;
      if ('Fn::GetAtt' in r) {
        expect(r['Fn::GetAtt']).toEqual([apiId, 'RootResourceId']);
        return '';
      }
      const resource = resources[(r as { Ref: string }).Ref] as Json;
      const props = propsOf(resource);
      return `${pathOf(props.ParentId)}/${String(props.PathPart)}`;
    };
    const served = resourcesOf(template, 'AWS::ApiGateway::Method').map(
      ([, m]) => `${String(propsOf(m).HttpMethod)} ${pathOf(propsOf(m).ResourceId)}`,
    );
    // The route table's methods, and one ANY per routed resource for the function's 405.
    expect(served.filter((m) => !m.startsWith('ANY ')).sort()).toEqual(
      ROUTES.map((r) => `${r.method} ${r.resource}`).sort(),
    );
    expect(served.filter((m) => m.startsWith('ANY ')).sort()).toEqual(
      ROUTED_RESOURCES.map((resource) => `ANY ${resource}`).sort(),
    );
    expect(JSON.stringify(template.toJSON())).not.toContain('proxy+');

    const variables = Object.fromEntries(
      resourcesOf(template, 'AWS::ApiGateway::Stage').map(([, s]) => [
        propsOf(s).StageName,
        propsOf(s).Variables,
      ]),
    );
    expect(variables).toEqual(Object.fromEntries(STAGES.map((stage) => [stage, { stage }])));
  });

  it('outputs the stage URLs, function name, table names and API id under the contract keys', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const expected = [
      ...STAGES.flatMap((stage) => [STAGE_OUTPUTS[stage].url, STAGE_OUTPUTS[stage].table]),
      OUTPUTS.functionName,
      OUTPUTS.apiId,
      OUTPUTS.codeSha256,
    ];
    expect(Object.keys(outputs).sort()).toEqual(expected.sort());
    // The literal keys of CONTRACTS.md: the release CLI reads these.
    expect(expected.sort()).toEqual([
      'ApiId',
      'CodeSha256',
      'FunctionName',
      'ProdTableName',
      'ProdUrl',
      'StagingTableName',
      'StagingUrl',
    ]);
    const [apiId] = onlyResource(template, 'AWS::ApiGateway::RestApi');
    const [fnId] = onlyResource(template, 'AWS::Lambda::Function');
    for (const stage of STAGES) {
      // Each URL must end in its own stage (the Stage resource named after it), so swapped
      // StagingUrl/ProdUrl outputs fail here.
      const [stageId] = onlyResource(template, 'AWS::ApiGateway::Stage', { StageName: stage });
      expect(render(outputs[STAGE_OUTPUTS[stage].url]?.Value)).toBe(
        `https://<${apiId}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/<${stageId}>/`,
      );
      const [tableId] = onlyResource(template, 'AWS::DynamoDB::Table', {
        TableName: tableNameFor(stage, {}),
      });
      expect(outputs[STAGE_OUTPUTS[stage].table]?.Value).toEqual({ Ref: tableId });
    }
    expect(outputs[OUTPUTS.functionName]?.Value).toEqual({ Ref: fnId });
    expect(outputs[OUTPUTS.apiId]?.Value).toEqual({ Ref: apiId });
    expect(outputs[OUTPUTS.codeSha256]?.Value).toBe(built.bundle.codeSha256);
  });

  it('creates no custom-domain resources without domain context', () => {
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });
});

describe('the stack with a custom domain, a stack name and table overrides', () => {
  const domain = {
    domainName: 'api.example.com',
    certificateArn:
      'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
  };
  let dir: string;
  let built: StagecraftApp;
  let template: Template;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stagecraft-infra-domain-'));
    const result = await synth(dir, {
      context: { ...domain, stackName: 'StagecraftDev' },
      env: { STAGECRAFT_TABLE_STAGING: 'dev-s-users', STAGECRAFT_TABLE_PROD: 'dev-users' },
    });
    built = result.built;
    template = result.template;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('names the stack from context and the tables from the environment overrides', () => {
    expect(built.stack.stackName).toBe('StagecraftDev');
    const names = resourcesOf(template, 'AWS::DynamoDB::Table').map(
      ([, t]) => propsOf(t).TableName,
    );
    expect(names.sort()).toEqual(['dev-s-users', 'dev-users']);
  });

  it('creates a regional TLS 1.2 domain with the certificate, one base path per stage and an alias record', () => {
    const [domainId] = onlyResource(template, 'AWS::ApiGateway::DomainName', {
      DomainName: domain.domainName,
      RegionalCertificateArn: domain.certificateArn,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    const stageIds = new Map(
      resourcesOf(template, 'AWS::ApiGateway::Stage').map(([id, s]) => [id, propsOf(s).StageName]),
    );
    const [apiId] = onlyResource(template, 'AWS::ApiGateway::RestApi');
    const mappings = resourcesOf(template, 'AWS::ApiGateway::BasePathMapping').map(([, m]) => {
      const props = propsOf(m);
      expect(props.DomainName).toEqual({ Ref: domainId });
      expect(props.RestApiId).toEqual({ Ref: apiId });
      return [props.BasePath, stageIds.get((props.Stage as { Ref: string }).Ref)];
    });
    expect(Object.fromEntries(mappings)).toEqual(Object.fromEntries(STAGES.map((s) => [s, s])));
    const [, record] = onlyResource(template, 'AWS::Route53::RecordSet');
    expect(propsOf(record)).toMatchObject({
      Name: `${domain.domainName}.`,
      Type: 'A',
      HostedZoneId: domain.hostedZoneId,
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      },
    });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.StagingDomainUrl?.Value).toBe('https://api.example.com/staging/');
    expect(outputs.ProdDomainUrl?.Value).toBe('https://api.example.com/prod/');
  });
});
