// The versioned repository against the embedded DynamoDB, through both clients.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './rejection.ts';
import { DynamoDBError } from '../../src/dynamo/client.ts';
import { RetriesExhaustedError, VersionConflictError } from '../../src/dynamo/errors.ts';
import { LeanDynamoClient } from '../../src/dynamo/lean-client.ts';
import { VersionedRepository } from '../../src/dynamo/repository.ts';
import { SdkItemClient } from '../../src/dynamo/sdk-client.ts';
import { useBothClients } from './both-clients.ts';

interface User extends Record<string, unknown> {
  id: string;
  name: string;
  email?: string;
  visits?: number;
}

const TABLE = 'repo_users';

const clientFor = useBothClients(TABLE);

describe.each(['sdk', 'lean'] as const)('VersionedRepository over the %s client', (kind) => {
  let n = 0;
  // A fresh key per test, so tests in one table never see each other's items.
  const freshId = () => `${kind}-${++n}`;
  const sleeps: number[] = [];
  const repo = () =>
    new VersionedRepository<User>({
      client: clientFor(kind),
      tableName: TABLE,
      key: 'id',
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
    });

  describe('create and get', () => {
    it('creates at version 1 and reads it back', async () => {
      const id = freshId();
      const created = await repo().create({ id, name: 'Ada' });
      expect(created).toEqual({ id, name: 'Ada', lock_version: 1 });
      expect(await repo().get({ id }, { consistent: true })).toEqual(created);
    });

    it('ignores a version in the created item: new items start at 1', async () => {
      const id = freshId();
      const created = await repo().create({ id, name: 'Ada', lock_version: 9 });
      expect(created.lock_version).toBe(1);
      expect((await repo().get({ id }, { consistent: true }))?.lock_version).toBe(1);
    });

    it('refuses a second create of the same key with a conflict carrying the first item', async () => {
      const id = freshId();
      await repo().create({ id, name: 'first' });
      const conflict = await rejection(repo().create({ id, name: 'second' }), VersionConflictError);
      expect(conflict.expectedVersion).toBe('absent');
      expect(conflict.current).toEqual({ id, name: 'first', lock_version: 1 });
      expect(conflict.message).toBe(
        `version conflict on ${TABLE} {"id":"${id}"}: expected no item, found lock_version 1`,
      );
      expect(await repo().get({ id }, { consistent: true })).toEqual({
        id,
        name: 'first',
        lock_version: 1,
      });
    });

    it('returns undefined for a missing item', async () => {
      expect(await repo().get({ id: freshId() })).toBeUndefined();
    });

    it('refuses a key argument without the key attribute', async () => {
      await expect(repo().get({ name: 'x' })).rejects.toThrow('the key attribute "id" is missing');
    });
  });

  describe('update', () => {
    it('sets the given attributes, bumps the version and returns the new item', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada', email: 'ada@example.com' });
      const updated = await repo().update({ id }, { name: 'Ann' }, { expectedVersion: 1 });
      expect(updated).toEqual({ id, name: 'Ann', email: 'ada@example.com', lock_version: 2 });
      expect(await repo().get({ id }, { consistent: true })).toEqual(updated);
    });

    it('works on an attribute called name (a DynamoDB reserved word)', async () => {
      const id = freshId();
      await repo().create({ id, name: 'before' });
      const updated = await repo().update({ id }, { name: 'after' }, { expectedVersion: 1 });
      expect(updated.name).toBe('after');
    });

    it('never touches attributes it was not given, even ones written since the read', async () => {
      const id = freshId();
      const read = await repo().create({ id, name: 'Ada' });
      // Another writer adds an attribute; our next write names the version it now expects.
      await repo().update({ id }, { email: 'new@example.com' }, { expectedVersion: 1 });
      const updated = await repo().update(
        { id },
        { name: 'Ann', email: undefined },
        { expectedVersion: read.lock_version + 1 },
      );
      expect(updated).toEqual({ id, name: 'Ann', email: 'new@example.com', lock_version: 3 });
    });

    it('ignores the key and the version attribute among the changes', async () => {
      const id = freshId();
      const item = await repo().create({ id, name: 'Ada' });
      const updated = await repo().update(
        { id },
        { ...item, name: 'Ann', lock_version: 42 },
        { expectedVersion: 1 },
      );
      expect(updated).toEqual({ id, name: 'Ann', lock_version: 2 });
    });

    it('refuses changes that would change the key', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada' });
      await expect(repo().update({ id }, { id: 'other' }, { expectedVersion: 1 })).rejects.toThrow(
        'update cannot change the key "id"',
      );
    });

    it('throws a conflict with the current item on a stale version, and writes nothing', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada' });
      await repo().update({ id }, { name: 'Bob' }, { expectedVersion: 1 });
      const conflict = await rejection(
        repo().update({ id }, { name: 'stale' }, { expectedVersion: 1 }),
        VersionConflictError,
      );
      expect(conflict.expectedVersion).toBe(1);
      expect(conflict.current).toEqual({ id, name: 'Bob', lock_version: 2 });
      expect(conflict.cause).toBeInstanceOf(DynamoDBError);
      expect((await repo().get({ id }, { consistent: true }))?.name).toBe('Bob');
    });

    it('does not create a missing item (no upsert): conflict "absent"', async () => {
      const id = freshId();
      const conflict = await rejection(
        repo().update({ id }, { name: 'ghost' }, { expectedVersion: 1 }),
        VersionConflictError,
      );
      expect(conflict.expectedVersion).toBe(1);
      expect(conflict.current).toBe('absent');
      expect(await repo().get({ id }, { consistent: true })).toBeUndefined();
    });

    it('refuses an attribute name that expressions would read as a path', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada' });
      await expect(repo().update({ id }, { 'a.b': 1 }, { expectedVersion: 1 })).rejects.toThrow(
        'attribute name "a.b" contains "."',
      );
    });

    it('refuses a negative or fractional expectedVersion', async () => {
      await expect(repo().update({ id: 'x' }, {}, { expectedVersion: 1.5 })).rejects.toThrow(
        'expectedVersion must be a non-negative integer, got 1.5',
      );
    });
  });

  describe('put', () => {
    it('replaces the whole item at the expected version', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada', email: 'ada@example.com' });
      const replaced = await repo().put({ id, name: 'Ann' }, { expectedVersion: 1 });
      expect(replaced).toEqual({ id, name: 'Ann', lock_version: 2 });
      expect(await repo().get({ id }, { consistent: true })).toEqual(replaced);
    });

    it('cannot clobber a concurrent write: a stale put is a conflict and the write stays', async () => {
      const id = freshId();
      const read = await repo().create({ id, name: 'Ada' });
      await repo().update({ id }, { email: 'concurrent@example.com' }, { expectedVersion: 1 });
      const conflict = await rejection(
        repo().put({ ...read, name: 'Ann' }, { expectedVersion: read.lock_version }),
        VersionConflictError,
      );
      expect(conflict.current).toEqual({
        id,
        name: 'Ada',
        email: 'concurrent@example.com',
        lock_version: 2,
      });
      expect((await repo().get({ id }, { consistent: true }))?.email).toBe(
        'concurrent@example.com',
      );
    });

    it('does not create a missing item', async () => {
      const id = freshId();
      const conflict = await rejection(
        repo().put({ id, name: 'ghost' }, { expectedVersion: 3 }),
        VersionConflictError,
      );
      expect(conflict.current).toBe('absent');
      expect(await repo().get({ id }, { consistent: true })).toBeUndefined();
    });
  });

  describe('delete', () => {
    it('deletes at the expected version and returns the deleted item', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada' });
      expect(await repo().delete({ id }, { expectedVersion: 1 })).toEqual({
        id,
        name: 'Ada',
        lock_version: 1,
      });
      expect(await repo().get({ id }, { consistent: true })).toBeUndefined();
    });

    it('keeps the item and throws a conflict on a stale version', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada' });
      await repo().update({ id }, { name: 'Bob' }, { expectedVersion: 1 });
      const conflict = await rejection(
        repo().delete({ id }, { expectedVersion: 1 }),
        VersionConflictError,
      );
      expect(conflict.expectedVersion).toBe(1);
      expect(conflict.current).toEqual({ id, name: 'Bob', lock_version: 2 });
      expect(await repo().get({ id }, { consistent: true })).toEqual(conflict.current);
    });

    it('throws a conflict "absent" when a guarded delete finds nothing', async () => {
      const conflict = await rejection(
        repo().delete({ id: freshId() }, { expectedVersion: 1 }),
        VersionConflictError,
      );
      expect(conflict.current).toBe('absent');
    });

    it('without a version deletes whatever is there, or resolves undefined', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada' });
      await repo().update({ id }, { name: 'Bob' }, { expectedVersion: 1 });
      expect(await repo().delete({ id })).toEqual({ id, name: 'Bob', lock_version: 2 });
      expect(await repo().delete({ id })).toBeUndefined();
    });
  });

  describe('upsert', () => {
    it('creates at version 1 (created), then bumps (not created), keeping onCreate values', async () => {
      const id = freshId();
      const first = await repo().upsert({ id }, { name: 'Ada' }, { onCreate: { email: 'a@x' } });
      expect(first).toEqual({
        item: { id, name: 'Ada', email: 'a@x', lock_version: 1 },
        created: true,
      });
      const second = await repo().upsert({ id }, { name: 'Ann' }, { onCreate: { email: 'b@x' } });
      expect(second).toEqual({
        item: { id, name: 'Ann', email: 'a@x', lock_version: 2 },
        created: false,
      });
    });

    it('concurrent upserts all apply, each with its own version', async () => {
      const id = freshId();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => repo().upsert({ id }, { name: `w${i}` })),
      );
      const versions = results.map((result) => result.item.lock_version).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(results.filter((result) => result.created)).toHaveLength(1);
    });

    it('mustExist: a conflict "present" on a missing item, which stays missing', async () => {
      const id = freshId();
      const conflict = await rejection(
        repo().upsert({ id }, { name: 'x' }, { mustExist: true }),
        VersionConflictError,
      );
      expect(conflict.expectedVersion).toBe('present');
      expect(conflict.current).toBe('absent');
      expect(await repo().get({ id }, { consistent: true })).toBeUndefined();
    });

    it('also: extra actions land in the same write (a copy of the new version)', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada' });
      const { item } = await repo().upsert(
        { id },
        { name: 'Ann' },
        { also: [{ set: 'visits', increment: 1, start: 0, from: 'lock_version' }] },
      );
      expect(item).toEqual({ id, name: 'Ann', visits: 2, lock_version: 2 });
    });

    it('refuses to change the key', async () => {
      await expect(repo().upsert({ id: 'a' }, { id: 'b', name: 'x' })).rejects.toThrow(
        'a write cannot change the key "id"',
      );
    });
  });

  describe('mutate', () => {
    it('creates through fn(undefined) when absent, then changes what it reads', async () => {
      const id = freshId();
      const bump = (u: User | undefined): User => ({
        id,
        name: u?.name ?? 'new',
        visits: (u?.visits ?? 0) + 1,
      });
      expect(await repo().mutate({ id }, bump)).toEqual({
        id,
        name: 'new',
        visits: 1,
        lock_version: 1,
      });
      expect(await repo().mutate({ id }, bump)).toEqual({
        id,
        name: 'new',
        visits: 2,
        lock_version: 2,
      });
    });

    it('retries after a conflict, re-running fn on the item that won', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada', visits: 0 });
      sleeps.length = 0;
      const seen: (number | undefined)[] = [];
      let interfered = false;
      const result = await repo().mutate(
        { id },
        async (u) => {
          seen.push(u?.visits);
          if (!interfered) {
            interfered = true;
            // Another writer lands between our read and our write.
            await repo().update({ id }, { visits: 10 }, { expectedVersion: 1 });
          }
          return { id, name: u?.name ?? '', visits: (u?.visits ?? 0) + 1 };
        },
        { retries: 3, backoff: { baseMs: 100, capMs: 1000 } },
      );
      expect(seen).toEqual([0, 10]);
      expect(result).toEqual({ id, name: 'Ada', visits: 11, lock_version: 3 });
      // One retry: full jitter over [0, base) with random() = 0.5.
      expect(sleeps).toEqual([50]);
    });

    it('gives up after retries + 1 conflicts with a typed error, backing off capped', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada', visits: 0 });
      sleeps.length = 0;
      let calls = 0;
      const error = await rejection(
        repo().mutate(
          { id },
          async (u) => {
            calls++;
            // Someone always writes first.
            await repo().update(
              { id },
              { visits: calls * 100 },
              {
                expectedVersion: u?.lock_version ?? 0,
              },
            );
            return { id, name: 'mine', visits: 1 };
          },
          { retries: 4, backoff: { baseMs: 100, capMs: 300 } },
        ),
        RetriesExhaustedError,
      );
      expect(error.attempts).toBe(5);
      expect(calls).toBe(5);
      expect(error.lastConflict).toBeInstanceOf(VersionConflictError);
      expect(error.lastConflict.current).toMatchObject({ visits: 500, lock_version: 6 });
      expect(error.message).toMatch(/^gave up after 5 attempts: version conflict on repo_users/);
      // Half of min(cap, base · 2^n) for the four waits between five tries.
      expect(sleeps).toEqual([50, 100, 150, 150]);
      expect((await repo().get({ id }, { consistent: true }))?.name).toBe('Ada');
    });

    it('propagates an error thrown by fn without writing', async () => {
      const id = freshId();
      await repo().create({ id, name: 'Ada' });
      await expect(
        repo().mutate({ id }, () => {
          throw new Error('invalid change');
        }),
      ).rejects.toThrow('invalid change');
      expect((await repo().get({ id }, { consistent: true }))?.lock_version).toBe(1);
    });

    it('refuses a fn that changes the key', async () => {
      const id = freshId();
      await expect(repo().mutate({ id }, () => ({ id: 'other', name: 'x' }))).rejects.toThrow(
        `mutate's function must keep the key id="${id}"`,
      );
    });
  });

  describe('errors other than conflicts', () => {
    it('propagate by DynamoDB name', async () => {
      const missing = new VersionedRepository<User>({
        client: clientFor(kind),
        tableName: 'no_such_table',
        key: 'id',
      });
      const error = await rejection(missing.create({ id: 'a', name: 'x' }), DynamoDBError);
      expect(error.name).toBe('ResourceNotFoundException');
      await expect(missing.mutate({ id: 'a' }, (u) => u ?? { id: 'a', name: 'x' })).rejects.toThrow(
        DynamoDBError,
      );
    });
  });

  describe('items written without a version', () => {
    it('read as version 0 and take a guarded first write', async () => {
      const id = freshId();
      await clientFor(kind).putItem({ TableName: TABLE, Item: { id, name: 'legacy' } });
      expect(await repo().get({ id }, { consistent: true })).toEqual({
        id,
        name: 'legacy',
        lock_version: 0,
      });
      const updated = await repo().update({ id }, { name: 'v1' }, { expectedVersion: 0 });
      expect(updated.lock_version).toBe(1);
      await expect(
        repo().update({ id }, { name: 'again' }, { expectedVersion: 0 }),
      ).rejects.toThrow(VersionConflictError);
    });
  });

  it('uses a configured version attribute', async () => {
    const id = freshId();
    const custom = new VersionedRepository<User, 'id', 'rev'>({
      client: clientFor(kind),
      tableName: TABLE,
      key: 'id',
      versionAttribute: 'rev',
    });
    const created = await custom.create({ id, name: 'Ada' });
    expect(created).toEqual({ id, name: 'Ada', rev: 1 });
    expect((await custom.update({ id }, { name: 'Ann' }, { expectedVersion: 1 })).rev).toBe(2);
  });
});

