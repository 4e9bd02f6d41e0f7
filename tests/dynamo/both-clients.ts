// Both ItemClient implementations over one embedded DynamoDB, for suites that must hold for each:
// the lean fetch client (the Lambda's) and the SDK DocumentClient wrapper (tools and tests).
import { afterAll, beforeAll } from 'vitest';
import type { ItemClient } from '../../src/dynamo/client.ts';
import { LeanDynamoClient } from '../../src/dynamo/lean-client.ts';
import { SdkItemClient } from '../../src/dynamo/sdk-client.ts';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../src/local/dynamodb.ts';

/**
 * Starts dynalite with one table (partition key `id`) before the file's tests and stops it after;
 * returns a lookup for the client of each kind.
 */
export function useBothClients(table: string): (kind: 'sdk' | 'lean') => ItemClient {
  let db: EmbeddedDynamo | undefined;
  const clients: { sdk?: SdkItemClient; lean?: LeanDynamoClient } = {};

  beforeAll(async () => {
    db = await startEmbeddedDynamo({ tables: [{ name: table, partitionKey: 'id' }] });
    clients.sdk = new SdkItemClient({ config: db.clientConfig });
    clients.lean = new LeanDynamoClient({
      endpoint: db.endpoint,
      region: db.clientConfig.region,
      credentials: db.clientConfig.credentials,
      env: {},
    });
  });

  afterAll(async () => {
    clients.sdk?.destroy();
    await db?.stop();
  });

  return (kind) => {
    const client = clients[kind];
    if (client === undefined) throw new Error('client not started');
    return client;
  };
}
