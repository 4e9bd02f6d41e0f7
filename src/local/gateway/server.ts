/**
 * The local API Gateway (REST): an HTTP server that maps `/<stage>/<resource>` to the stage's
 * alias, builds the proxy event, invokes the function in its worker and sends back what API
 * Gateway would — the function's response, or API Gateway's own answer when the request is
 * unmapped or too large, the function failed or timed out (502), or the integration timeout
 * passed first (504).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { INTEGRATION_TIMEOUT_SECONDS } from '../../config/gateway.ts';
import { isStage } from '../../config/stages.ts';
import type { AliasResolver } from '../alias-resolver.ts';
import type { FunctionRunner, InvokeOutcome } from '../lambda/runner.ts';
import { buildProxyEvent } from './event.ts';
import type { ApiSettings } from './event.ts';
import { gatewayResponse } from './gateway-responses.ts';
import type { GatewayResponseType } from './gateway-responses.ts';
import { mapProxyResult, wantsBinary } from './response.ts';
import type { HttpResponse } from './response.ts';
import { decodeSegment, type ResourceMatcher } from './routing.ts';
import { bodyMatchesModel, validatesContentType } from './body-validation.ts';
import type { StageApiSource } from './stage-api.ts';
import { isInternalPath } from './internal-routes.ts';
import type { InternalRoutes } from './internal-routes.ts';
import type { GatewayMetrics } from './metrics.ts';

/** API Gateway's (REST) request payload limit. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

/** API Gateway's integration timeout (ms), as deployed. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = INTEGRATION_TIMEOUT_SECONDS * 1000;

/**
 * How long an idle keep-alive connection stays open (ms). Node's default, 5 s, is shorter than
 * the pauses of ordinary clients: a script whose event loop was blocked longer (an `execSync`
 * of `release verify` then `release promote`) still holds the pooled connection the server had
 * closed meanwhile, reuses it before it has seen the close, and gets a reset (`fetch failed:
 * other side closed`, issue 10). With a long timeout the client's own idle timeout (undici: 4 s,
 * or the `Keep-Alive: timeout=` hint less a margin) always comes first.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 10 * 60 * 1000;

// How much earlier than the integration timeout the function timeout must end for the gateway
// to rely on it alone (the worker's own timer fires at the function timeout; this covers the
// event loop's lateness).
const INTEGRATION_TIMER_MARGIN_MS = 1000;

/** What the gateway is wired to. */
export interface GatewayOptions {
  /** Stage → version. */
  readonly resolver: AliasResolver;
  /** Runs the function. */
  readonly runner: FunctionRunner;
  /** Path → stage + resource (for stages without an API deployment of their own, see `apis`). */
  readonly matcher: ResourceMatcher;
  /**
   * Each stage's API deployment: its routes, request models and operation names. A stage it
   * serves is matched with its deployment's own matcher and its bodies checked against its
   * deployment's models; without it, `matcher` and no body validation.
   */
  readonly apis?: StageApiSource;
  /** Event settings (api id, stage variables, binary media types). */
  readonly api: ApiSettings;
  /**
   * Request body limit in bytes.
   * @default MAX_REQUEST_BODY_BYTES (10 MB)
   */
  readonly maxBodyBytes?: number;
  /**
   * The integration timeout (ms): with no answer from the function by then the client gets
   * 504 and the invocation runs on unobserved, as on AWS.
   * @default DEFAULT_INTEGRATION_TIMEOUT_MS (29 s)
   */
  readonly integrationTimeoutMs?: number;
  /** Where failures the client only sees as 500/502/504 are explained. */
  readonly log: (line: string) => void;
  /** The dev server's own routes (`/`, `/_stagecraft/...`); none when absent. */
  readonly internal?: InternalRoutes;
  /** Counts every answered stage request per version; nothing is counted when absent. */
  readonly metrics?: GatewayMetrics;
}

