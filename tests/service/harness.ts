// The handler wired to a real embedded DynamoDB (dynalite) through the Lambda's own lean
// client, with the log captured. Each stage's table is the one tableNameFor gives.
import type { APIGatewayProxyResult } from 'aws-lambda';
import { tableNameFor, type Stage } from '../../src/config/stages.ts';
import { LeanDynamoClient } from '../../src/dynamo/lean-client.ts';
import { VersionedRepository } from '../../src/dynamo/repository.ts';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../src/local/dynamodb.ts';
import {
  createHandler,
  type HandlerDependencies,
  type ProxyHandler,
} from '../../src/service/app.ts';
import { IdempotencyRecords } from '../../src/service/idempotency/records.ts';
import { createLogger } from '../../src/service/logger.ts';
import type { UserRecord, UserStore } from '../../src/service/store.ts';
import { lambdaContext, userEvent, type RequestSpec } from './events.ts';

/** A response with its JSON body parsed (undefined for an empty body). */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly json: Record<string, unknown> | undefined;
  readonly raw: APIGatewayProxyResult;
}

/** A running service under test. */
export interface Service {
  readonly dynamo: EmbeddedDynamo;
  readonly handler: ProxyHandler;
  /** Parsed log records, one per request. */
  readonly logs: Record<string, unknown>[];
  /** The table of a stage, read directly (not through the handler). */
  table(stage: Stage): UserStore;
  /** Sends a request through the stage's alias (the stage variable agrees unless overridden). */
  call(spec: RequestSpec, context?: Parameters<typeof lambdaContext>[0]): Promise<Answer>;
  stop(): Promise<void>;
}

/** Starts dynalite and a handler over it. */
export async function startService(
  overrides: Partial<Omit<HandlerDependencies, 'logger'>> = {},
): Promise<Service> {
  const dynamo = await startEmbeddedDynamo();
  const client = new LeanDynamoClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tables = new Map<Stage, UserStore>();
  const table = (stage: Stage): UserStore => {
    let store = tables.get(stage);
    if (store === undefined) {
      store = new VersionedRepository<UserRecord>({
        client,
        tableName: tableNameFor(stage),
        key: 'id',
      });
      tables.set(stage, store);
    }
    return store;
  };
  const logs: Record<string, unknown>[] = [];
  const records = (stage: Stage) =>
    new IdempotencyRecords({ client, tableName: tableNameFor(stage), key: 'id' });
  const handler = createHandler({
    repositoryFor: table,
    idempotencyFor: records,
    logger: createLogger({
      sink: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
    }),
    ...overrides,
  });
  return {
    dynamo,
    handler,
    logs,
    table,
    async call(spec, context) {
      const qualifier =
        context?.qualifier === undefined ? (spec.stage ?? 'staging') : context.qualifier;
      return answer(await handler(userEvent(spec), lambdaContext({ ...context, qualifier })));
    },
    stop: () => dynamo.stop(),
  };
}

/** Parses a proxy result. */
export function answer(raw: APIGatewayProxyResult): Answer {
  const headers = Object.fromEntries(
    Object.entries(raw.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  const json = raw.body === '' ? undefined : (JSON.parse(raw.body) as Record<string, unknown>);
  return { status: raw.statusCode, headers, json, raw };
}
