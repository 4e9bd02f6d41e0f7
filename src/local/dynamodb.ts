import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { STAGES, USER_TABLE_KEY, tableNameFor } from '../config/stages.ts';

/** A table to create in the embedded DynamoDB: a name and its string partition key. */
export interface LocalTableSpec {
  /** Table name. */
  readonly name: string;
  /** Partition key attribute (type S). */
  readonly partitionKey: string;
}

/** Options for {@link startEmbeddedDynamo}. */
export interface EmbeddedDynamoOptions {
  /**
   * LevelDB directory for data that survives restarts.
   * @default undefined (in memory)
   */
  readonly path?: string;
  /**
   * Tables to create when missing.
   * @default the user table of every stage
   */
  readonly tables?: readonly LocalTableSpec[];
  /**
   * Port to bind on 127.0.0.1.
   * @default 0 (a free port)
   */
  readonly port?: number;
}

/** A running embedded DynamoDB. */
export interface EmbeddedDynamo {
  /** `http://127.0.0.1:<port>`, for a client's `endpoint`. */
  readonly endpoint: string;
  /** The bound port. */
  readonly port: number;
  /** Region and static credentials any client may use against it. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** Stops the server and closes its LevelDB. */
  stop(): Promise<void>;
}

/** The user table of every stage, as the local stack and the tests create them. */
export function defaultLocalTables(env: NodeJS.ProcessEnv = process.env): LocalTableSpec[] {
  return STAGES.map((stage) => ({ name: tableNameFor(stage, env), partitionKey: USER_TABLE_KEY }));
}

/**
 * Starts dynalite in this process on 127.0.0.1, creates the tables that are missing and
 * resolves once they are ACTIVE.
 */
export async function startEmbeddedDynamo(
  options: EmbeddedDynamoOptions = {},
): Promise<EmbeddedDynamo> {
  if (options.path !== undefined) await mkdir(options.path, { recursive: true });
  // Table state changes are instant: nothing here is waiting for real provisioning.
  const server = dynalite({
    ...(options.path !== undefined ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const clientConfig = {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive sockets from clients would hold close() open.
      server.closeAllConnections();
    });
  try {
    const client = new DynamoDBClient(clientConfig);
    try {
      for (const table of options.tables ?? defaultLocalTables()) {
        await ensureTable(client, table);
      }
    } finally {
      client.destroy();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, clientConfig, stop };
}

async function ensureTable(client: DynamoDBClient, table: LocalTableSpec): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table.name,
        AttributeDefinitions: [{ AttributeName: table.partitionKey, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  // createTableMs is 0, so this settles at once; the loop guards against a slower dynalite.
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table.name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${table.name} did not become ACTIVE`);
}
