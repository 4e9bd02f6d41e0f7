// The HTTP contract of the user API (issue 3, docs/api.md), end to end: `stagecraft dev` as a
// child process, the real handler bundle in its workers, dynalite on LevelDB, real HTTP.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { devForSuite } from './helpers.ts';

const dev = devForSuite();

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown> | undefined;
}

// node:http rather than fetch: fetch refuses to send some of what clients do send (repeated
// headers with different values, bodies on arbitrary methods).
function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string | string[]>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${dev().url}${path}`, { method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const post = (path: string, body: unknown, headers: Record<string, string | string[]> = {}) =>
  send('POST', path, {
    headers: { ...JSON_TYPE, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

let counter = 0;
// A fresh valid id per test, so tests do not depend on each other.
const newId = () => `user${Date.now().toString(36)}${(counter++).toString().padStart(4, '0')}`;

function expectFunctionHeaders(answer: Answer, version: string) {
  expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(answer.headers['x-request-id']).toBe(answer.headers['x-amzn-requestid']);
  expect(answer.headers['x-function-version']).toBe(version);
}

describe('GET / POST / DELETE /user/{id}', () => {
  it('creates, reads, updates and deletes a user with ETags and timestamps', async () => {
    const id = newId();
    const missing = await send('GET', `/staging/user/${id}`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: `user ${id} not found` });
    expectFunctionHeaders(missing, '$LATEST');

    const created = await post(`/staging/user/${id}`, { name: '  Alice  ' });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.headers['content-type']).toBe('application/json; charset=utf-8');
    expectFunctionHeaders(created, '$LATEST');
    expect(Object.keys(created.json ?? {}).sort()).toEqual(
      ['created_at', 'id', 'lock_version', 'name', 'updated_at'].sort(),
    );
    expect(created.json).toMatchObject({ id, name: 'Alice', lock_version: 1 });
    const createdAt = created.json?.created_at as string;
    expect(createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(created.json?.updated_at).toBe(createdAt);

    const read = await send('GET', `/staging/user/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.json).toEqual(created.json);

    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await post(`/staging/user/${id}`, { name: 'Alice Liddell' });
    expect(updated.status).toBe(200);
    expect(updated.headers.etag).toBe('"2"');
    expect(updated.json).toMatchObject({
      name: 'Alice Liddell',
      lock_version: 2,
      created_at: createdAt,
    });
    expect(Date.parse(updated.json?.updated_at as string)).toBeGreaterThan(Date.parse(createdAt));

    const deleted = await send('DELETE', `/staging/user/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectFunctionHeaders(deleted, '$LATEST');
    expect((await send('GET', `/staging/user/${id}`)).status).toBe(404);
    const again = await send('DELETE', `/staging/user/${id}`);
    expect(again.status).toBe(404);
    expect(again.json).toEqual({ error: `user ${id} not found` });
  });

  it('validates the path parameter as API Gateway passes it, not percent-decoded (400)', async () => {
    // API Gateway (REST) does not decode path parameters (tests/local/gateway-parity.test.ts has
    // the evidence), so `%41bcdefgh` is not [0-9A-Za-z]{8,64} on AWS either.
    const encoded = await post('/staging/user/%41bcdefgh', { name: 'A' });
    expect(encoded.status).toBe(400);
    expect(encoded.json?.error).toMatch(/id/);
  });
});

describe('optimistic locking', () => {
  it('If-Match: writes only at the given version, else 412 with the current version', async () => {
    const id = newId();
    await post(`/staging/user/${id}`, { name: 'v1' });
    const ok = await post(`/staging/user/${id}`, { name: 'v2' }, { 'If-Match': '"1"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    const stale = await post(`/staging/user/${id}`, { name: 'lost' }, { 'If-Match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.json).toEqual({
      error: 'precondition failed: expected version 1, but the current version is 2',
      current_version: 2,
    });
    expect((await send('GET', `/staging/user/${id}`)).json?.name).toBe('v2');
    const any = await post(`/staging/user/${id}`, { name: 'v3' }, { 'If-Match': '*' });
    expect(any.status).toBe(200);
    const absent = await post(`/staging/user/${newId()}`, { name: 'x' }, { 'If-Match': '*' });
    expect(absent.status).toBe(412);
    expect(absent.json?.current_version).toBeNull();
    const absentVersion = await post(
      `/staging/user/${newId()}`,
      { name: 'x' },
      { 'If-Match': '"1"' },
    );
    expect(absentVersion).toMatchObject({ status: 412, json: { current_version: null } });
  });

  it('If-None-Match: * creates only', async () => {
    const id = newId();
    const first = await post(`/staging/user/${id}`, { name: 'Bob' }, { 'If-None-Match': '*' });
    expect(first.status).toBe(201);
    const second = await post(`/staging/user/${id}`, { name: 'Bob2' }, { 'If-None-Match': '*' });
    expect(second.status).toBe(412);
    expect(second.json).toEqual({
      error: 'precondition failed: expected the user not to exist, but the current version is 1',
      current_version: 1,
    });
  });

  it('body lock_version: the same check, answered 409', async () => {
    const id = newId();
    await post(`/staging/user/${id}`, { name: 'v1' });
    const ok = await post(`/staging/user/${id}`, { name: 'v2', lock_version: 1 });
    expect(ok).toMatchObject({ status: 200, json: { lock_version: 2 } });
    const stale = await post(`/staging/user/${id}`, { name: 'v3', lock_version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.json).toEqual({
      error: 'precondition failed: expected version 1, but the current version is 2',
      current_version: 2,
    });
    const absent = await post(`/staging/user/${newId()}`, { name: 'x', lock_version: 1 });
    expect(absent).toMatchObject({ status: 409, json: { current_version: null } });
  });

  it('without a precondition, concurrent writes all apply, each with its own version', async () => {
    const id = newId();
    const writes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post(`/staging/user/${id}`, { name: `w${i}` })),
    );
    expect(writes.every((w) => w.status === 200 || w.status === 201)).toBe(true);
    expect(writes.filter((w) => w.status === 201)).toHaveLength(1);
    const versions = writes.map((w) => w.json?.lock_version).sort((a, b) => Number(a) - Number(b));
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect((await send('GET', `/staging/user/${id}`)).json?.lock_version).toBe(8);
  });

  it('DELETE honours If-Match', async () => {
    const id = newId();
    await post(`/staging/user/${id}`, { name: 'x' });
    const stale = await send('DELETE', `/staging/user/${id}`, { headers: { 'If-Match': '"7"' } });
    expect(stale).toMatchObject({ status: 412, json: { current_version: 1 } });
    expect((await send('GET', `/staging/user/${id}`)).status).toBe(200);
    const ok = await send('DELETE', `/staging/user/${id}`, { headers: { 'If-Match': '"1"' } });
    expect(ok.status).toBe(204);
    const gone = await send('DELETE', `/staging/user/${id}`, { headers: { 'If-Match': '"1"' } });
    expect(gone).toMatchObject({ status: 412, json: { current_version: null } });
  });
});

// A body that fails the route's request model never reaches the function: the gateway's
// request validator answers it (API Gateway's BAD_REQUEST_BODY as the stack customises it), on
// AWS and locally alike. The function's own messages for these bodies are tested against the
// handler directly (tests/service/handler.test.ts, body.test.ts).
const INVALID_BODY = 'Invalid request body';

describe('validation: every client mistake is a 4xx that names the problem', () => {
  const cases: {
    name: string;
    method: string;
    path?: string;
    headers?: Record<string, string | string[]>;
    body?: string | Buffer;
    status: number;
    error: string | RegExp;
    /** Answered by the gateway's request validator, not the function. */
    gateway?: true;
  }[] = [
    {
      name: 'short id',
      method: 'GET',
      path: '/staging/user/al',
      status: 400,
      error: '`id` must match [0-9A-Za-z]{8,64}',
    },
    {
      name: 'id with symbols',
      method: 'GET',
      path: '/staging/user/abc-defgh',
      status: 400,
      error: '`id` must match [0-9A-Za-z]{8,64}',
    },
    {
      name: 'id too long',
      method: 'GET',
      path: `/staging/user/${'a'.repeat(65)}`,
      status: 400,
      error: '`id` must match [0-9A-Za-z]{8,64}',
    },
    {
      name: 'no Content-Type',
      method: 'POST',
      body: '{"name":"x"}',
      status: 415,
      error: 'Content-Type must be application/json; none was sent',
    },
    {
      name: 'form Content-Type',
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'name=x',
      status: 415,
      error: 'Content-Type must be application/json (charset utf-8)',
    },
    {
      name: 'latin-1 charset',
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=iso-8859-1' },
      body: '{"name":"x"}',
      status: 415,
      error: 'Content-Type must be application/json (charset utf-8)',
    },
    {
      name: 'body over 16 KiB',
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ name: 'x'.repeat(17_000) }),
      status: 413,
      error: /^request body is 17011 bytes; the limit is 16384 bytes$/,
    },
    {
      name: 'empty body',
      method: 'POST',
      headers: JSON_TYPE,
      body: '',
      status: 400,
      error: INVALID_BODY,
      gateway: true,
    },
    {
      name: 'malformed JSON',
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"name":',
      status: 400,
      error: INVALID_BODY,
      gateway: true,
    },
    {
      name: 'JSON array',
      method: 'POST',
      headers: JSON_TYPE,
      body: '["x"]',
      status: 400,
      error: INVALID_BODY,
      gateway: true,
    },
    {
      name: 'unknown field',
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"name":"x","age":3}',
      status: 400,
      error: INVALID_BODY,
      gateway: true,
    },
    {
      name: 'name missing',
      method: 'POST',
      headers: JSON_TYPE,
      body: '{}',
      status: 400,
      error: INVALID_BODY,
      gateway: true,
    },
    {
      name: 'name not a string',
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"name":5}',
      status: 400,
      error: INVALID_BODY,
      gateway: true,
    },
    {
      name: 'name blank',
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"name":"   "}',
      status: 400,
      error: '`name` must be 1-256 characters after trimming; it has 0',
    },
    {
      name: 'name too long',
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify({ name: 'n'.repeat(257) }),
      status: 400,
      error: '`name` must be 1-256 characters after trimming; it has 257',
    },
    {
      name: 'lone surrogate',
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"name":"\\ud800"}',
      status: 400,
      error: '`name` must be valid Unicode text',
    },
    {
      name: 'lock_version zero',
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"name":"x","lock_version":0}',
      status: 400,
      error: INVALID_BODY,
      gateway: true,
    },
    {
      name: 'lock_version string',
      method: 'POST',
      headers: JSON_TYPE,
      body: '{"name":"x","lock_version":"1"}',
      status: 400,
      error: INVALID_BODY,
      gateway: true,
    },
    {
      name: 'weak If-Match',
      method: 'POST',
      headers: { ...JSON_TYPE, 'If-Match': 'W/"1"' },
      body: '{"name":"x"}',
      status: 400,
      error: 'If-Match must be * or one version in quotes, such as "3"',
    },
    {
      name: 'unquoted If-Match',
      method: 'POST',
      headers: { ...JSON_TYPE, 'If-Match': '1' },
      body: '{"name":"x"}',
      status: 400,
      error: 'If-Match must be * or one version in quotes, such as "3"',
    },
    {
      name: 'If-None-Match with a version',
      method: 'POST',
      headers: { ...JSON_TYPE, 'If-None-Match': '"1"' },
      body: '{"name":"x"}',
      status: 400,
      error: 'If-None-Match supports only * on this API',
    },
    {
      name: 'If-Match and lock_version',
      method: 'POST',
      headers: { ...JSON_TYPE, 'If-Match': '"1"' },
      body: '{"name":"x","lock_version":1}',
      status: 400,
      error:
        'give only one of If-Match, If-None-Match and lock_version; got If-Match and lock_version',
    },
    {
      name: 'If-Match twice',
      method: 'POST',
      headers: { ...JSON_TYPE, 'If-Match': ['"1"', '"2"'] },
      body: '{"name":"x"}',
      status: 400,
      error: 'the If-Match header was sent more than once',
    },
    {
      name: 'malformed If-Match on DELETE',
      method: 'DELETE',
      headers: { 'If-Match': 'abc' },
      status: 400,
      error: 'If-Match must be * or one version in quotes, such as "3"',
    },
    {
      name: 'PUT',
      method: 'PUT',
      headers: JSON_TYPE,
      body: '{"name":"x"}',
      status: 405,
      error: 'method PUT is not allowed on /user/{id}; allowed: DELETE, GET, POST',
    },
    {
      name: 'PATCH',
      method: 'PATCH',
      status: 405,
      error: 'method PATCH is not allowed on /user/{id}; allowed: DELETE, GET, POST',
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const answer = await send(c.method, c.path ?? '/staging/user/valid0001', {
        ...(c.headers !== undefined && { headers: c.headers }),
        ...(c.body !== undefined && { body: c.body }),
      });
      expect(answer.status, answer.text).toBe(c.status);
      if (c.gateway === true) {
        expect(answer.json).toEqual({ error: c.error, message: c.error });
        expect(answer.headers['x-amzn-errortype']).toBe('BadRequestException');
        expect(answer.headers['x-function-version']).toBeUndefined();
        return;
      }
      if (typeof c.error === 'string') expect(answer.json).toEqual({ error: c.error });
      else expect(answer.json?.error).toMatch(c.error);
      expectFunctionHeaders(answer, '$LATEST');
      if (c.status === 405) expect(answer.headers.allow).toBe('DELETE, GET, POST');
    });
  }

  it('ignores a UTF-8 byte order mark before the JSON', async () => {
    const answer = await post(`/staging/user/${newId()}`, '\uFEFF{"name":"bom"}');
    expect(answer).toMatchObject({ status: 201, json: { name: 'bom' } });
  });

  it('answers paths outside /<stage>/user/{id} from the gateway', async () => {
    // `GET /` is the release console (docs/console.md); any other method there is unmapped.
    for (const [method, path] of [
      ['GET', '/staging/users/abcdefgh'],
      ['GET', '/qa/user/abcdefgh'],
      ['GET', '/user/abcdefgh'],
      ['DELETE', '/'],
    ] as const) {
      const answer = await send(method, path);
      expect(answer.status, path).toBe(404);
      expect(answer.json).toEqual({
        error: 'no route for this method and path',
        message: 'no route for this method and path',
      });
      // Every response carries X-Request-Id, the gateway's own too (API Gateway's request
      // id); no function answered, so no X-Function-Version.
      expect(answer.headers['x-amzn-requestid']).toBeDefined();
      expect(answer.headers['x-request-id']).toBe(answer.headers['x-amzn-requestid']);
      expect(answer.headers['x-function-version']).toBeUndefined();
    }
  });
});

describe('stages', () => {
  it('keep their data apart: what staging writes prod does not see, and the reverse', async () => {
    const id = newId();
    const staged = await post(`/staging/user/${id}`, { name: 'only on staging' });
    expect(staged.status).toBe(201);
    expectFunctionHeaders(staged, '$LATEST');
    const onProd = await send('GET', `/prod/user/${id}`);
    expect(onProd.status).toBe(404);
    expectFunctionHeaders(onProd, '1');

    const prodId = newId();
    const produced = await post(`/prod/user/${prodId}`, { name: 'only on prod' });
    expect(produced.status).toBe(201);
    expectFunctionHeaders(produced, '1');
    expect((await send('GET', `/staging/user/${prodId}`)).status).toBe(404);

    // The same id on both stages is two users.
    const both = await post(`/prod/user/${id}`, { name: 'prod copy' });
    expect(both).toMatchObject({ status: 201, json: { lock_version: 1 } });
    expect((await send('GET', `/staging/user/${id}`)).json?.name).toBe('only on staging');
    expect((await send('GET', `/prod/user/${id}`)).json?.name).toBe('prod copy');
  });
});
