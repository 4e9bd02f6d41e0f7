import { describe, expect, it } from 'vitest';
import { aliasProblem, formatRouting, pickVersion } from '../../src/platform/alias.ts';
import {
  buildProxyEvent,
  formatRequestTime,
  isBinary,
  parseQuery,
} from '../../src/local/gateway/event.ts';
import type { RequestParts } from '../../src/local/gateway/event.ts';
import { gatewayResponse } from '../../src/local/gateway/gateway-responses.ts';
import { mapProxyResult, wantsBinary } from '../../src/local/gateway/response.ts';
import type { MapOptions } from '../../src/local/gateway/response.ts';
import { ResourceMatcher } from '../../src/local/gateway/routing.ts';

describe('ResourceMatcher', () => {
  const matcher = new ResourceMatcher(
    ['staging', 'prod'],
    ['/user/{id}', '/user/me', '/user/{id}/items/{item}'],
  );

  it('splits stage and resource, and keeps path and path parameters percent-encoded', () => {
    // API Gateway (REST) passes `path` and the path parameters as sent (docs/local.md, "Parity
    // with API Gateway"; tests/local/gateway-parity.test.ts has the evidence).
    expect(matcher.match('/prod/user/abc%20def')).toEqual({
      stage: 'prod',
      resource: '/user/{id}',
      path: '/user/abc%20def',
      pathParameters: { id: 'abc%20def' },
    });
    // An encoded slash stays inside its segment, and encoded.
    expect(matcher.match('/staging/user/a%2Fb')?.pathParameters).toEqual({ id: 'a%2Fb' });
    // Literal segments still compare decoded.
    expect(matcher.match('/prod/%75ser/me')?.resource).toBe('/user/me');
    expect(matcher.match('/prod/user/x/items/y')?.pathParameters).toEqual({ id: 'x', item: 'y' });
  });

  it('prefers a literal segment over a parameter', () => {
    expect(matcher.match('/prod/user/me')?.resource).toBe('/user/me');
    expect(matcher.match('/prod/user/mex')?.resource).toBe('/user/{id}');
  });

  it('routes a trailing slash to the resource and keeps it in the path', () => {
    expect(matcher.match('/prod/user/abc/')).toEqual({
      stage: 'prod',
      resource: '/user/{id}',
      path: '/user/abc/',
      pathParameters: { id: 'abc' },
    });
    expect(matcher.match('/prod/user/x/items/y/')?.pathParameters).toEqual({ id: 'x', item: 'y' });
  });

  it('matches nothing for unknown stages, unknown paths or empty segments', () => {
    for (const path of [
      '/',
      '',
      'prod/user/x',
      '/dev/user/abc',
      '/Prod/user/abc',
      '/prod',
      '/prod/',
      '/prod/user',
      '/prod/user/',
      '/prod/user//',
      '/prod/user/abc//',
      '/prod/user//abc',
      '/prod/users/abc',
      '/prod/user/abc/extra',
    ]) {
      expect(matcher.match(path), path).toBeUndefined();
    }
  });

  it('keeps a malformed escape as sent instead of failing', () => {
    expect(matcher.match('/prod/user/%E0%A4%A')?.pathParameters).toEqual({ id: '%E0%A4%A' });
    expect(matcher.match('/prod/user/%')?.pathParameters).toEqual({ id: '%' });
  });
});

