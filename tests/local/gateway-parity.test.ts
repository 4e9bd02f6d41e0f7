// Parity with the deployed REST API (issue 11): one test per behaviour, over HTTP against the
// real local gateway, asserting what API Gateway does. Each cites its evidence.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_ENTRY } from '../../src/build/bundle.ts';
import { MAX_RESPONSE_BYTES } from '../../src/local/lambda/runner.ts';
import { RESULT_OVERHEAD_BYTES } from '../fixtures/local/parity-handler.ts';
import { fixture, startTestStack } from './helpers.ts';

type TestStack = Awaited<ReturnType<typeof startTestStack>>;
/** The deployed configuration (no binary media types), integration timeout 3 s. */
let stack: TestStack;
/** Binary media types set, function timeout 2 s (under the default 29 s integration timeout). */
let binaryStack: TestStack;
/** The user API's own handler. */
let userApi: TestStack;

const INTEGRATION_TIMEOUT_MS = 3000;
const FUNCTION_TIMEOUT_MS = 2000;

beforeAll(async () => {
  stack = await startTestStack({
    entry: fixture('parity-handler'),
    integrationTimeoutMs: INTEGRATION_TIMEOUT_MS,
  });
  binaryStack = await startTestStack({
    entry: fixture('parity-handler'),
    binaryMediaTypes: ['application/octet-stream', 'image/*'],
    timeoutMs: FUNCTION_TIMEOUT_MS,
  });
  userApi = await startTestStack({ entry: HANDLER_ENTRY });
}, 120_000);
afterAll(async () => {
  await stack?.close();
  await binaryStack?.close();
  await userApi?.close();
});

