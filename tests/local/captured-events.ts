// Replaying REST proxy events captured on live APIs (tests/fixtures/events/) through the local
// gateway, and comparing the event it builds with the captured one field by field. Shared by
// captured-events.test.ts (in-process, the captured APIs' resources) and dev-handler.test.ts
// (`stagecraft dev --handler`, the route table's resources).
import { readFileSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** A captured REST proxy event (payload format 1.0), as a fixture holds it. */
export interface CapturedEvent {
  readonly resource: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly headers: Record<string, string> | null;
  readonly multiValueHeaders?: Record<string, string[]> | null;
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters?: Record<string, string[]> | null;
  readonly pathParameters: Record<string, string> | null;
  readonly stageVariables: Record<string, string> | null;
  readonly requestContext: Record<string, unknown> & { identity: Record<string, unknown> };
  readonly body: string | null;
  readonly isBase64Encoded?: boolean;
}

const EVENTS_DIR = fileURLToPath(new URL('../fixtures/events/', import.meta.url));

/** Every captured event fixture, by file name. */
export function capturedEvents(): [string, CapturedEvent][] {
  return readdirSync(EVENTS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(`${EVENTS_DIR}${name}`, 'utf8'))]);
}

/**
 * Headers the client never sent: the edge-optimized endpoint's CloudFront adds these, so a
 * replay does not send them and the local event lacks them (documented in docs/local.md).
 */
export function isEdgeHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('cloudfront-') || lower === 'via' || lower === 'x-amz-cf-id';
}

/** Headers API Gateway sets itself (the local gateway too, with local values). */
export function isGatewayHeader(name: string): boolean {
  return ['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-amzn-trace-id'].includes(
    name.toLowerCase(),
  );
}

/** The request the client made, reconstructed from a captured event. */
export function requestOf(captured: CapturedEvent) {
  const multiHeaders =
    captured.multiValueHeaders ??
    Object.fromEntries(Object.entries(captured.headers ?? {}).map(([k, v]) => [k, [v]]));
  const headers: [string, string][] = [];
  for (const [name, values] of Object.entries(multiHeaders)) {
    if (isEdgeHeader(name) || isGatewayHeader(name)) continue;
    for (const value of values) headers.push([name, value]);
  }
  const multiQuery =
    captured.multiValueQueryStringParameters ??
    Object.fromEntries(
      Object.entries(captured.queryStringParameters ?? {}).map(([k, v]) => [k, [v]]),
    );
  const query = Object.entries(multiQuery)
    .flatMap(([name, values]) =>
      values.map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`),
    )
    .join('&');
  const body =
    captured.body === null
      ? undefined
      : Buffer.from(captured.body, captured.isBase64Encoded === true ? 'base64' : 'utf8');
  return { method: captured.httpMethod, headers, query, body };
}

/**
 * Sends the captured request to `baseUrl` + `path` (node:http, so `Host` and the header names go
 * out exactly as captured) and resolves with the event the echo handler answered.
 */
export function replay(
  captured: CapturedEvent,
  baseUrl: string,
  path: string,
): Promise<Record<string, unknown>> {
  const sent = requestOf(captured);
  const url = `${baseUrl}${path}${sent.query === '' ? '' : `?${sent.query}`}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: sent.method, headers: sent.headers.flat() }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode === 200) resolve(JSON.parse(text) as Record<string, unknown>);
        else reject(new Error(`${res.statusCode}: ${text}`));
      });
    });
    req.on('error', reject);
    req.end(sent.body);
  });
}

// requestContext fields that name the deployment, the request or the client, never equal
// between two requests or two APIs.
const IGNORED_CONTEXT = new Set([
  'accountId',
  'apiId',
  'domainName',
  'domainPrefix',
  'extendedRequestId',
  'requestId',
  'requestTime',
  'requestTimeEpoch',
  'resourceId',
  'stage',
]);

/** Where the replay was routed: the stage and, when not the captured one, the resource. */
export interface ReplayTarget {
  readonly stage: string;
  /** The path without the stage the replay used; default the captured `path`. */
  readonly path?: string;
  /** The resource the local API matched; default the captured `resource`. */
  readonly resource?: string;
  /** Its path parameters; default the captured ones. */
  readonly pathParameters?: Record<string, string> | null;
}