/** Creates (does not start) the gateway's HTTP server. */
export function createGatewayServer(options: GatewayOptions): Server {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      // A bug in the gateway itself, never the function's doing: say so, keep serving.
      options.log(`local gateway error: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end('{"error":"local gateway error"}');
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

async function handle(
  options: GatewayOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const receivedAt = Date.now();
  const started = performance.now();
  const requestId = randomUUID();
  res.setHeader('x-amzn-RequestId', requestId);
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
  const rawQuery = queryAt === -1 ? '' : url.slice(queryAt + 1);

  if (options.internal !== undefined && isInternalPath(rawPath)) {
    if (await options.internal.handle(req, res, rawPath)) return;
  }
  const served = await options.apis?.forStage(decodeSegment(rawPath.split('/')[1] ?? ''));
  const match = (served?.matcher ?? options.matcher).match(rawPath);
  if (match === undefined || !isStage(match.stage)) {
    sendGatewayResponse(res, requestId, 'MISSING_AUTHENTICATION_TOKEN');
    return;
  }
  const body = await readBody(req, options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES);
  if (body === 'too-large') {
    sendGatewayResponse(res, requestId, 'REQUEST_TOO_LARGE');
    return;
  }
  if (body === 'aborted') return;
  // API Gateway's request validator, before the function runs (body-validation.ts).
  const model = served?.model(match.resource, req.method ?? 'GET');
  if (
    model !== undefined &&
    validatesContentType(req.headers['content-type']) &&
    !bodyMatchesModel(body, model)
  ) {
    sendGatewayResponse(res, requestId, 'BAD_REQUEST_BODY');
    return;
  }

  // Resolved once, here: the request finishes on this version even if the alias moves.
  const target = await options.resolver.resolve(match.stage);
  const event = buildProxyEvent(
    {
      method: req.method ?? 'GET',
      rawPath,
      rawQuery,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: clientAddress(req),
      port: req.socket.localPort ?? 0,
      httpVersion: req.httpVersion,
      receivedAt,
      requestId,
    },
    match,
    served === undefined ? options.api : { ...options.api, operationName: served.operationName },
  );
  const integrationTimeoutMs = options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
  const invocation = options.runner.invoke({ ...target, event });
  // The runner answers within the function timeout (a timed-out invocation ends as 'timeout'):
  // when that comes well before the integration timeout, a timer of its own would never fire.
  const outcome =
    options.runner.timeoutMs + INTEGRATION_TIMER_MARGIN_MS <= integrationTimeoutMs
      ? await invocation
      : await within(invocation, integrationTimeoutMs);
  const where = `${req.method} ${rawPath} (${match.stage} → ${target.version}, request ${requestId})`;
  let status: number;
  switch (outcome.kind) {
    case 'result': {
      const decodeBase64 = wantsBinary(req.headers.accept, options.api.binaryMediaTypes);
      const mapped = mapProxyResult(outcome.payload, { decodeBase64 });
      if (mapped.ok) {
        send(res, mapped.response);
        status = mapped.response.statusCode;
      } else if (mapped.failure === 'base64') {
        options.log(`500 for ${where}: ${mapped.reason}`);
        status = sendGatewayResponse(res, requestId, 'API_CONFIGURATION_ERROR');
      } else {
        options.log(`502 for ${where}: ${mapped.reason}`);
        status = sendGatewayResponse(res, requestId, 'INTEGRATION_FAILURE');
      }
      options.metrics?.record(
        match.stage,
        target.version,
        status,
        !mapped.ok,
        performance.now() - started,
      );
      return;
    }
    case 'error':
      options.log(`502 for ${where}: function error ${outcome.errorType}: ${outcome.errorMessage}`);
      status = sendGatewayResponse(res, requestId, 'INTEGRATION_FAILURE');
      break;
    case 'crash':
      options.log(`502 for ${where}: the function's worker crashed (${outcome.reason}); replaced`);
      status = sendGatewayResponse(res, requestId, 'INTEGRATION_FAILURE');
      break;
    case 'timeout':
      // Lambda ends a timed-out invocation with an error ("Task timed out after N seconds"),
      // which API Gateway answers like any function error: 502.
      options.log(
        `502 for ${where}: no answer within the function timeout (Task timed out); worker replaced`,
      );
      status = sendGatewayResponse(res, requestId, 'INTEGRATION_FAILURE');
      break;
    case 'integration-timeout':
      options.log(
        `504 for ${where}: no answer within the integration timeout (${integrationTimeoutMs} ms); the invocation runs on`,
      );
      status = sendGatewayResponse(res, requestId, 'INTEGRATION_TIMEOUT');
      break;
  }
  // Every other outcome is a function failure.
  options.metrics?.record(match.stage, target.version, status, true, performance.now() - started);
}

// The invocation's outcome, or `integration-timeout` when API Gateway would stop waiting first.
// The invocation itself goes on (its worker's own timeout still ends a hung one).
function within(
  invocation: Promise<InvokeOutcome>,
  timeoutMs: number,
): Promise<InvokeOutcome | { readonly kind: 'integration-timeout' }> {
  // One promise and one timer per request (no race/finally chain): this is the hot path.
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'integration-timeout' }), timeoutMs);
    void invocation.then((outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

// The whole body, or 'too-large' as soon as it passes the limit (the rest is drained and
// dropped by Node once the response is sent), or 'aborted' if the client went away.
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        chunks.length = 0;
        req.resume();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks, size)));
    req.once('error', () => resolve('aborted'));
    req.once('close', () => {
      if (!req.complete) resolve('aborted');
    });
  });
}

function send(res: ServerResponse, response: HttpResponse): void {
  res.statusCode = response.statusCode;
  for (const [name, values] of response.headers) {
    res.setHeader(name, values.length === 1 ? (values[0] ?? '') : [...values]);
  }
  res.setHeader('Content-Length', response.body.length);
  res.end(response.body);
}

function sendGatewayResponse(
  res: ServerResponse,
  requestId: string,
  type: GatewayResponseType,
): number {
  const answer = gatewayResponse(type, { requestId });
  res.writeHead(answer.statusCode, {
    ...answer.headers,
    'Content-Length': Buffer.byteLength(answer.body),
  });
  res.end(answer.body);
  return answer.statusCode;
}

function clientAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}
