// The HTTP contract of the user API, line by line, against a real embedded DynamoDB.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext, userEvent } from './events.ts';
import { startService, type Answer, type Service } from './harness.ts';

const T0 = new Date('2016-07-26T03:00:00.000Z');
const T1 = new Date('2016-07-27T04:05:06.789Z');

let service: Service;
let seq = 0;
// A fresh valid id per test: tests share one dynalite.
const freshId = () => `user${String(++seq).padStart(6, '0')}`;

beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await service.stop();
});
beforeEach(() => {
  // Only Date is faked: dynalite and fetch keep their real timers.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const post = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  service.call({ method: 'POST', id, body, headers });
const get = (id: string) => service.call({ method: 'GET', id });
const del = (id: string, headers: Record<string, string> = {}) =>
  service.call({ method: 'DELETE', id, headers });

function expectCommonHeaders(res: Answer) {
  expect(res.headers['X-Request-Id']).toMatch(/^req-\d+$/);
  expect(res.headers['X-Function-Version']).toBe('$LATEST');
  if (res.json !== undefined) {
    expect(res.headers['Content-Type']).toBe('application/json; charset=utf-8');
  }
}

function expectError(res: Answer, status: number, message: string) {
  expect({ status: res.status, body: res.json }).toEqual({
    status,
    body: expect.objectContaining({ error: message }),
  });
  expectCommonHeaders(res);
}

describe('GET /user/{id}', () => {
  it('answers 404 when the user does not exist', async () => {
    const id = freshId();
    expectError(await get(id), 404, `user ${id} not found`);
  });

  it('answers 200 with exactly the five fields and ETag "<lock_version>"', async () => {
    const id = freshId();
    await post(id, { name: 'Ada' });
    const res = await get(id);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id,
      name: 'Ada',
      lock_version: 1,
      created_at: '2016-07-26T03:00:00.000Z',
      updated_at: '2016-07-26T03:00:00.000Z',
    });
    expect(res.headers.ETag).toBe('"1"');
    expectCommonHeaders(res);
  });
});