/**
 * Asserts that the local event matches the captured one field by field, except ids, times,
 * addresses, the API's and account's ids and domain, and the documented differences
 * (docs/local.md, "Captured events"): headers CloudFront adds, the gateway-set headers' values
 * (local address, port, `http`), stage variables (the API's own), an `authorizer` (the local
 * API has none), and the multi-value fields older captures predate.
 */
export function expectSameEvent(
  what: string,
  captured: CapturedEvent,
  local: Record<string, unknown>,
  target: ReplayTarget,
): void {
  const path = target.path ?? captured.path;
  expect(local.resource, `${what}: resource`).toBe(target.resource ?? captured.resource);
  expect(local.path, `${what}: path`).toBe(path);
  expect(local.httpMethod, `${what}: httpMethod`).toBe(captured.httpMethod);
  expect(local.pathParameters, `${what}: pathParameters`).toEqual(
    target.pathParameters === undefined ? captured.pathParameters : target.pathParameters,
  );
  expect(local.queryStringParameters, `${what}: queryStringParameters`).toEqual(
    captured.queryStringParameters,
  );
  if ('multiValueQueryStringParameters' in captured) {
    expect(local.multiValueQueryStringParameters, `${what}: multiValueQuery…`).toEqual(
      captured.multiValueQueryStringParameters,
    );
  }
  expect(local.body, `${what}: body`).toBe(captured.body);
  expect(local.isBase64Encoded, `${what}: isBase64Encoded`).toBe(captured.isBase64Encoded ?? false);

  // Headers: every header the client sent, same name and value; the gateway's own present;
  // nothing else.
  const clientHeaders = (headers: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !isGatewayHeader(name)));
  const expectedHeaders = Object.fromEntries(
    Object.entries(captured.headers ?? {}).filter(
      ([name]) => !isEdgeHeader(name) && !isGatewayHeader(name),
    ),
  );
  const localHeaders = local.headers as Record<string, string>;
  expect(clientHeaders(localHeaders), `${what}: headers`).toEqual(expectedHeaders);
  for (const name of ['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto']) {
    expect(localHeaders[name], `${what}: ${name}`).toMatch(/\S/);
  }
  expect(localHeaders['X-Amzn-Trace-Id'], `${what}: X-Amzn-Trace-Id`).toMatch(
    /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/,
  );
  if (captured.multiValueHeaders !== undefined && captured.multiValueHeaders !== null) {
    const expectedMulti = Object.fromEntries(
      Object.entries(captured.multiValueHeaders).filter(
        ([name]) => !isEdgeHeader(name) && !isGatewayHeader(name),
      ),
    );
    expect(
      clientHeaders(local.multiValueHeaders as Record<string, string[]>),
      `${what}: multiValueHeaders`,
    ).toEqual(expectedMulti);
  }

  // requestContext: the same keys (but ignored ones and `authorizer`), the same values.
  const context = local.requestContext as Record<string, unknown> & {
    identity: Record<string, unknown>;
  };
  for (const [key, value] of Object.entries(captured.requestContext)) {
    if (IGNORED_CONTEXT.has(key) || key === 'authorizer') continue;
    if (key === 'identity') continue;
    if (key === 'path') {
      // With the stage: `/<stage>` + path.
      expect(context.path, `${what}: requestContext.path`).toBe(`/${target.stage}${path}`);
      continue;
    }
    if (key === 'resourcePath') {
      expect(context.resourcePath, `${what}: resourcePath`).toBe(
        target.resource ?? captured.resource,
      );
      continue;
    }
    expect(context[key], `${what}: requestContext.${key}`).toEqual(value);
  }
  expect(context.stage, `${what}: stage`).toBe(target.stage);
  expect(Object.keys(context), `${what}: no authorizer`).not.toContain('authorizer');
  // identity: the client's user agent; every field an unauthenticated request has null is null.
  expect(context.identity.userAgent, `${what}: identity.userAgent`).toBe(
    captured.requestContext.identity.userAgent,
  );
  expect(context.identity.sourceIp, `${what}: identity.sourceIp`).toMatch(/\S/);
  for (const [key, value] of Object.entries(captured.requestContext.identity)) {
    if (value === null) expect(context.identity[key], `${what}: identity.${key}`).toBeNull();
  }
}
