/**
 * Builds the REST API Lambda proxy event (payload format 1.0) from an HTTP request, field by
 * field as API Gateway does. Pure: the server hands in the request's parts.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { randomBase64Url, randomHex } from './random-pool.ts';
import type { ResourceMatch } from './routing.ts';

/** The parts of an HTTP request the event is built from. */
export interface RequestParts {
  /** The method as sent. */
  readonly method: string;
  /** The raw query string without `?` (may be empty). */
  readonly rawQuery: string;
  /** The raw path, stage included, as sent. */
  readonly rawPath: string;
  /** Node's `rawHeaders`: name, value, name, value, … with the client's case. */
  readonly rawHeaders: readonly string[];
  /** The body bytes (empty when none). */
  readonly body: Buffer;
  /** The client address. */
  readonly sourceIp: string;
  /** The local port the request came in on (`X-Forwarded-Port`). */
  readonly port: number;
  /** e.g. `1.1`. */
  readonly httpVersion: string;
  /** Epoch ms when the request arrived. */
  readonly receivedAt: number;
  /** API Gateway's request id (also answered as `x-amzn-RequestId`). */
  readonly requestId: string;
}

/** Settings of the emulated API. */
export interface ApiSettings {
  /** The REST API id (`requestContext.apiId`). */
  readonly apiId: string;
  /** The AWS account id (`requestContext.accountId`). */
  readonly accountId: string;
  /** The stage variables of each stage. */
  readonly stageVariables: (stage: string) => Record<string, string> | null;
  /**
   * The API's `binaryMediaTypes`: bodies with a matching `Content-Type` reach the function
   * base64-encoded; other bodies arrive as UTF-8 text.
   */
  readonly binaryMediaTypes: readonly string[];
  /**
   * The `operationName` the deployed stack gives a method (CDK `addMethod({ operationName })`),
   * or undefined for a method without one (the `ANY` fallback); none when omitted.
   */
  readonly operationName?: (resource: string, method: string) => string | undefined;
}

// API Gateway (REST) drops these request headers before building the event: they describe its
// own connection with the client, not the request. Captured REST proxy events carry none of
// them (see docs/local.md, "Parity with API Gateway").
const NOT_FORWARDED = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The proxy event for a request matched to `match`. */
export function buildProxyEvent(
  request: RequestParts,
  match: ResourceMatch,
  api: ApiSettings,
): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = collectHeaders(request);
  const query = parseQuery(request.rawQuery);
  const contentType = headerValue(headers, 'content-type');
  const binary = request.body.length > 0 && isBinary(contentType, api.binaryMediaTypes);
  const host = headerValue(headers, 'host') ?? `localhost:${request.port}`;
  const domainName = host.replace(/:\d+$/, '');
  const operationName = api.operationName?.(match.resource, request.method);
  // No `authorizer` key at all: API Gateway adds one only when the method has an authorizer
  // (captured events without one lack the key), and `'authorizer' in requestContext` must agree.
  const requestContext: Omit<APIGatewayProxyEvent['requestContext'], 'authorizer'> = {
    accountId: api.accountId,
    apiId: api.apiId,
    domainName,
    domainPrefix: domainName.split('.')[0] ?? domainName,
    extendedRequestId: randomBase64Url(8),
    httpMethod: request.method,
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: request.sourceIp,
      user: null,
      userAgent: headerValue(headers, 'user-agent') ?? null,
      userArn: null,
    },
    ...(operationName !== undefined && { operationName }),
    path: request.rawPath,
    protocol: `HTTP/${request.httpVersion}`,
    requestId: request.requestId,
    requestTime: formatRequestTime(request.receivedAt),
    requestTimeEpoch: request.receivedAt,
    resourceId: resourceId(match.resource),
    resourcePath: match.resource,
    stage: match.stage,
  };
  return {
    resource: match.resource,
    path: match.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: match.pathParameters,
    stageVariables: api.stageVariables(match.stage),
    // The aws-lambda type declares `authorizer` required (it accepts undefined); the event
    // must not have the key, so the object without it stands in for the declared type.
    requestContext: requestContext as APIGatewayProxyEvent['requestContext'],
    body: request.body.length === 0 ? null : request.body.toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: binary,
  };
}

// API Gateway keeps the client's header case; `headers` holds the last value of a repeated
// header, `multiValueHeaders` all of them. It adds the X-Forwarded-* and trace headers.
function collectHeaders(request: RequestParts) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const nameFor = new Map<string, string>(); // lower case → the first spelling seen
  const add = (name: string, value: string) => {
    const lower = name.toLowerCase();
    const key = nameFor.get(lower) ?? name;
    nameFor.set(lower, key);
    headers[key] = value;
    (multiValueHeaders[key] ??= []).push(value);
  };
  const forwardedFor: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    const value = request.rawHeaders[i + 1] ?? '';
    const lower = name.toLowerCase();
    // API Gateway sets these itself, appending the client's address to X-Forwarded-For.
    if (lower === 'x-forwarded-for') forwardedFor.push(value);
    else if (lower === 'x-forwarded-port' || lower === 'x-forwarded-proto') continue;
    else if (!NOT_FORWARDED.has(lower)) add(name, value);
  }
  add('X-Forwarded-For', [...forwardedFor, request.sourceIp].join(', '));
  add('X-Forwarded-Port', String(request.port));
  add('X-Forwarded-Proto', 'http');
  if (!nameFor.has('x-amzn-trace-id')) add('X-Amzn-Trace-Id', traceId(request.receivedAt));
  return { headers, multiValueHeaders };
}

function headerValue(headers: Record<string, string>, lowerName: string): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === lowerName) return value;
  }
  return undefined;
}

/**
 * Splits a raw query string as API Gateway does: `a=1&a=2&b` gives `{a:'2', b:''}` and
 * `{a:['1','2'], b:['']}`; both null when there is nothing.
 */
export function parseQuery(rawQuery: string): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  const multi: Record<string, string[]> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    if (key === '') continue;
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    (multi[key] ??= []).push(value);
  }
  const keys = Object.keys(multi);
  if (keys.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  for (const key of keys) single[key] = multi[key]?.at(-1) ?? '';
  return { single, multi };
}

// Form encoding: API Gateway (REST) decodes `+` to a space in query strings, as
// application/x-www-form-urlencoded does; `%2B` stays a literal `+`.
function decodeComponent(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced; // malformed escapes reach the function as sent
  }
}

/** True when `contentType` matches one of the API's binary media types (`type/*`, `*\/*`). */
export function isBinary(contentType: string | undefined, binaryMediaTypes: readonly string[]) {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return binaryMediaTypes.some((pattern) => {
    const [type, subtype] = pattern.toLowerCase().split('/');
    const [actualType, actualSubtype] = mediaType.split('/');
    return (type === '*' || type === actualType) && (subtype === '*' || subtype === actualSubtype);
  });
}

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** API Gateway's `requestTime` format: `09/Apr/2015:12:34:56 +0000` (UTC). */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(
    d.getUTCHours(),
  )}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

// A stable, resource-id-shaped (10 chars) name per resource, like API Gateway's; the route
// table is small and fixed, so each is hashed once.
const resourceIds = new Map<string, string>();
function resourceId(resource: string): string {
  let id = resourceIds.get(resource);
  if (id === undefined) {
    id = createHash('sha1').update(resource).digest('hex').slice(0, 10);
    resourceIds.set(resource, id);
  }
  return id;
}

function traceId(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${seconds}-${randomHex(12)}`;
}
