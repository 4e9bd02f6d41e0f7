// Parity with the deployed REST API (issue 11): one test per behaviour, over HTTP against the
// real local gateway, asserting what API Gateway does. Each cites its evidence.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES } from '../../src/local/lambda/runner.ts';
import { RESULT_OVERHEAD_BYTES } from '../fixtures/local/parity-handler.ts';
import { fixture, startTestStack } from './helpers.ts';

type TestStack = Awaited<ReturnType<typeof startTestStack>>;
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ entry: fixture('parity-handler') });
});
afterAll(async () => {
  await stack.close();
});

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${stack.url}${path}`, init);
  return { status: response.status, text: await response.text() };
}

/** The event the function saw for a request (the fixture echoes it). */
async function eventFor(path: string, init: RequestInit = {}) {
  const response = await call(path, init);
  expect(response.status, response.text).toBe(200);
  return JSON.parse(response.text) as Record<string, unknown> & {
    headers: Record<string, string>;
    multiValueHeaders: Record<string, string[]>;
    requestContext: Record<string, unknown>;
  };
}

describe('parity with API Gateway (REST proxy integration)', () => {
  it('accepts statusCode as a numeric string', async () => {
    // Evidence: AWS SAM CLI's emulator of the REST proxy integration
    // (samcli/local/apigw/local_apigw_service.py, _parse_v1_payload_format_lambda_output)
    // converts the status with int(status_code), so "201" answers 201 as on AWS; only a
    // non-integer fails ("statusCode must be a positive int", 502).
    expect(await call('/prod/user/stringstatus')).toEqual({ status: 201, text: 'made' });
  });

  it('limits the response payload to 6,291,556 bytes', async () => {
    // Evidence: localstack/lambda-runtime-init PR #33 ("Fix oversized response handling"), an
    // emulator built on AWS's Lambda runtime interface, sets the response limit
    // MaxPayloadSize to "6291556" (6 MB + 100 bytes), in line with the runtime interface's
    // interop.MaxPayloadSize. Over it the invoke fails and API Gateway answers 502.
    expect(MAX_RESPONSE_BYTES).toBe(6_291_556);
    const atLimit = await call(`/prod/user/size${MAX_RESPONSE_BYTES}`);
    expect(atLimit.status).toBe(200);
    expect(atLimit.text.length).toBe(MAX_RESPONSE_BYTES - RESULT_OVERHEAD_BYTES);
    expect((await call(`/prod/user/size${MAX_RESPONSE_BYTES + 1}`)).status).toBe(502);
  });

  it('leaves requestContext.authorizer out when the method has no authorizer', async () => {
    // Evidence: REST proxy events captured from live APIs without an authorizer have no
    // `authorizer` key in requestContext (fallguy/hp_native
    // awsmobilejs/backend/cloud-api/notificationEngine/eventObject.js, a logged event of a
    // deployed API); aws-lambda-go's fixtures carry the key only with an authorizer's context.
    // (The event reaches the function as JSON, so gateway-units.test.ts also checks the object
    // the gateway builds has no key holding undefined.)
    const event = await eventFor('/prod/user/abcdefgh');
    expect(Object.keys(event.requestContext)).not.toContain('authorizer');
  });

  it('does not pass hop-by-hop request headers or Content-Length into the event', async () => {
    // Evidence: aws/aws-lambda-go events/testdata/apigw-request.json, a REST proxy event for
    // a POST with a JSON body, lists every header API Gateway passed (Content-Type, Host, Via,
    // X-Forwarded-*, ...) and has neither Content-Length nor Connection; RFC 9110 §7.6.1 has
    // an intermediary drop Connection and the other hop-by-hop headers. Issue 11's table:
    // "request headers Content-Length, Connection (hop-by-hop): not in the event".
    const event = await rawEventFor('/prod/user/abcdefgh', {
      Connection: 'keep-alive',
      'Keep-Alive': 'timeout=5',
      'Content-Type': 'application/json',
      'Content-Length': '2',
      'X-Kept': 'yes',
    });
    const names = Object.keys(event.headers).map((name) => name.toLowerCase());
    const multiNames = Object.keys(event.multiValueHeaders).map((name) => name.toLowerCase());
    for (const hopByHop of ['connection', 'keep-alive', 'content-length', 'transfer-encoding']) {
      expect(names, hopByHop).not.toContain(hopByHop);
      expect(multiNames, hopByHop).not.toContain(hopByHop);
    }
    expect(event.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Kept': 'yes' });
    expect(event.body).toBe('{}');
  });

  it('decodes + in the query string to a space', async () => {
    // Evidence: a REST proxy event captured from a live API in aws/aws-cdk#19827: the request
    // `?sort=-+createdAt` reached the function as queryStringParameters {"sort": "- createdAt"}
    // (and multiValueQueryStringParameters ["- createdAt"]). SAM CLI's emulator agrees (Flask's
    // request.args, form decoding). `%2B` stays a literal `+`.
    const event = await eventFor('/prod/user/abcdefgh?q=a+b&p=1%2B1&q=c+d');
    expect(event.queryStringParameters).toEqual({ q: 'c d', p: '1+1' });
    expect(event.multiValueQueryStringParameters).toEqual({ q: ['a b', 'c d'], p: ['1+1'] });
  });

  it('sets requestContext.operationName from the route table, as the CDK stack does', async () => {
    // Evidence: src/infra/api.ts gives each route's method `operationName: route.operation`;
    // API Gateway passes it as requestContext.operationName, as in aws/aws-lambda-go
    // events/testdata/apigw-restapi-openapi-request.json ("operationName": "HelloWorld") and
    // aws-lambda-go v1.13.0 "Adds OperationName to API Gateway Proxy Request" (#224). Methods
    // without one (the ANY fallback) have no key.
    for (const [method, operation] of [
      ['GET', 'getUser'],
      ['POST', 'putUser'],
      ['DELETE', 'deleteUser'],
    ] as const) {
      const event = await eventFor('/prod/user/abcdefgh', {
        method,
        ...(method === 'POST' && { body: '{"name":"Ann"}' }),
      });
      expect(event.requestContext.operationName, method).toBe(operation);
    }
    const fallback = await eventFor('/prod/user/abcdefgh', { method: 'PUT' });
    expect(Object.keys(fallback.requestContext)).not.toContain('operationName');
  });
});

// A POST with exactly these headers (fetch would not send Connection or Keep-Alive as given);
// resolves with the event the fixture echoed.
function rawEventFor(path: string, headers: Record<string, string>) {
  return new Promise<{
    headers: Record<string, string>;
    multiValueHeaders: Record<string, string[]>;
    body: string | null;
  }>((resolve, reject) => {
    const req = request(`${stack.url}${path}`, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode === 200) resolve(JSON.parse(text));
        else reject(new Error(`${res.statusCode}: ${text}`));
      });
    });
    req.on('error', reject);
    req.end('{}');
  });
}