describe('VersionedRepository on real DynamoDB conflict responses', () => {
  let server: Server;
  const targets: string[] = [];

  beforeAll(async () => {
    // Answers the way DynamoDB does with ReturnValuesOnConditionCheckFailure: ALL_OLD.
    server = createServer((req, res) => {
      targets.push(String(req.headers['x-amz-target']));
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
            message: 'The conditional request failed',
            Item: { id: { S: 'abc' }, name: { S: 'winner' }, lock_version: { N: '7' } },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(['lean', 'sdk'] as const)(
    'takes the current item from the error, with no extra read (%s client)',
    async (kind) => {
      targets.length = 0;
      const { port } = server.address() as AddressInfo;
      const endpoint = `http://127.0.0.1:${port}`;
      const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
      const sdk = new SdkItemClient({ config: { endpoint, region: 'eu-west-1', credentials } });
      const client =
        kind === 'sdk'
          ? sdk
          : new LeanDynamoClient({ endpoint, region: 'eu-west-1', credentials, env: {} });
      try {
        const repo = new VersionedRepository<User>({ client, tableName: TABLE, key: 'id' });
        const conflict = await rejection(
          repo.update({ id: 'abc' }, { name: 'late' }, { expectedVersion: 6 }),
          VersionConflictError,
        );
        expect(conflict.current).toEqual({ id: 'abc', name: 'winner', lock_version: 7 });
        expect(targets).toEqual(['DynamoDB_20120810.UpdateItem']);
      } finally {
        sdk.destroy();
      }
    },
  );
});
