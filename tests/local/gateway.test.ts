// The local API Gateway over real HTTP, in-process, on the misbehaving fixture function.
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundle } from '../../src/build/bundle.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { eventually, fixture, startTestStack } from './helpers.ts';

type TestStack = Awaited<ReturnType<typeof startTestStack>>;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ timeoutMs: 500 });
});
afterAll(async () => {
  await stack.close();
});

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${stack.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

/** What every answer the gateway gives itself carries: its request id twice, no version. */
function expectGatewayHeaders(response: { headers: Headers }, what: string): void {
  const requestId = response.headers.get('x-amzn-requestid');
  expect(requestId, what).toMatch(/^[0-9a-f-]{36}$/);
  expect(response.headers.get('x-request-id'), what).toBe(requestId);
  expect(response.headers.get('x-function-version'), what).toBeNull();
}

async function echo(path: string, init: RequestInit = {}) {
  const response = await call(path, init);
  expect(response.status, response.text).toBe(200);
  return JSON.parse(response.text) as {
    event: Record<string, unknown> & { requestContext: Record<string, unknown> };
    context: Record<string, unknown>;
  };
}

describe('local API Gateway', () => {
  it('invokes each stage through its alias with the stage variable and context', async () => {
    const prod = await echo('/prod/user/abcdefgh?x=1&x=2');
    expect(prod.context).toMatchObject({
      functionVersion: '1',
      invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:example:prod',
    });
    expect(prod.event).toMatchObject({
      resource: '/user/{id}',
      path: '/user/abcdefgh',
      httpMethod: 'GET',
      pathParameters: { id: 'abcdefgh' },
      stageVariables: { stage: 'prod' },
      queryStringParameters: { x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      body: null,
      isBase64Encoded: false,
    });
    expect(prod.event.requestContext).toMatchObject({
      stage: 'prod',
      resourcePath: '/user/{id}',
      path: '/prod/user/abcdefgh',
      httpMethod: 'GET',
      identity: expect.objectContaining({ sourceIp: '127.0.0.1' }),
    });

    const staging = await call('/staging/user/abcdefgh');
    expect(staging.headers.get('x-function-version')).toBe('$LATEST');
    expect(JSON.parse(staging.text).context.invokedFunctionArn).toMatch(
      /:function:example:staging$/,
    );
    // The request id the function sees is the one the client is given.
    const requestId = staging.headers.get('x-amzn-requestid');
    expect(JSON.parse(staging.text).event.requestContext.requestId).toBe(requestId);
  });

  it('passes headers and bodies through, and maps the result back', async () => {
    const seen = await echo('/prod/user/abcdefgh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'v' },
      body: '{"name":"Ann"}',
    });
    expect(seen.event).toMatchObject({ httpMethod: 'POST', body: '{"name":"Ann"}' });
    // The client's header case is kept.
    expect(seen.event.headers).toMatchObject({
      'Content-Type': 'application/json',
      'X-Custom': 'v',
    });

    const multi = await call('/prod/user/multiheader');
    expect(multi.status).toBe(201);
    expect(multi.headers.getSetCookie()).toEqual(['a=1', 'b=2', 'x=1']);
    expect(multi.headers.get('x-amzn-remapped-content-length')).toBe('999');
    expect(multi.headers.get('content-length')).toBe('4');
    expect(multi.text).toBe('made');

    // isBase64Encoded with no binary media types (the deployed API's): the base64 text as is.
    const binary = await fetch(`${stack.url}/prod/user/binary`, { headers: { Accept: '*/*' } });
    expect(await binary.text()).toBe(Buffer.from([0, 1, 2, 255]).toString('base64'));
  });

  it('forwards every method of a mapped resource to the function (its router answers 405)', async () => {
    for (const method of ['PUT', 'PATCH', 'OPTIONS', 'DELETE']) {
      expect((await echo('/prod/user/abcdefgh', { method })).event.httpMethod).toBe(method);
    }
    const head = await call('/prod/user/abcdefgh', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, text: '' });
  });

  it('answers unmapped stages and paths itself, as the deployed API does', async () => {
    for (const path of [
      '/',
      '/dev/user/abcdefgh',
      '/prod',
      '/prod/user',
      '/prod/user/a/b',
      '/prod/user/abc//',
      '/prod/user//abc',
    ]) {
      const response = await call(path, { method: 'POST', body: 'x' });
      expect(response.status, path).toBe(404);
      expect(response.text, path).toBe(
        '{"error":"no route for this method and path","message":"no route for this method and path"}',
      );
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expectGatewayHeaders(response, path);
    }
  });

  it('refuses bodies over 10 MB with 413 and passes 10 MB through', async () => {
    const limit = 10 * 1024 * 1024;
    const tooBig = await call('/prod/user/abcdefgh', {
      method: 'POST',
      body: 'x'.repeat(limit + 1),
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.text).toBe('{"error":"Request Too Long","message":"Request Too Long"}');
    expectGatewayHeaders(tooBig, '413');
    const chunked = await sendChunked('/prod/user/abcdefgh', limit + 1);
    expect(chunked).toBe(413);
    const atLimit = await call('/prod/user/bodysize', { method: 'POST', body: 'y'.repeat(limit) });
    expect(atLimit).toMatchObject({ status: 200, text: String(limit) });
  });

  it('answers a throwing, crashing or misbehaving function 502 and keeps serving', async () => {
    for (const id of [
      'throwing',
      'rejecting',
      'exiting',
      'uncaught',
      'bodyobject',
      'nostatus',
      'extrakey',
      'badheader',
      'huge',
    ]) {
      const response = await call(`/prod/user/${id}`);
      expect(response.status, id).toBe(502);
      expect(response.text, id).toBe(
        '{"error":"Internal server error","message":"Internal server error"}',
      );
      expectGatewayHeaders(response, id);
      expect((await call('/prod/user/abcdefgh')).status, `after ${id}`).toBe(200);
    }
    expect(stack.logs.some((line) => /502 .*throwing.*function error Error: boom/.test(line))).toBe(
      true,
    );
    expect(stack.logs.some((line) => /502 .*exiting.*crashed.*exit code 3/.test(line))).toBe(true);
    expect(
      stack.logs.some((line) => /502 .*extrakey.*Malformed Lambda proxy response/.test(line)),
    ).toBe(true);
  });

  it('answers a hanging or spinning function 502 at the function timeout, as API Gateway does, and keeps serving', async () => {
    // Lambda ends an invocation over its timeout with an error ("Task timed out after N
    // seconds"); API Gateway answers a function error 502. 504 is only for its own integration
    // timeout (gateway-parity.test.ts).
    for (const id of ['hanging', 'spinning']) {
      const started = Date.now();
      const [slow, fast] = await Promise.all([
        call(`/prod/user/${id}`),
        // Another stage's worker is not held up meanwhile.
        new Promise((r) => setTimeout(r, 100)).then(() => call('/staging/user/abcdefgh')),
      ]);
      expect(slow.status, id).toBe(502);
      expect(slow.text).toBe('{"error":"Internal server error","message":"Internal server error"}');
      expectGatewayHeaders(slow, id);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(fast.status).toBe(200);
      expect((await call('/prod/user/abcdefgh')).status, `after ${id}`).toBe(200);
    }
  });
});

describe('aliases while running', () => {
  it('follow changes made by another process without a restart, and honour canary weights', async () => {
    // A second store instance on the same state dir: what the release CLI does.
    const other = await LocalFunctionStore.open(stack.stateDir);
    const bundle = await buildLambdaBundle({ entry: fixture('callback-handler') });
    await other.setLatest(bundle);
    const { version } = await other.publish('callback fixture');
    expect(version.version).toBe('2');

    await other.setAlias('prod', { version: '2' });
    await eventually(async () => (await call('/prod/user/abcdefgh')).text === '2', 3000);
    expect(
      stack.logs.some((line) => line.includes('alias prod now serves version 2 (was version 1)')),
    ).toBe(true);

    // Canary: 30% to version 1 (the echo fixture), 70% to version 2.
    await other.setAlias('prod', { version: '2', weights: { '1': 0.3 } });
    await eventually(async () => {
      const texts = await Promise.all(
        Array.from({ length: 20 }, () => call('/prod/user/abcdefgh')),
      );
      return texts.some((r) => r.text.startsWith('{'));
    }, 3000);
    const counts = { '1': 0, '2': 0 };
    for (let i = 0; i < 400; i++) {
      const response = await call('/prod/user/abcdefgh');
      counts[response.text === '2' ? '2' : '1']++;
    }
    // Binomial(400, 0.3): mean 120, sd 9.2; ±45 is ~5 sd.
    expect(counts['1']).toBeGreaterThan(75);
    expect(counts['1']).toBeLessThan(165);

    // A broken hand edit is reported and the last good aliases keep serving.
    await writeFile(other.aliasesPath, '{"prod": ');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await call('/staging/user/abcdefgh')).status).toBe(202); // $LATEST: the callback fixture
    expect(stack.logs.some((line) => line.includes('still serving the last readable state'))).toBe(
      true,
    );
    await other.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
    await eventually(async () => (await call('/prod/user/abcdefgh')).text.startsWith('{'), 3000);
    expect((await stack.serving()).prod).toEqual({ version: '1' });
  });
});

// Sends a chunked body (no Content-Length) of `size` bytes; resolves with the status.
function sendChunked(path: string, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.url}${path}`, { method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error) => {
      // The server may answer and close before the whole body is written.
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
      reject(error);
    });
    const chunk = Buffer.alloc(1024 * 1024, createHash('sha1').update('x').digest('hex'));
    let sent = 0;
    const write = () => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}
