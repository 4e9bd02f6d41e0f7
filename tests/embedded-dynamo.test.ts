import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startEmbeddedDynamo } from '../src/local/dynamodb.ts';

describe('startEmbeddedDynamo', () => {
  it('creates both stage tables in memory on 127.0.0.1', async () => {
    const db = await startEmbeddedDynamo();
    try {
      expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = new DynamoDBClient(db.clientConfig);
      const { TableNames } = await client.send(new ListTablesCommand({}));
      expect(TableNames).toEqual(['example_user', 's-example_user']);
      client.destroy();
    } finally {
      await db.stop();
    }
  });

  it('keeps data on LevelDB across restarts and tolerates existing tables', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stagecraft-ddb-'));
    try {
      const first = await startEmbeddedDynamo({ path: dir });
      const c1 = new DynamoDBClient(first.clientConfig);
      await c1.send(
        new PutItemCommand({
          TableName: 'example_user',
          Item: { id: { S: 'abcdefgh' }, n: { N: '7' } },
        }),
      );
      c1.destroy();
      await first.stop();

      const second = await startEmbeddedDynamo({ path: dir });
      const c2 = new DynamoDBClient(second.clientConfig);
      const { Item } = await c2.send(
        new GetItemCommand({ TableName: 'example_user', Key: { id: { S: 'abcdefgh' } } }),
      );
      expect(Item).toEqual({ id: { S: 'abcdefgh' }, n: { N: '7' } });
      c2.destroy();
      await second.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
