// Idempotency-Key (issue 10): the handler over a real embedded DynamoDB, with the clock faked
// (vi.setSystemTime) to move past leases and the 24 h retention. Every rule of the issue has a
// test here; tests/local/idempotency.test.ts repeats the main ones over HTTP with a kill -9.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { tableNameFor } from '../../src/config/stages.ts';
import { LeanDynamoClient } from '../../src/dynamo/lean-client.ts';
import { fingerprint } from '../../src/service/idempotency/fingerprint.ts';
import { MAX_KEY_LENGTH, parseIdempotencyKey } from '../../src/service/idempotency/key.ts';
import { IdempotencyRecords, recordId } from '../../src/service/idempotency/records.ts';
import { DEFAULT_LEASE_MS } from '../../src/service/idempotency/run.ts';
import { idempotentPut, markerNames } from '../../src/service/idempotency/user-writes.ts';
import { RequestHeaders } from '../../src/service/headers.ts';
import { HttpError } from '../../src/service/http-error.ts';
import { startService, type Service } from './harness.ts';

let service: Service;
let records: IdempotencyRecords;
let n = 0;
const freshId = () => `idemuser${String(++n).padStart(4, '0')}`;

beforeAll(async () => {
  service = await startService();
  const client = new LeanDynamoClient({
    endpoint: service.dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  records = new IdempotencyRecords({ client, tableName: tableNameFor('staging'), key: 'id' });
});
afterAll(() => service.stop());
afterEach(() => {
  vi.useRealTimers();
});

const T0 = new Date('2026-03-01T10:00:00.000Z');
function at(date: Date | number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(date);
}

const post = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  service.call({ method: 'POST', id, body, headers });

describe('parsing the header', () => {
  const parse = (value: string) =>
    parseIdempotencyKey(RequestHeaders.fromEvent({ headers: { 'Idempotency-Key': value } }));

  it.each([
    ['abc-123', 'abc-123'],
    ['"abc 123"', 'abc 123'],
    ['"a\\"b\\\\c"', 'a"b\\c'],
    ['x'.repeat(MAX_KEY_LENGTH), 'x'.repeat(MAX_KEY_LENGTH)],
  ])('accepts %j as %j', (value, key) => {
    expect(parse(value)).toBe(key);
  });

  it.each(['""', '"', 'x'.repeat(MAX_KEY_LENGTH + 1), 'a b', 'caf\u00e9', 'a\u0001', '"a\\x"'])(
    'refuses %j with 400',
    (value) => {
      expect(() => parse(value)).toThrow(HttpError);
    },
  );

  it('is optional', () => {
    expect(parseIdempotencyKey(RequestHeaders.fromEvent({ headers: {} }))).toBeUndefined();
  });

  it('answers 400 over the handler, naming the header', async () => {
    const answer = await post(freshId(), { name: 'x' }, { 'Idempotency-Key': '' });
    expect(answer.status).toBe(400);
    expect(answer.json?.error).toContain('Idempotency-Key must be 1-255 printable');
  });
});

describe('fingerprint', () => {
  const base = { method: 'POST', id: 'abcd1234', ifMatch: undefined, ifNoneMatch: undefined };
  it('ignores key order, differs on any value', () => {
    const a = fingerprint({ ...base, body: { name: 'x', lock_version: 2 } });
    expect(fingerprint({ ...base, body: { lock_version: 2, name: 'x' } })).toBe(a);
    expect(fingerprint({ ...base, body: { name: 'y', lock_version: 2 } })).not.toBe(a);
    expect(fingerprint({ ...base, ifMatch: '"2"', body: { name: 'x', lock_version: 2 } })).not.toBe(
      a,
    );
    expect(fingerprint({ ...base, method: 'DELETE', body: undefined })).not.toBe(a);
  });
});

describe('POST with Idempotency-Key', () => {
  it('replays the first answer byte for byte, with Idempotent-Replayed, writing nothing', async () => {
    at(T0);
    const id = freshId();
    const first = await post(id, { name: 'Ada' }, { 'Idempotency-Key': 'k1' });
    expect(first.status).toBe(201);
    expect(first.headers['Idempotent-Replayed']).toBeUndefined();
    at(T0.getTime() + 60_000);
    // Same request, other whitespace and key order: the same fingerprint.
    const again = await service.call({
      method: 'POST',
      id,
      body: '{ "name" : "Ada" }',
      headers: { 'Idempotency-Key': '"k1"' },
    });
    expect(again.status).toBe(201);
    expect(again.raw.body).toBe(first.raw.body);
    expect(again.headers.ETag).toBe(first.headers.ETag);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    const stored = await service.table('staging').get({ id }, { consistent: true });
    expect(stored?.lock_version).toBe(1);
    // No marker is left in the user item once the answer is stored.
    expect(Object.keys(stored ?? {}).filter((name) => name.startsWith('idem_'))).toEqual([]);
  });

  it('answers 422 for the same key with another body, and writes nothing', async () => {
    const id = freshId();
    await post(id, { name: 'Ada' }, { 'Idempotency-Key': 'k2' });
    const other = await post(id, { name: 'Eve' }, { 'Idempotency-Key': 'k2' });
    expect(other.status).toBe(422);
    expect(other.json?.error).toContain('already used with a different request');
    expect((await service.table('staging').get({ id }))?.name).toBe('Ada');
  });

  it('answers 409 with Retry-After while the first request still runs', async () => {
    at(T0);
    const id = freshId();
    const body = { name: 'Ada' };
    const scope = { stage: 'staging', route: 'POST /user/{id}', userId: id, key: 'k3' };
    await records.claim(
      recordId(scope),
      {
        fingerprint: fingerprint({
          method: 'POST',
          id,
          ifMatch: undefined,
          ifNoneMatch: undefined,
          body,
        }),
        token: `${T0.getTime() / 1000}_abc`,
        requestedAt: T0.toISOString(),
        leaseUntil: T0.getTime() + DEFAULT_LEASE_MS,
        expiresAt: T0.getTime() / 1000 + 86_400,
      },
      T0.getTime() / 1000,
    );
    const busy = await post(id, body, { 'Idempotency-Key': 'k3' });
    expect(busy.status).toBe(409);
    expect(Number(busy.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(await service.table('staging').get({ id })).toBeUndefined();
  });

  it('finishes a request that died after its write: one write, the same answer', async () => {
    at(T0);
    const id = freshId();
    const body = { name: 'Ada' };
    const scope = { stage: 'staging', route: 'POST /user/{id}', userId: id, key: 'k4' };
    const token = `${T0.getTime() / 1000}_dead01`;
    await records.claim(
      recordId(scope),
      {
        fingerprint: fingerprint({
          method: 'POST',
          id,
          ifMatch: undefined,
          ifNoneMatch: undefined,
          body,
        }),
        token,
        requestedAt: T0.toISOString(),
        leaseUntil: T0.getTime() + DEFAULT_LEASE_MS,
        expiresAt: T0.getTime() / 1000 + 86_400,
      },
      T0.getTime() / 1000,
    );
    // The first request's write lands, then its process dies before storing the answer.
    const store = service.table('staging');
    const applied = await idempotentPut(store, id, 'Ada', { kind: 'upsert' }).run(
      token,
      T0.toISOString(),
    );
    expect(applied.status).toBe(201);
    // During the lease: 409. After it: the retry finds the marker and answers as the first would.
    expect((await post(id, body, { 'Idempotency-Key': 'k4' })).status).toBe(409);
    at(T0.getTime() + DEFAULT_LEASE_MS + 1000);
    const retry = await post(id, body, { 'Idempotency-Key': 'k4' });
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(applied.body);
    expect(retry.headers['Idempotent-Replayed']).toBe('true');
    const stored = await store.get({ id }, { consistent: true });
    expect(stored?.lock_version).toBe(1);
    expect(stored && markerNames(token).version in stored).toBe(false);
    // And from now on it is a plain replay.
    expect((await post(id, body, { 'Idempotency-Key': 'k4' })).raw.body).toBe(retry.raw.body);
  });

  it('runs the write when the first request died before writing', async () => {
    at(T0);
    const id = freshId();
    const body = { name: 'Ada' };
    const scope = { stage: 'staging', route: 'POST /user/{id}', userId: id, key: 'k5' };
    await records.claim(
      recordId(scope),
      {
        fingerprint: fingerprint({
          method: 'POST',
          id,
          ifMatch: undefined,
          ifNoneMatch: undefined,
          body,
        }),
        token: `${T0.getTime() / 1000}_dead02`,
        requestedAt: T0.toISOString(),
        leaseUntil: T0.getTime() + DEFAULT_LEASE_MS,
        expiresAt: T0.getTime() / 1000 + 86_400,
      },
      T0.getTime() / 1000,
    );
    at(T0.getTime() + DEFAULT_LEASE_MS + 1000);
    const retry = await post(id, body, { 'Idempotency-Key': 'k5' });
    expect(retry.status).toBe(201);
    expect(retry.headers['Idempotent-Replayed']).toBeUndefined();
    expect((await service.table('staging').get({ id }, { consistent: true }))?.lock_version).toBe(
      1,
    );
  });

  it('keeps answers 24 h (the TTL attribute), then the key is free again', async () => {
    at(T0);
    const id = freshId();
    await post(id, { name: 'Ada' }, { 'Idempotency-Key': 'k6' });
    at(T0.getTime() + 23 * 3600_000);
    expect((await post(id, { name: 'Eve' }, { 'Idempotency-Key': 'k6' })).status).toBe(422);
    at(T0.getTime() + 24 * 3600_000 + 1000);
    const fresh = await post(id, { name: 'Eve' }, { 'Idempotency-Key': 'k6' });
    expect(fresh.status).toBe(200);
    expect(fresh.json?.lock_version).toBe(2);
    const { Item: record } = await new LeanDynamoClient({
      endpoint: service.dynamo.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }).getItem({
      TableName: tableNameFor('staging'),
      Key: { id: recordId({ stage: 'staging', route: 'POST /user/{id}', userId: id, key: 'k6' }) },
      ConsistentRead: true,
    });
    expect(record?.expires_at).toBe(Math.floor((T0.getTime() + 48 * 3600_000 + 1000) / 1000));
  });

  it('scopes keys per user and per stage', async () => {
    const a = freshId();
    const b = freshId();
    expect((await post(a, { name: 'A' }, { 'Idempotency-Key': 'shared' })).status).toBe(201);
    expect((await post(b, { name: 'B' }, { 'Idempotency-Key': 'shared' })).status).toBe(201);
    const prod = await service.call({
      method: 'POST',
      id: a,
      body: { name: 'P' },
      headers: { 'Idempotency-Key': 'shared' },
      stage: 'prod',
    });
    expect(prod.status).toBe(201);
  });

  it('stores a 4xx answer too: a failed precondition replays as the same 412', async () => {
    const id = freshId();
    const first = await post(id, { name: 'x' }, { 'Idempotency-Key': 'k7', 'If-Match': '"3"' });
    expect(first.status).toBe(412);
    await post(id, { name: 'now exists' });
    const again = await post(id, { name: 'x' }, { 'Idempotency-Key': 'k7', 'If-Match': '"3"' });
    expect([again.status, again.raw.body]).toEqual([412, first.raw.body]);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
  });

  it('never exposes a record through /user/{id}', async () => {
    const answer = await service.call({ method: 'GET', path: `/user/idem%23abc` });
    expect(answer.status).toBe(400);
  });
});

describe('DELETE with Idempotency-Key', () => {
  it('replays 204 instead of answering 404 the second time', async () => {
    const id = freshId();
    await post(id, { name: 'Ada' });
    const first = await service.call({
      method: 'DELETE',
      id,
      headers: { 'Idempotency-Key': 'd1' },
    });
    expect(first.status).toBe(204);
    const again = await service.call({
      method: 'DELETE',
      id,
      headers: { 'Idempotency-Key': 'd1' },
    });
    expect(again.status).toBe(204);
    expect(again.headers['Idempotent-Replayed']).toBe('true');
    const plain = await service.call({ method: 'DELETE', id });
    expect(plain.status).toBe(404);
  });
});
