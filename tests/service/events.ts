// Builders for API Gateway REST proxy events and Lambda contexts, shaped as API Gateway and
// Lambda deliver them, so the handler is tested on what it will really receive.
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Stage } from '../../src/config/stages.ts';

/** What a test request varies. */
export interface RequestSpec {
  readonly method?: string;
  readonly id?: string;
  /** Overrides the path built from `id`. */
  readonly path?: string;
  readonly headers?: Record<string, string>;
  /** A JSON value (serialised), or a raw string. */
  readonly body?: unknown;
  readonly stage?: Stage;
  readonly requestId?: string;
}

let counter = 0;

/** An event as API Gateway sends it for `/user/{id}` on a stage. */
export function userEvent(spec: RequestSpec = {}): APIGatewayProxyEvent {
  const method = spec.method ?? 'GET';
  const stage = spec.stage ?? 'staging';
  const path = spec.path ?? `/user/${spec.id ?? 'abcd1234'}`;
  const headers: Record<string, string> = { ...spec.headers };
  let body: string | null = null;
  if (spec.body !== undefined) {
    body = typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['Content-Type'] = 'application/json';
    }
  }
  const requestId = spec.requestId ?? `req-${++counter}`;
  // A path of its own stands for a request API Gateway matched with a `{proxy+}` catch-all.
  const proxied = spec.path !== undefined;
  const resource = proxied ? '/{proxy+}' : '/user/{id}';
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: proxied ? { proxy: path.slice(1) } : { id: spec.id ?? 'abcd1234' },
    stageVariables: { stage },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: { sourceIp: '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/${stage}${path}`,
      stage,
      requestId,
      requestTimeEpoch: 0,
      resourceId: 'r',
      resourcePath: resource,
    },
    body,
    isBase64Encoded: false,
  };
}

/** A Lambda context for an invocation through the stage's alias. */
export function lambdaContext(
  options: { qualifier?: string | null; version?: string; awsRequestId?: string } = {},
): Context {
  const qualifier = options.qualifier === undefined ? 'staging' : options.qualifier;
  const base = 'arn:aws:lambda:local:000000000000:function:example';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'example',
    functionVersion: options.version ?? '$LATEST',
    invokedFunctionArn: qualifier === null ? base : `${base}:${qualifier}`,
    memoryLimitInMB: '128',
    awsRequestId: options.awsRequestId ?? 'lambda-request-id',
    logGroupName: '/aws/lambda/example',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 3000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
