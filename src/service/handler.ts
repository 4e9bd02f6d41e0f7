// The Lambda entry point (bundled as index.mjs, Handler `index.handler`). Module load does
// nothing: the handler, the DynamoDB client and each stage's repository are created on first
// use and then kept for the life of the container. Nothing here may import the AWS SDK: the
// bundle must stay small for cold starts (see bench/cold-start.ts).
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { tableNameFor, USER_TABLE_KEY, type Stage } from '../config/stages.ts';
import type { ItemClient } from '../dynamo/client.ts';
import { LeanDynamoClient } from '../dynamo/lean-client.ts';
import { VersionedRepository } from '../dynamo/repository.ts';
import { createHandler, type ProxyHandler } from './app.ts';
import { IdempotencyRecords } from './idempotency/records.ts';
import type { UserRecord, UserStore } from './store.ts';

let client: ItemClient | undefined;
const repositories = new Map<Stage, UserStore>();
const records = new Map<Stage, IdempotencyRecords>();
let app: ProxyHandler | undefined;

// One client for both stages (it holds the signing-key cache); one repository per stage table.
function repositoryFor(stage: Stage): UserStore {
  let repository = repositories.get(stage);
  if (repository === undefined) {
    client ??= new LeanDynamoClient();
    repository = new VersionedRepository<UserRecord>({
      client,
      tableName: tableNameFor(stage),
      key: USER_TABLE_KEY,
    });
    repositories.set(stage, repository);
  }
  return repository;
}

// Idempotency records live in the stage's own user table (under ids no user can have).
function idempotencyFor(stage: Stage): IdempotencyRecords {
  let store = records.get(stage);
  if (store === undefined) {
    client ??= new LeanDynamoClient();
    store = new IdempotencyRecords({ client, tableName: tableNameFor(stage), key: USER_TABLE_KEY });
    records.set(stage, store);
  }
  return store;
}

/**
 * The Lambda handler: an API Gateway REST proxy event (payload 1.0) in, a proxy result out.
 * The stage (and table) comes from the alias in `context.invokedFunctionArn`, confirmed by
 * `event.stageVariables.stage`.
 */
export async function handler(
  event: APIGatewayProxyEvent,
  context: Context,
): Promise<APIGatewayProxyResult> {
  app ??= createHandler({ repositoryFor, idempotencyFor });
  return app(event, context);
}
