// The constructs' props: each optional prop defaults to the shared config (what the stack
// deploys), and a given prop replaces it. Synthesized in-process from the constructs alone, so
// no Lambda bundle is built.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT_SECONDS } from '../../src/config/gateway.ts';
import { FUNCTION_NAME, LATEST, STAGES, USER_TABLE_KEY } from '../../src/config/stages.ts';
import { UserApi, type UserApiProps } from '../../src/infra/api.ts';
import { UserTables, type UserTablesProps } from '../../src/infra/data.ts';
import { UserFunction, type UserFunctionProps } from '../../src/infra/function.ts';
import { STAGE_THROTTLING } from '../../src/infra/settings.ts';
import { RoutePatternError } from '../../src/service/route-pattern.ts';
import { ROUTES, type RouteSpec } from '../../src/service/routes.ts';

type Json = Record<string, unknown>;

const dir = mkdtempSync(join(tmpdir(), 'stagecraft-constructs-'));
const zipPath = join(dir, 'function.zip');
writeFileSync(zipPath, 'not really a zip: CDK only hashes and stages it');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Overrides {
  readonly tables?: Partial<UserTablesProps>;
  readonly fn?: Partial<UserFunctionProps>;
  readonly api?: Partial<UserApiProps>;
}

/** Tables → function → API in a bare stack, with optional props on each. */
function build(overrides: Overrides = {}): Stack {
  const stack = new Stack(new App({ analyticsReporting: false }), 'ConstructsTest');
  const tables = new UserTables(stack, 'Tables', {
    tableNames: { staging: 's-t', prod: 't' },
    ...overrides.tables,
  });
  const fn = new UserFunction(stack, 'Lambda', {
    code: { zipPath, codeSha256: 'c2hh' },
    tables: tables.byStage,
    aliasVersions: { staging: LATEST, prod: '1' },
    ...overrides.fn,
  });
  new UserApi(stack, 'Api', { function: fn.function, aliases: fn.aliases, ...overrides.api });
  return stack;
}

function propsOfType(template: Template, type: string): Json[] {
  return Object.values(template.findResources(type)).map((r) => (r as Json).Properties as Json);
}

function tablesByName(template: Template): Record<string, Json> {
  const tables = Object.values(template.findResources('AWS::DynamoDB::Table')) as Json[];
  return Object.fromEntries(tables.map((t) => [String((t.Properties as Json).TableName), t]));
}

function methodsOf(template: Template): string[] {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    if (id === undefined) return '';
    const props = (resources[id] as Json).Properties as Json;
    return `${pathOf(props.ParentId)}/${String(props.PathPart)}`;
  };
  return propsOfType(template, 'AWS::ApiGateway::Method')
    .map((m) => `${String(m.HttpMethod)} ${pathOf(m.ResourceId)}`)
    .sort();
}

describe('construct props default to the shared config', () => {
  const template = Template.fromStack(build());

  it('UserTables: key USER_TABLE_KEY, prod retained with point-in-time recovery', () => {
    const byName = tablesByName(template);
    for (const table of Object.values(byName)) {
      expect((table.Properties as Json).KeySchema).toEqual([
        { AttributeName: USER_TABLE_KEY, KeyType: 'HASH' },
      ]);
    }
    expect(byName.t?.DeletionPolicy).toBe('Retain');
    expect(byName['s-t']?.DeletionPolicy).toBe('Delete');
    expect((byName.t?.Properties as Json).PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
  });

  it('UserFunction: FUNCTION_NAME, FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT_SECONDS, a month of logs', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: FUNCTION_NAME,
      MemorySize: FUNCTION_MEMORY_MB,
      Timeout: FUNCTION_TIMEOUT_SECONDS,
    });
    for (const group of propsOfType(template, 'AWS::Logs::LogGroup')) {
      expect(group.RetentionInDays).toBe(30);
    }
  });

  it('UserApi: the ROUTES table (plus ANY per resource), named FUNCTION_NAME, STAGE_THROTTLING', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: FUNCTION_NAME });
    const resources = [...new Set(ROUTES.map((r) => r.resource))];
    expect(methodsOf(template)).toEqual(
      [
        ...ROUTES.map((r) => `${r.method} ${r.resource}`),
        ...resources.map((r) => `ANY ${r}`),
      ].sort(),
    );
    const stages = propsOfType(template, 'AWS::ApiGateway::Stage');
    expect(stages.map((s) => s.StageName).sort()).toEqual([...STAGES].sort());
    for (const stage of stages) {
      const limits = STAGE_THROTTLING[stage.StageName as (typeof STAGES)[number]];
      expect(stage.MethodSettings).toEqual([
        expect.objectContaining({
          ThrottlingRateLimit: limits.rateLimit,
          ThrottlingBurstLimit: limits.burstLimit,
        }),
      ]);
    }
  });
});

describe('construct props replace the defaults', () => {
  const routes: RouteSpec[] = [
    { method: 'GET', resource: '/team/{team}/member/{member}', operation: 'getUser' },
  ];
  const template = Template.fromStack(
    build({
      tables: {
        partitionKey: 'pk',
        policies: {
          staging: { retain: true, pointInTimeRecovery: false },
          prod: { retain: false, pointInTimeRecovery: false },
        },
      },
      fn: {
        functionName: 'other',
        memorySize: 512,
        timeout: Duration.seconds(3),
        logRetention: RetentionDays.ONE_WEEK,
      },
      api: {
        routes,
        restApiName: 'other-api',
        throttling: {
          staging: { rateLimit: 1, burstLimit: 2 },
          prod: { rateLimit: 3, burstLimit: 4 },
        },
        logRetention: RetentionDays.ONE_DAY,
      },
    }),
  );

  it('UserTables: partitionKey and policies', () => {
    const byName = tablesByName(template);
    expect(byName.t?.DeletionPolicy).toBe('Delete');
    expect(byName['s-t']?.DeletionPolicy).toBe('Retain');
    for (const table of Object.values(byName)) {
      expect((table.Properties as Json).KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
      ]);
    }
  });

  it('UserFunction: name, memory, timeout and log retention', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'other',
      MemorySize: 512,
      Timeout: 3,
    });
    const retentions = propsOfType(template, 'AWS::Logs::LogGroup').map((g) => g.RetentionInDays);
    // The function's log group, then one access log per stage.
    expect(retentions.sort()).toEqual([1, 1, 7]);
  });

  it('UserApi: routes (with every intermediate resource), name and throttling', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'other-api' });
    expect(methodsOf(template)).toEqual([
      'ANY /team/{team}/member/{member}',
      'GET /team/{team}/member/{member}',
    ]);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestParameters: {
        'method.request.path.team': true,
        'method.request.path.member': true,
      },
    });
    const limits = propsOfType(template, 'AWS::ApiGateway::Stage').map((s) => [
      s.StageName,
      (s.MethodSettings as Json[])[0]?.ThrottlingRateLimit,
    ]);
    expect(Object.fromEntries(limits)).toEqual({ staging: 1, prod: 3 });
  });

  it('UserApi refuses a greedy {proxy+} route: the API declares every resource it serves', () => {
    const greedy: RouteSpec[] = [{ method: 'GET', resource: '/{proxy+}', operation: 'getUser' }];
    expect(() => build({ api: { routes: greedy } })).toThrow(RoutePatternError);
  });
});
