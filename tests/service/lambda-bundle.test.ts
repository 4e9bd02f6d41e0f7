// The default wiring, as it runs in Lambda: the esbuild bundle of src/service/handler.ts,
// imported as an ES module, configured only by environment variables, against dynalite.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildLambdaBundle, type LambdaBundle } from '../../src/build/bundle.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/local/dynamodb.ts';
import { lambdaContext, userEvent } from './events.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const ENV = {
  AWS_REGION: 'local',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  STAGECRAFT_TABLE_STAGING: 'custom-staging-users',
};

let dynamo: EmbeddedDynamo;
let bundle: LambdaBundle;
let dir: string;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamo({
    tables: [
      { name: 'custom-staging-users', partitionKey: 'id' },
      { name: 'example_user', partitionKey: 'id' },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'stagecraft-handler-'));
  bundle = await buildLambdaBundle({ outDir: dir });
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
  vi.stubEnv('STAGECRAFT_DYNAMODB_ENDPOINT', dynamo.endpoint);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await dynamo.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the Lambda bundle', () => {
  it('stays under the cold-start budget and carries no AWS SDK client', () => {
    expect(bundle.code.byteLength).toBeLessThanOrEqual(150 * 1024);
    const code = Buffer.from(bundle.code).toString('utf8');
    // Names only the SDK's client and middleware stack define.
    expect(code).not.toContain('DynamoDBClient');
    expect(code).not.toContain('middlewareStack');
  });

  it('serves both stages from the tables the environment names', async () => {
    const { handler } = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as {
      handler: Handler;
    };
    const id = 'bundle01';
    const created = await handler(
      userEvent({ method: 'POST', id, body: { name: 'Ada' }, stage: 'staging' }),
      lambdaContext({ qualifier: 'staging' }),
    );
    expect(created.statusCode).toBe(201);
    expect(created.headers?.ETag).toBe('"1"');
    const staged = await handler(
      userEvent({ method: 'GET', id, stage: 'staging' }),
      lambdaContext({ qualifier: 'staging' }),
    );
    expect(JSON.parse(staged.body)).toMatchObject({ id, name: 'Ada', lock_version: 1 });
    // prod (example_user) never saw it.
    const prod = await handler(
      userEvent({ method: 'GET', id, stage: 'prod' }),
      lambdaContext({ qualifier: 'prod', version: '4' }),
    );
    expect([prod.statusCode, prod.headers?.['X-Function-Version']]).toEqual([404, '4']);
  });
});
