// Transient storage failures are not the client's fault (no 4xx) and not a bug (no 500):
// they answer 503 with Retry-After. The stores here stand in for a table under pressure.
import { describe, expect, it } from 'vitest';
import { DynamoDBError } from '../../src/dynamo/client.ts';
import { RetriesExhaustedError, VersionConflictError } from '../../src/dynamo/errors.ts';
import { HttpError } from '../../src/service/http-error.ts';
import type { UserStore } from '../../src/service/store.ts';
import { getUser, putUser } from '../../src/service/users.ts';

function failingStore(error: unknown): UserStore {
  const fail = () => Promise.reject(error);
  return {
    get: fail,
    create: fail,
    update: fail,
    delete: fail,
    mutate: fail,
    upsert: fail,
    forget: fail,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const conflict = new VersionConflictError({
  tableName: 't',
  key: { id: 'abcd1234' },
  versionAttribute: 'lock_version',
  expectedVersion: 1,
  current: { id: 'abcd1234', lock_version: 9 },
});

describe('storage failures', () => {
  it('answers 503 with Retry-After when mutate runs out of retries', async () => {
    const store = failingStore(new RetriesExhaustedError(11, conflict));
    const error = await rejection(putUser(store, 'abcd1234', 'Ada', { kind: 'upsert' }, 'now'));
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(503);
    expect((error as HttpError).headers).toEqual({ 'Retry-After': '1' });
  });

  it('answers 503 when DynamoDB keeps throttling', async () => {
    const store = failingStore(
      new DynamoDBError('ProvisionedThroughputExceededException', 'slow down', { statusCode: 400 }),
    );
    expect(((await rejection(getUser(store, 'abcd1234'))) as HttpError).status).toBe(503);
  });

  it('lets any other DynamoDB error through as it is (the edge answers 500)', async () => {
    const missing = new DynamoDBError('ResourceNotFoundException', 'no table', { statusCode: 400 });
    expect(await rejection(getUser(failingStore(missing), 'abcd1234'))).toBe(missing);
  });

  it('treats a conflict where none was expected as a bug, not a client error', async () => {
    expect(await rejection(getUser(failingStore(conflict), 'abcd1234'))).toBe(conflict);
  });
});