describe('buildProxyEvent', () => {
  const request: RequestParts = {
    method: 'POST',
    rawPath: '/staging/user/abc%21',
    rawQuery: 'a=1&a=2&b&c=%7E&=x&d=%zz',
    rawHeaders: [
      'Host',
      'localhost:3000',
      'Content-Type',
      'application/json',
      'X-Multi',
      'one',
      'x-multi',
      'two',
      'X-Forwarded-For',
      '10.0.0.1',
      'User-Agent',
      'curl/8',
    ],
    body: Buffer.from('{"name":"Ann"}'),
    sourceIp: '127.0.0.1',
    port: 3000,
    httpVersion: '1.1',
    receivedAt: Date.UTC(2024, 1, 29, 3, 4, 5, 678),
    requestId: 'req-1',
  };
  const api = {
    apiId: 'local',
    accountId: '000000000000',
    stageVariables: (stage: string) => ({ stage }),
    binaryMediaTypes: ['image/*', 'application/octet-stream'],
  };
  const match = new ResourceMatcher(['staging', 'prod'], ['/user/{id}']).match(request.rawPath);
  if (match === undefined) throw new Error('no match');

  it('builds a REST proxy event v1 like API Gateway', () => {
    const event = buildProxyEvent(request, match, api);
    expect(event).toMatchObject({
      resource: '/user/{id}',
      path: '/user/abc%21',
      httpMethod: 'POST',
      pathParameters: { id: 'abc%21' },
      stageVariables: { stage: 'staging' },
      queryStringParameters: { a: '2', b: '', c: '~', d: '%zz' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: [''], c: ['~'], d: ['%zz'] },
      body: '{"name":"Ann"}',
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({
      Host: 'localhost:3000',
      'Content-Type': 'application/json',
      'X-Multi': 'two',
      'X-Forwarded-For': '10.0.0.1, 127.0.0.1',
      'X-Forwarded-Port': '3000',
      'X-Forwarded-Proto': 'http',
    });
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one', 'two']);
    expect(event.requestContext).toMatchObject({
      accountId: '000000000000',
      apiId: 'local',
      stage: 'staging',
      requestId: 'req-1',
      resourcePath: '/user/{id}',
      httpMethod: 'POST',
      path: '/staging/user/abc%21',
      protocol: 'HTTP/1.1',
      domainName: 'localhost',
      requestTimeEpoch: request.receivedAt,
      requestTime: '29/Feb/2024:03:04:05 +0000',
      identity: { sourceIp: '127.0.0.1', userAgent: 'curl/8', user: null },
    }); // No authorizer on the method: no key at all, as in captured events (gateway-parity.test.ts);
    // over HTTP the event travels as JSON, which would hide a key holding undefined.
    expect('authorizer' in event.requestContext).toBe(false);
  });

  it('passes binary media types base64-encoded and no body as null', () => {
    const png = buildProxyEvent(
      {
        ...request,
        rawHeaders: ['Content-Type', 'image/png'],
        body: Buffer.from([0, 255, 1]),
      },
      match,
      api,
    );
    expect(png).toMatchObject({ body: 'AP8B', isBase64Encoded: true });
    const empty = buildProxyEvent({ ...request, rawQuery: '', body: Buffer.alloc(0) }, match, api);
    expect(empty).toMatchObject({
      body: null,
      isBase64Encoded: false,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
    });
  });

  it('decodes non-binary bytes as UTF-8 text', () => {
    const event = buildProxyEvent({ ...request, body: Buffer.from([0xff, 0x41]) }, match, api);
    expect(event.body).toBe('\uFFFDA');
  });

  it('has small pure helpers that behave', () => {
    expect(parseQuery('')).toEqual({ single: null, multi: null });
    expect(parseQuery('&&')).toEqual({ single: null, multi: null });
    expect(isBinary('IMAGE/PNG; q=1', ['image/*'])).toBe(true);
    expect(isBinary('application/json', ['image/*'])).toBe(false);
    expect(isBinary('application/json', ['*/*'])).toBe(true);
    expect(isBinary(undefined, ['*/*'])).toBe(false);
    expect(formatRequestTime(0)).toBe('01/Jan/1970:00:00:00 +0000');
  });

  it('converts a response to binary on the first Accept media type only, as API Gateway does', () => {
    expect(wantsBinary('image/png', ['image/png'])).toBe(true);
    expect(wantsBinary('image/png;q=0.9, text/html', ['image/*'])).toBe(true);
    expect(wantsBinary('text/html, image/png', ['image/png'])).toBe(false);
    expect(wantsBinary('text/html', ['*/*'])).toBe(true);
    expect(wantsBinary('*/*', ['image/png'])).toBe(false);
    expect(wantsBinary(undefined, ['*/*'])).toBe(true); // no Accept: anything
    expect(wantsBinary(undefined, ['image/png'])).toBe(false);
    expect(wantsBinary('image/png', [])).toBe(false);
  });
});

describe('mapProxyResult', () => {
  const ok = (result: unknown, options?: MapOptions) => {
    const mapped = mapProxyResult(JSON.stringify(result), options);
    if (!mapped.ok) throw new Error(mapped.reason);
    return mapped.response;
  };

  it('maps status, merged headers, a default content type and the body', () => {
    const response = ok({
      statusCode: 201,
      headers: { ETag: '"1"', 'X-Both': 'a', 'Content-Length': '5', Date: 'x' },
      multiValueHeaders: { 'X-Both': ['a', 'b'], 'Set-Cookie': ['c=1', 'd=2'] },
      body: '{"id":"x"}',
    });
    expect(response.statusCode).toBe(201);
    expect(Object.fromEntries(response.headers)).toEqual({
      ETag: ['"1"'],
      'X-Both': ['a', 'b'],
      'Set-Cookie': ['c=1', 'd=2'],
      'x-amzn-Remapped-Content-Length': ['5'],
      'x-amzn-Remapped-Date': ['x'],
      'Content-Type': ['application/json'],
    });
    expect(response.body.toString()).toBe('{"id":"x"}');
  });

  it('decodes base64 bodies only where API Gateway converts to binary, and accepts a missing body', () => {
    const binary = { decodeBase64: true };
    expect([...ok({ statusCode: 200, body: 'AP8=', isBase64Encoded: true }, binary).body]).toEqual([
      0, 255,
    ]);
    expect([...ok({ statusCode: 200, body: 'AP8', isBase64Encoded: true }, binary).body]).toEqual([
      0, 255,
    ]);
    // No matching binary media type: the base64 text as it is.
    expect(ok({ statusCode: 200, body: 'AP8=', isBase64Encoded: true }).body.toString()).toBe(
      'AP8=',
    );
    for (const body of ['not base64!', 'AP8=x', 'A', 'AP=8']) {
      const mapped = mapProxyResult(
        JSON.stringify({ statusCode: 200, body, isBase64Encoded: true }),
        binary,
      );
      expect(mapped.ok ? 'ok' : mapped.failure, body).toBe('base64');
    }
    expect(ok({ statusCode: 204 }).body.length).toBe(0);
    expect(
      ok({ statusCode: 200, headers: { 'content-type': 'text/plain' } }).headers.get(
        'content-type',
      ),
    ).toEqual(['text/plain']);
  });

  it('refuses what API Gateway calls a malformed proxy response', () => {
    const refused: [string, RegExp][] = [
      ['not json', /not JSON/],
      ['null', /not an object/],
      ['[1]', /not an object/],
      ['"text"', /not an object/],
      ['{"body":"x"}', /statusCode/],
      ['{"statusCode":"ok"}', /statusCode/], // a numeric string ("200") is accepted, as on AWS
      ['{"statusCode":99}', /statusCode/],
      ['{"statusCode":200.5}', /statusCode/],
      ['{"statusCode":200,"body":{"a":1}}', /body must be a string/],
      ['{"statusCode":200,"extra":1}', /unknown field/],
      ['{"statusCode":200,"isBase64Encoded":"yes"}', /isBase64Encoded/],
      ['{"statusCode":200,"headers":{"X":{"a":1}}}', /object value/],
      ['{"statusCode":200,"headers":{"X":"a\\nb"}}', /Invalid character/],
      ['{"statusCode":200,"headers":{"Bad Name":"a"}}', /Header name/],
      ['{"statusCode":200,"multiValueHeaders":{"X":"a"}}', /must be an array/],
    ];
    for (const [payload, reason] of refused) {
      const mapped = mapProxyResult(payload);
      expect(mapped.ok, payload).toBe(false);
      if (!mapped.ok) expect(mapped.reason, payload).toMatch(reason);
    }
  });
});

describe('gateway responses', () => {
  it('answer as the deployed API is customised (error and message alike), with API Gateway defaults underneath', () => {
    expect(gatewayResponse('MISSING_AUTHENTICATION_TOKEN', { requestId: 'r-1' })).toEqual({
      statusCode: 404,
      headers: {
        'Content-Type': 'application/json',
        'x-amzn-ErrorType': 'MissingAuthenticationTokenException',
        'X-Request-Id': 'r-1',
      },
      body: '{"error":"no route for this method and path","message":"no route for this method and path"}',
    });
    expect(gatewayResponse('INTEGRATION_FAILURE', { requestId: 'r-2' })).toMatchObject({
      headers: { 'X-Request-Id': 'r-2' },
      statusCode: 502,
      body: '{"error":"Internal server error","message":"Internal server error"}',
    });
    expect(gatewayResponse('INTEGRATION_TIMEOUT', { requestId: 'r-2' })).toMatchObject({
      headers: { 'X-Request-Id': 'r-2' },
      statusCode: 504,
      body: '{"error":"Endpoint request timed out","message":"Endpoint request timed out"}',
    });
    expect(gatewayResponse('REQUEST_TOO_LARGE', { requestId: 'r-2' })).toMatchObject({
      headers: { 'X-Request-Id': 'r-2' },
      statusCode: 413,
      body: '{"error":"Request Too Long","message":"Request Too Long"}',
    });
    // Without customisation: API Gateway's own bodies and no added headers.
    expect(gatewayResponse('MISSING_AUTHENTICATION_TOKEN', { requestId: 'r-3' }, {})).toEqual({
      statusCode: 403,
      headers: {
        'Content-Type': 'application/json',
        'x-amzn-ErrorType': 'MissingAuthenticationTokenException',
      },
      body: '{"message":"Missing Authentication Token"}',
    });
    expect(gatewayResponse('INTEGRATION_FAILURE', { requestId: 'r-3' }, {})).toMatchObject({
      statusCode: 502,
      body: '{"message":"Internal server error"}',
    });
  });

  it('resolve header mappings as API Gateway does, and refuse ones they cannot', () => {
    const template = '{}';
    const answer = gatewayResponse(
      'REQUEST_TOO_LARGE',
      { requestId: 'r-4' },
      { DEFAULT_4XX: { template, headers: { 'X-Id': 'context.requestId', 'X-Lit': "'a b'" } } },
    );
    expect(answer.headers).toMatchObject({ 'X-Id': 'r-4', 'X-Lit': 'a b' });
    expect(() =>
      gatewayResponse(
        'REQUEST_TOO_LARGE',
        { requestId: 'r-4' },
        { DEFAULT_4XX: { template, headers: { 'X-Path': 'method.request.path.id' } } },
      ),
    ).toThrow(/cannot resolve the header mapping method\.request\.path\.id/);
  });
});

describe('aliases', () => {
  it('pick the canary version for its share of the random range', () => {
    const alias = { version: '1', weights: { '2': 0.1 } };
    expect(pickVersion(alias, 0)).toBe('2');
    expect(pickVersion(alias, 0.0999)).toBe('2');
    expect(pickVersion(alias, 0.1)).toBe('1');
    expect(pickVersion(alias, 0.9999)).toBe('1');
    expect(pickVersion({ version: '$LATEST' }, 0)).toBe('$LATEST');
    expect(pickVersion({ version: '1', weights: { '2': 1 } }, 0.9999)).toBe('2');
    expect(pickVersion({ version: '1', weights: { '2': 0 } }, 0)).toBe('1');
  });

  it('describe themselves for logs and start-up output', () => {
    expect(formatRouting({ version: '$LATEST' }, 'serving')).toBe('$LATEST');
    expect(formatRouting({ version: '1', weights: { '2': 0.125 } }, 'serving')).toBe(
      'version 1 + 12.5% version 2',
    );
    expect(aliasProblem({ version: '1', weights: {} })).toBeUndefined();
    expect(aliasProblem('1')).toMatch(/must be an object/);
  });
});