async function call(path: string, init: RequestInit = {}, on: TestStack = stack) {
  const response = await fetch(`${on.url}${path}`, init);
  return {
    status: response.status,
    text: await response.text(),
    errorType: response.headers.get('x-amzn-errortype'),
  };
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
    expect(await call('/prod/user/stringstatus')).toMatchObject({ status: 201, text: 'made' });
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
      'Content-Length': String(VALID_BODY.length),
      'X-Kept': 'yes',
    });
    const names = Object.keys(event.headers).map((name) => name.toLowerCase());
    const multiNames = Object.keys(event.multiValueHeaders).map((name) => name.toLowerCase());
    for (const hopByHop of ['connection', 'keep-alive', 'content-length', 'transfer-encoding']) {
      expect(names, hopByHop).not.toContain(hopByHop);
      expect(multiNames, hopByHop).not.toContain(hopByHop);
    }
    expect(event.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Kept': 'yes' });
    expect(event.body).toBe(VALID_BODY);
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

  it('keeps event.path and pathParameters percent-encoded, as sent', async () => {
    // Evidence: REST APIs deliver `path` still percent-encoded, verified against live API
    // Gateway captures published in hotsock/voker#8 (summarised in middleapi/standard-server
    // PR #93: "REST APIs and Lambda Function URLs deliver it still percent-encoded", unlike HTTP
    // APIs); serverless-offline#638: on AWS `pathParameters.id` is the segment as the client
    // wrote it, the emulator's differing value was the bug. An encoded `%2F` stays in its
    // segment (smithy-typescript#379: API Gateway cannot store the path decoded, or `/` and
    // `%2F` would be indistinguishable). The stage segment is matched decoded (no evidence
    // either way; a stage name has no characters that need encoding).
    const event = await eventFor('/prod/user/abcd%41efgh?q=%41%2B&q=b%20c');
    expect(event.path).toBe('/user/abcd%41efgh');
    expect(event.pathParameters).toEqual({ id: 'abcd%41efgh' });
    expect(event.resource).toBe('/user/{id}');
    expect(event.requestContext.resourcePath).toBe('/user/{id}');
    expect(event.requestContext.path).toBe('/prod/user/abcd%41efgh');
    // Query parameters are decoded (AWS, "Amazon API Gateway important notes for REST APIs":
    // REST APIs decode query strings; opennextjs-aws#770), single and multi-value alike.
    expect(event.multiValueQueryStringParameters).toEqual({ q: ['A+', 'b c'] });
    expect(event.queryStringParameters).toEqual({ q: 'b c' });
    const slash = await eventFor('/prod/user/a%2Fb');
    expect(slash.pathParameters).toEqual({ id: 'a%2Fb' });
    expect(slash.path).toBe('/user/a%2Fb');
  });

  it('so the user API answers an encoded id 400 (invalid id), as on AWS', async () => {
    // The function validates `pathParameters.id` as given: `abcd%41efgh` is not
    // [0-9A-Za-z]{8,64}, so 400 — where a decoding gateway would have looked up `abcdAefgh`.
    const encoded = await call('/staging/user/abcd%41efgh', {}, userApi);
    expect(encoded.status, encoded.text).toBe(400);
    expect((await call('/staging/user/abcdAefgh', {}, userApi)).status).toBe(404);
  });

  it('routes a trailing slash to the resource and keeps it in path', async () => {
    // Evidence: floci-io/floci#1557 and PR #1863: "On AWS API Gateway (and AWS SAM local), a
    // request to /thing/ produces an event with the trailing slash intact" while "/thing/
    // still routes to the /thing resource"; aws-powertools/powertools-lambda-python#1552/#1577:
    // a deployed REST API answers `/Prod/hello/` from the `/hello` resource. (localstack#6532
    // reports the slash missing in LocalStack, not on AWS.) An empty segment elsewhere
    // (`/user//x`, `/user/x//`) still matches nothing.
    const event = await eventFor('/prod/user/abcdefgh/');
    expect(event.path).toBe('/user/abcdefgh/');
    expect(event.resource).toBe('/user/{id}');
    expect(event.pathParameters).toEqual({ id: 'abcdefgh' });
    expect(event.requestContext.path).toBe('/prod/user/abcdefgh/');
    // The user API serves it too (its router takes the resource API Gateway matched).
    expect((await call('/staging/user/abcdefgh/', {}, userApi)).status).toBe(404); // no such user
    for (const path of ['/prod/user//abcdefgh', '/prod/user/abcdefgh//']) {
      expect((await call(path)).status, path).toBe(404);
    }
  });

  it('sends an isBase64Encoded body as text when the API has no binary media types', async () => {
    // Evidence: AWS, "Binary media types for REST APIs in API Gateway": for Lambda proxy
    // integrations "you must base64-encode your function's response. You must also configure
    // the binaryMediaTypes for your API" — without them API Gateway does not convert, and the
    // client gets the base64 text (the deployed API declares none).
    const answer = await call('/prod/user/base64', {
      headers: { Accept: 'application/octet-stream' },
    });
    expect(answer).toMatchObject({ status: 200, text: 'AAEC/w==' });
  });

  it('decodes it only when the first Accept media type is binary, and answers bad base64 500', async () => {
    // Evidence: AWS, "Content type conversions in API Gateway": "If a request contains multiple
    // media types in its Accept header, API Gateway honors only the first Accept media type";
    // "Binary media types for REST APIs": "API Gateway uses the first Accept header from
    // clients to determine if a response should return binary media". A body it must decode
    // that is not base64 is a configuration error of the integration response: 500 with the
    // 5XX message ("Internal server error"), not the function's answer.
    const bytes = await fetch(`${binaryStack.url}/prod/user/base64`, {
      headers: { Accept: 'application/octet-stream, text/html' },
    });
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([0, 1, 2, 255]);
    const text = await call(
      '/prod/user/base64',
      { headers: { Accept: 'text/html, application/octet-stream' } },
      binaryStack,
    );
    expect(text).toMatchObject({ status: 200, text: 'AAEC/w==' });
    const bad = await call(
      '/prod/user/badbase64',
      { headers: { Accept: 'image/png' } },
      binaryStack,
    );
    expect(bad).toEqual({
      status: 500,
      text: '{"error":"Internal server error","message":"Internal server error"}',
      errorType: 'InternalServerErrorException',
    });
    expect(binaryStack.logs.some((line) => /500 .*badbase64.*base64 decode/.test(line))).toBe(true);
    // Where no conversion applies the same result is just text.
    expect(await call('/prod/user/badbase64', { headers: { Accept: 'image/png' } })).toMatchObject({
      status: 200,
      text: 'not base64!',
    });
  });

  it('answers the function timeout 502 and the integration timeout 504', async () => {
    // Evidence: a Lambda invocation past its timeout fails ("Task timed out after N seconds"),
    // which API Gateway answers as any failed invocation, 502 "Internal server error"; 504
    // "Endpoint request timed out" (IntegrationTimeoutException) is API Gateway's own
    // integration timeout, 29 s by default (AWS, "Amazon API Gateway quotas"; sls-mentor's
    // rule lambdaTimeoutInferiorToApiGatewayTimeout: "if the API Gateway integration times out
    // before the Lambda function, the client will receive a 504 error").
    const started = Date.now();
    const functionTimeout = await call('/prod/user/sleep6000', {}, binaryStack);
    expect(functionTimeout).toEqual({
      status: 502,
      text: '{"error":"Internal server error","message":"Internal server error"}',
      errorType: 'InternalServerErrorException',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(FUNCTION_TIMEOUT_MS - 50);
    const integrationStarted = Date.now();
    const integrationTimeout = await call('/prod/user/sleep6000');
    expect(integrationTimeout).toEqual({
      status: 504,
      text: '{"error":"Endpoint request timed out","message":"Endpoint request timed out"}',
      errorType: 'IntegrationTimeoutException',
    });
    const waited = Date.now() - integrationStarted;
    expect(waited).toBeGreaterThanOrEqual(INTEGRATION_TIMEOUT_MS - 50);
    expect(waited).toBeLessThan(6000);
    expect(stack.logs.some((line) => /504 .*integration timeout \(3000 ms\)/.test(line))).toBe(
      true,
    );
    // Both keep serving.
    expect((await call('/prod/user/abcdefgh')).status).toBe(200);
    expect((await call('/prod/user/abcdefgh', {}, binaryStack)).status).toBe(200);
  }, 30_000);
});

// A body the route's request model accepts (the gateway checks it before the function runs).
const VALID_BODY = '{"name":"A"}';

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
    req.end(VALID_BODY);
  });
}
