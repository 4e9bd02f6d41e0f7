// Hostile requests straight into the handler (helper E throws ≥10,000 more through the HTTP
// gateway): whatever the client sends, the answer is a well-formed response and never a 5xx.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from './events.ts';
import { answer, startService, type Service } from './harness.ts';

let service: Service;
beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await service.stop();
});

// Mostly near-valid requests with hostile parts mixed in: a request that fails its first check
// tests little, so valid choices carry most of the weight and each field goes wrong on its own.
const often = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>, weight = 4) =>
  fc.oneof({ arbitrary: valid, weight }, { arbitrary: hostile, weight: 1 });

// A few valid ids, so that writes meet each other and exercise the version checks.
const validId = fc.constantFrom('fuzzuser1', 'fuzzuser2', 'FUZZ0003', '0'.repeat(64));
const hostileText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F', '..', '\u0000', '\uD800', '\r\n', ''),
);
const id = often(validId, fc.oneof(hostileText, fc.stringMatching(/^[0-9A-Za-z%]{1,80}$/)));
const method = often(
  fc.constantFrom('GET', 'POST', 'POST', 'POST', 'DELETE'),
  fc.oneof(fc.constantFrom('PUT', 'PATCH', 'HEAD', 'OPTIONS', 'get', ''), fc.string()),
  6,
);
const headerName = often(
  fc.constantFrom('If-Match', 'if-match', 'If-None-Match', 'IF-NONE-MATCH', 'Content-Length'),
  fc.oneof(fc.constantFrom('Content-Type', 'content-type'), fc.string()),
  3,
);
const headerValue = often(
  fc.constantFrom('*', '"1"', '"2"', '"3"', '"0"'),
  fc.oneof(
    fc.constantFrom(
      'application/json; charset=latin1',
      'text/plain',
      'W/"1"',
      '"1", "2"',
      '"99999999999999999999"',
    ),
    hostileText,
  ),
  2,
);
const contentType = often(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON'),
  fc.oneof(fc.constant(undefined), fc.constantFrom('text/plain', 'application/jsonx'), hostileText),
  8,
);
const validBody = fc.record(
  {
    name: fc.string({ minLength: 1, maxLength: 20 }).filter((name) => name.trim() !== ''),
    lock_version: fc.integer({ min: 1, max: 4 }),
  },
  { requiredKeys: ['name'] },
);
const jsonBody = fc.oneof(
  fc.record({ name: hostileText }),
  fc.record(
    {
      name: fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue()),
      lock_version: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
  fc.dictionary(fc.string(), fc.jsonValue()),
);
const body = often(
  validBody.map((value) => JSON.stringify(value)),
  fc.oneof(
    fc.constant(null),
    jsonBody.map((value) => JSON.stringify(value) ?? 'null'),
    hostileText,
    fc.integer({ min: 1, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
    fc
      .integer({ min: 1, max: 5_000 })
      .map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
    fc.constantFrom(
      '{"name":"x","lock_version":1e400}',
      '{"name":"x","lock_version":123456789012345678901234567890}',
      '{"name":"x","lock_version":-0}',
      '{"name":"\\ud800"}',
      '{"name":"x","__proto__":{"polluted":true}}',
      '{"name":"x","name":"y"}',
      `{"name":"${'é'.repeat(9000)}"}`,
    ),
  ),
  2,
);

const event = fc
  .record({
    method,
    id,
    resource: often(
      fc.constant('/user/{id}'),
      fc.constantFrom('/{proxy+}', undefined, null, '/other'),
    ),
    pathMode: often(fc.constant('user'), fc.constantFrom('random', 'none')),
    randomPath: hostileText,
    contentType,
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }),
    body,
    base64: fc.oneof(fc.boolean(), fc.constant(undefined)),
    binary: often(fc.constant(null), fc.uint8Array({ maxLength: 2048 }), 9),
    pathParameters: often(fc.constant('id'), fc.constantFrom('null', 'empty')),
  })
  .map((spec): APIGatewayProxyEvent => {
    const path =
      spec.pathMode === 'user'
        ? `/user/${spec.id}`
        : spec.pathMode === 'random'
          ? spec.randomPath
          : '';
    // Built through Maps: a header may be named "__proto__" or "constructor".
    const last = new Map<string, string>();
    const all = new Map<string, string[]>();
    const headerList: [string, string][] = [...spec.headers];
    if (spec.contentType !== undefined) headerList.unshift(['Content-Type', spec.contentType]);
    for (const [name, value] of headerList) {
      last.set(name, value);
      all.set(name, [...(all.get(name) ?? []), value]);
    }
    const headers = Object.fromEntries(last);
    const multiValueHeaders = Object.fromEntries(all);
    let payload = spec.body;
    let isBase64Encoded = spec.base64 === true;
    if (spec.binary !== null) {
      payload = Buffer.from(spec.binary).toString('base64');
      isBase64Encoded = true;
    } else if (isBase64Encoded && payload !== null) {
      payload = Buffer.from(payload).toString('base64');
    }
    return {
      resource: spec.resource as string,
      path,
      httpMethod: spec.method,
      headers,
      multiValueHeaders,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters:
        spec.pathParameters === 'id' ? { id: spec.id } : spec.pathParameters === 'null' ? null : {},
      stageVariables: { stage: 'staging' },
      requestContext: { requestId: 'fuzz' } as APIGatewayProxyEvent['requestContext'],
      body: payload,
      // API Gateway always sets it; a hand-made event may not.
      isBase64Encoded:
        spec.base64 === undefined && spec.binary === null
          ? (undefined as unknown as boolean)
          : isBase64Encoded,
    };
  });

function checkResponse(status: number, headers: Record<string, string>, json: unknown) {
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(500);
  expect(headers['X-Request-Id']).toBe('fuzz');
  expect(headers['X-Function-Version']).toBe('$LATEST');
  if (status >= 400) expect(typeof (json as { error?: unknown }).error).toBe('string');
}

describe('fuzz: hostile requests', () => {
  it('never answer 5xx and always answer well-formed', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(event, async (request) => {
        const res = answer(await service.handler(request, lambdaContext()));
        checkResponse(res.status, res.headers, res.json);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      }),
      { numRuns: 2_000, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false },
    );
    // The generator reaches every kind of answer, not only the first check that fails.
    for (const status of [200, 201, 204, 400, 404, 405, 409, 412, 413, 415]) {
      expect(seen.has(status), `status ${status} never produced`).toBe(true);
    }
  }, 90_000);

  it('survive events whose fields have the wrong types altogether', async () => {
    const junk = fc.oneof(fc.anything(), fc.constant(undefined));
    const malformed = fc
      .record({
        resource: junk,
        path: junk,
        httpMethod: junk,
        headers: junk,
        multiValueHeaders: junk,
        pathParameters: junk,
        requestContext: junk,
        body: junk,
        isBase64Encoded: junk,
      })
      .map((fields) => ({ ...fields, stageVariables: { stage: 'staging' } }));
    await fc.assert(
      fc.asyncProperty(malformed, async (fields) => {
        const raw = await service.handler(
          fields as unknown as APIGatewayProxyEvent,
          lambdaContext(),
        );
        const res = answer(raw);
        expect(res.status).toBeLessThan(500);
        expect(res.headers['X-Function-Version']).toBe('$LATEST');
      }),
      { numRuns: 1_000, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false },
    );
  }, 60_000);
});