describe('POST /user/{id} without preconditions (server-side read-modify-write)', () => {
  it('creates with 201, then updates with 200, keeping created_at and bumping the version', async () => {
    const id = freshId();
    const created = await post(id, { name: '  Ada  ' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id,
      name: 'Ada',
      lock_version: 1,
      created_at: T0.toISOString(),
      updated_at: T0.toISOString(),
    });
    expect(created.headers.ETag).toBe('"1"');

    vi.setSystemTime(T1);
    const updated = await post(id, { name: 'Ann' });
    expect(updated.status).toBe(200);
    expect(updated.json).toEqual({
      id,
      name: 'Ann',
      lock_version: 2,
      created_at: T0.toISOString(),
      updated_at: T1.toISOString(),
    });
    expect(updated.headers.ETag).toBe('"2"');
    expect((await get(id)).json).toEqual(updated.json);
  });

  it('applies every one of many concurrent writes (retried on conflict)', async () => {
    const id = freshId();
    await post(id, { name: 'v0' });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(id, { name: `w${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const versions = results.map((r) => r.json?.lock_version as number).sort((a, b) => a - b);
    expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await get(id)).json?.lock_version).toBe(9);
  });
});

describe('POST with If-Match', () => {
  it('writes when the version matches and answers 412 with the current version otherwise', async () => {
    const id = freshId();
    await post(id, { name: 'Ada' });
    const ok = await post(id, { name: 'Ann' }, { 'If-Match': '"1"' });
    expect([ok.status, ok.json?.name, ok.headers.ETag]).toEqual([200, 'Ann', '"2"']);

    const stale = await post(id, { name: 'Bob' }, { 'if-match': '"1"' });
    expectError(
      stale,
      412,
      'precondition failed: expected version 1, but the current version is 2',
    );
    expect(stale.json?.current_version).toBe(2);
    expect((await get(id)).json?.name).toBe('Ann');
  });

  it('answers 412 with current_version null when the user does not exist', async () => {
    const id = freshId();
    const res = await post(id, { name: 'Ada' }, { 'If-Match': '"1"' });
    expectError(res, 412, 'precondition failed: expected version 1, but the user does not exist');
    expect(res.json?.current_version).toBeNull();
    expect((await get(id)).status).toBe(404);
  });

  it('If-Match: * updates an existing user and refuses an absent one with 412', async () => {
    const id = freshId();
    const absent = await post(id, { name: 'Ada' }, { 'If-Match': '*' });
    expectError(
      absent,
      412,
      'precondition failed: expected the user to exist, but the user does not exist',
    );
    await post(id, { name: 'Ada' });
    const ok = await post(id, { name: 'Ann' }, { 'If-Match': '*' });
    expect([ok.status, ok.json?.lock_version]).toEqual([200, 2]);
  });
});

describe('POST with If-None-Match: *', () => {
  it('creates (201) only when the user does not exist, else 412 with the current version', async () => {
    const id = freshId();
    const created = await post(id, { name: 'Ada' }, { 'If-None-Match': '*' });
    expect([created.status, created.headers.ETag]).toEqual([201, '"1"']);
    const again = await post(id, { name: 'Bob' }, { 'If-None-Match': '*' });
    expectError(
      again,
      412,
      'precondition failed: expected the user not to exist, but the current version is 1',
    );
    expect(again.json?.current_version).toBe(1);
    expect((await get(id)).json?.name).toBe('Ada');
  });
});

describe('POST with a body lock_version', () => {
  it('writes on a match and answers 409 (not 412) with the current version on a mismatch', async () => {
    const id = freshId();
    await post(id, { name: 'Ada' });
    const ok = await post(id, { name: 'Ann', lock_version: 1 });
    expect([ok.status, ok.json?.lock_version]).toEqual([200, 2]);
    const stale = await post(id, { name: 'Bob', lock_version: 1 });
    expectError(
      stale,
      409,
      'precondition failed: expected version 1, but the current version is 2',
    );
    expect(stale.json?.current_version).toBe(2);
  });

  it('answers 409 with current_version null for an absent user', async () => {
    const res = await post(freshId(), { name: 'Ada', lock_version: 1 });
    expect([res.status, res.json?.current_version]).toEqual([409, null]);
  });

  it('refuses lock_version together with If-Match (400)', async () => {
    const res = await post(freshId(), { name: 'Ada', lock_version: 1 }, { 'If-Match': '"1"' });
    expectError(
      res,
      400,
      'give only one of If-Match, If-None-Match and lock_version; got If-Match and lock_version',
    );
  });
});

describe('DELETE /user/{id}', () => {
  it('answers 204 with no body, then 404', async () => {
    const id = freshId();
    await post(id, { name: 'Ada' });
    const gone = await del(id);
    expect([gone.status, gone.raw.body, gone.headers['Content-Type']]).toEqual([
      204,
      '',
      undefined,
    ]);
    expectCommonHeaders(gone);
    expectError(await del(id), 404, `user ${id} not found`);
    expect((await get(id)).status).toBe(404);
  });

  it('honours If-Match: 412 on a mismatch (the user stays), 204 on a match', async () => {
    const id = freshId();
    await post(id, { name: 'Ada' });
    await post(id, { name: 'Ann' });
    const stale = await del(id, { 'If-Match': '"1"' });
    expectError(
      stale,
      412,
      'precondition failed: expected version 1, but the current version is 2',
    );
    expect(stale.json?.current_version).toBe(2);
    expect((await get(id)).status).toBe(200);
    expect((await del(id, { 'If-Match': '"2"' })).status).toBe(204);
    expect((await get(id)).status).toBe(404);
  });

  it('answers 412 for If-Match on an absent user ("n" or *)', async () => {
    const id = freshId();
    expect((await del(id, { 'If-Match': '"1"' })).status).toBe(412);
    expect((await del(id, { 'If-Match': '*' })).status).toBe(412);
  });
});

describe('routing and validation (each a 4xx naming the problem, nothing written)', () => {
  it('answers 405 with Allow for a wrong method on /user/{id}', async () => {
    const res = await service.call({ method: 'PUT', id: freshId(), body: { name: 'x' } });
    expectError(res, 405, 'method PUT is not allowed on /user/{id}; allowed: DELETE, GET, POST');
    expect(res.headers.Allow).toBe('DELETE, GET, POST');
  });

  it('answers 404 for an unknown path', async () => {
    const res = await service.call({ method: 'GET', path: '/users' });
    expectError(res, 404, 'no route for GET /users');
  });

  it.each([
    ['short', '`id` must match [0-9A-Za-z]{8,64}'],
    ['abc-defgh', '`id` must match [0-9A-Za-z]{8,64}'],
    ['a'.repeat(65), '`id` must match [0-9A-Za-z]{8,64}'],
  ])('answers 400 for id %s', async (id, message) => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      expectError(await service.call({ method, id, body: { name: 'x' } }), 400, message);
    }
  });

  it.each([
    ['an unknown field', { body: { name: 'Ada', extra: true } }, 400, 'unknown field `extra`'],
    ['no name', { body: {} }, 400, '`name` is required'],
    ['a number name', { body: { name: 7 } }, 400, '`name` must be a string'],
    [
      'a blank name',
      { body: { name: '   ' } },
      400,
      '`name` must be 1-256 characters after trimming; it has 0',
    ],
    [
      'a 257-character name',
      { body: { name: 'x'.repeat(257) } },
      400,
      '`name` must be 1-256 characters after trimming; it has 257',
    ],
    ['malformed JSON', { body: '{"name": "Ada"' }, 400, 'request body is not valid JSON'],
    ['a JSON array', { body: '[1,2]' }, 400, 'request body must be a JSON object'],
    [
      'a form body',
      { body: 'name=Ada', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      415,
      'Content-Type must be application/json (charset utf-8)',
    ],
    [
      'a body over 16 KiB',
      { body: `{"name":"${'a'.repeat(16 * 1024)}"}` },
      413,
      `request body is ${16 * 1024 + 11} bytes; the limit is 16384 bytes`,
    ],
    [
      'an unquoted If-Match',
      { body: { name: 'Ada' }, headers: { 'If-Match': '3' } },
      400,
      'If-Match must be * or one version in quotes, such as "3"',
    ],
    [
      'If-None-Match other than *',
      { body: { name: 'Ada' }, headers: { 'If-None-Match': '"3"' } },
      400,
      'If-None-Match supports only * on this API',
    ],
  ])('POST with %s → %i', async (_label, spec, status, message) => {
    const id = freshId();
    expectError(await service.call({ method: 'POST', id, ...spec }), status, message);
    expect(await service.table('staging').get({ id })).toBeUndefined();
  });

  it('answers 415 for a POST without a Content-Type', async () => {
    const event = { method: 'POST', id: freshId() };
    expectError(
      await service.call(event),
      415,
      'Content-Type must be application/json; none was sent',
    );
  });
});

describe('request id, logs and errors', () => {
  it("uses API Gateway's request id, falling back to Lambda's for an event without one", async () => {
    const res = await service.call({ method: 'GET', id: freshId(), requestId: 'gw-1' });
    expect(res.headers['X-Request-Id']).toBe('gw-1');
    const direct = await service.call(
      { method: 'GET', id: freshId(), requestId: '' },
      { awsRequestId: 'lambda-7' },
    );
    expect(direct.headers['X-Request-Id']).toBe('lambda-7');
  });

  it('sets X-Function-Version from the context', async () => {
    const res = await service.call(
      { method: 'GET', id: freshId(), stage: 'prod' },
      { version: '7' },
    );
    expect(res.headers['X-Function-Version']).toBe('7');
  });

  it('writes one JSON log line per request with id, stage, version, route, status, latency', async () => {
    const before = service.logs.length;
    await service.call(
      { method: 'GET', id: freshId(), stage: 'prod', requestId: 'gw-log' },
      { version: '3' },
    );
    expect(service.logs.length).toBe(before + 1);
    expect(service.logs.at(-1)).toEqual({
      level: 'info',
      message: 'request',
      timestamp: T0.toISOString(),
      request_id: 'gw-log',
      aws_request_id: 'lambda-request-id',
      stage: 'prod',
      function_version: '3',
      method: 'GET',
      route: 'GET /user/{id}',
      status: 404,
      latency_ms: expect.any(Number),
      reason: expect.stringMatching(/not found$/),
    });
  });

  it('answers an unexpected failure with 500, the request id, and the stack only in the log', async () => {
    const broken = await startService({
      repositoryFor: () => {
        throw new Error('table exploded');
      },
    });
    try {
      const res = await broken.call({ method: 'GET', id: freshId(), requestId: 'gw-500' });
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ error: 'internal error', request_id: 'gw-500' });
      expect(res.raw.body).not.toContain('exploded');
      const line = broken.logs.at(-1) as {
        level: string;
        error: { message: string; stack: string };
      };
      expect(line.level).toBe('error');
      expect(line.error.message).toBe('table exploded');
      expect(line.error.stack).toContain('table exploded');
    } finally {
      await broken.stop();
    }
  });
});

describe('stages', () => {
  it('keeps the stages apart: a user written through staging is invisible through prod', async () => {
    const id = freshId();
    expect(
      (await service.call({ method: 'POST', id, body: { name: 'S' }, stage: 'staging' })).status,
    ).toBe(201);
    expect((await service.call({ method: 'GET', id, stage: 'prod' })).status).toBe(404);
    expect(
      (await service.call({ method: 'POST', id, body: { name: 'P' }, stage: 'prod' })).status,
    ).toBe(201);
    expect((await service.call({ method: 'GET', id, stage: 'staging' })).json?.name).toBe('S');
    expect((await service.table('prod').get({ id }))?.name).toBe('P');
    expect((await service.table('staging').get({ id }))?.name).toBe('S');
  });

  it.each([
    ['prod', 'staging'],
    ['staging', 'prod'],
  ] as const)(
    'refuses (500, logged, nothing written) when the alias is %s but stageVariables.stage is %s',
    async (alias, variable) => {
      const id = freshId();
      const res = await service.call(
        { method: 'POST', id, body: { name: 'x' }, stage: variable, requestId: 'gw-mix' },
        { qualifier: alias },
      );
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ error: 'internal error', request_id: 'gw-mix' });
      expect(await service.table('prod').get({ id })).toBeUndefined();
      expect(await service.table('staging').get({ id })).toBeUndefined();
      const line = service.logs.at(-1) as {
        level: string;
        error: { name: string; message: string };
      };
      expect(line.level).toBe('error');
      expect(line.error.name).toBe('StageResolutionError');
      expect(line.error.message).toContain('disagree');
    },
  );

  it.each<[string | null, string]>([
    [null, 'an unqualified ARN'],
    ['3', 'a version ARN'],
    ['dev', 'an unknown alias'],
  ])('refuses with 500 when invoked through %s (%s)', async (qualifier) => {
    const res = await service.call({ method: 'GET', id: freshId() }, { qualifier });
    expect(res.status).toBe(500);
  });

  it('refuses with 500 when the event has no stageVariables', async () => {
    const { handler } = service;
    const event = { ...userEvent({ method: 'GET' }), stageVariables: null };
    expect((await handler(event, lambdaContext())).statusCode).toBe(500);
  });
});
