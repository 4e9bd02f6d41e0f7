// The handler factory: stage → route → validation → operation → reply, with one log line per
// request. Everything it touches from outside (storage, clock, log sink) is injected, so tests
// run it against any store and a frozen clock.
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Stage } from '../config/stages.ts';
import { readJsonBody } from './body.ts';
import { defaultMetricsSink, emfLine, type MetricsSink, type RequestMetrics } from './emf.ts';
import { RequestHeaders } from './headers.ts';
import { HttpError } from './http-error.ts';
import { createLogger, errorFields, type Logger, type LogLevel } from './logger.ts';
import { fingerprint } from './idempotency/fingerprint.ts';
import { parseIdempotencyKey } from './idempotency/key.ts';
import type { IdempotencyRecords } from './idempotency/records.ts';
import { runIdempotent, type IdempotencyContext } from './idempotency/run.ts';
import { idempotentDelete, idempotentPut } from './idempotency/user-writes.ts';
import { parseIfMatch, parseIfNoneMatch, planWrite } from './preconditions.ts';
import { errorReply, internalErrorReply, toProxyResult, type Reply } from './respond.ts';
import { MAX_BODY_BYTES, ROUTES, type OperationId, type RouteSpec } from './routes.ts';
import { Router } from './router.ts';
import { resolveStage } from './stage.ts';
import type { UserStore } from './store.ts';
import { printable } from './text.ts';
import { deleteUser, getUser, putUser } from './users.ts';
import { validateBody, validateUserId } from './validate.ts';

/** A Lambda handler for API Gateway REST proxy events. */
export type ProxyHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/** What {@link createHandler} needs from outside. */
export interface HandlerDependencies {
  /** The user table of a stage; called only once a request has passed validation. */
  readonly repositoryFor: (stage: Stage) => UserStore;
  /** Where a stage keeps its `Idempotency-Key` records (its own user table, see records.ts). */
  readonly idempotencyFor: (stage: Stage) => IdempotencyRecords;
  /**
   * Clock for `created_at` / `updated_at`, log timestamps and the EMF lines' timestamps.
   * @default () => new Date()
   */
  readonly now?: () => Date;
  /**
   * Where the request log goes.
   * @default createLogger() (JSON lines on stdout)
   */
  readonly logger?: Logger;
  /**
   * The route table.
   * @default ROUTES
   */
  readonly routes?: readonly RouteSpec[];
  /**
   * Where each request's CloudWatch EMF line goes (see emf.ts); null writes none.
   * @default stdout inside a Lambda runtime unless STAGECRAFT_EMF=off, else none
   */
  readonly metrics?: MetricsSink | null;
}

/** One validated request on its way to an operation. */
interface Request {
  readonly event: APIGatewayProxyEvent;
  readonly route: RouteSpec;
  readonly id: string;
  readonly headers: RequestHeaders;
  readonly stage: Stage;
  readonly store: () => UserStore;
  readonly records: () => IdempotencyRecords;
  readonly now: () => Date;
}

const OPERATIONS: Readonly<Record<OperationId, (request: Request) => Promise<Reply>>> = {
  getUser: (request) => getUser(request.store(), request.id),
  putUser: async (request) => {
    const { headers, route } = request;
    if (route.body === undefined) throw new Error(`route ${route.resource} lacks a body schema`);
    const ifMatch = parseIfMatch(headers);
    const ifNoneMatch = parseIfNoneMatch(headers);
    const key = parseIdempotencyKey(headers);
    const parsed = readJsonBody(request.event, headers, MAX_BODY_BYTES);
    const body = validateBody(route.body, parsed);
    const { name, lock_version: bodyVersion } = body;
    if (typeof name !== 'string') throw new Error('body schema lets a POST through without name');
    const version = typeof bodyVersion === 'number' ? bodyVersion : undefined;
    const plan = planWrite(ifMatch, ifNoneMatch, version);
    if (key === undefined) {
      return putUser(request.store(), request.id, name, plan, request.now().toISOString());
    }
    return runIdempotent(
      idempotencyContext(request, key, parsed),
      idempotentPut(request.store(), request.id, name, plan),
    );
  },
  deleteUser: async (request) => {
    const ifMatch = parseIfMatch(request.headers);
    const key = parseIdempotencyKey(request.headers);
    if (key === undefined) return deleteUser(request.store(), request.id, ifMatch);
    return runIdempotent(
      idempotencyContext(request, key, undefined),
      idempotentDelete(request.store(), request.id, ifMatch),
    );
  },
};

function idempotencyContext(request: Request, key: string, body: unknown): IdempotencyContext {
  const { headers, route } = request;
  return {
    records: request.records(),
    scope: {
      stage: request.stage,
      route: `${route.method} ${route.resource}`,
      userId: request.id,
      key,
    },
    fingerprint: fingerprint({
      method: route.method,
      id: request.id,
      ifMatch: headers.single('If-Match'),
      ifNoneMatch: headers.single('If-None-Match'),
      body,
    }),
    now: request.now,
  };
}

/**
 * Builds the Lambda handler. Cheap: nothing is connected or read until the first request.
 * @example
 * export const handler = createHandler({ repositoryFor: (stage) => repositories[stage] });
 */
export function createHandler(dependencies: HandlerDependencies): ProxyHandler {
  const router = new Router(dependencies.routes ?? ROUTES);
  const now = dependencies.now ?? (() => new Date());
  const logger = dependencies.logger ?? createLogger({ now });
  const metrics =
    dependencies.metrics === undefined ? defaultMetricsSink() : (dependencies.metrics ?? undefined);

  return async (event, context) => {
    const started = performance.now();
    const arrived = now().getTime();
    const requestId = requestIdOf(event, context);
    const functionVersion = headerSafe(context?.functionVersion) ?? 'unknown';
    let stage: Stage | undefined;
    let route: string | undefined;
    let reply: Reply;
    let level: LogLevel = 'info';
    let outcome: Record<string, unknown> = {};
    try {
      const resolved = resolveStage(context?.invokedFunctionArn, event?.stageVariables);
      stage = resolved; // for the log line, also when a later step throws
      if (typeof event !== 'object' || event === null || typeof event.httpMethod !== 'string') {
        throw new HttpError(400, 'malformed event: httpMethod is missing');
      }
      const match = router.match({
        method: event.httpMethod,
        resource: event.resource,
        path: event.path,
      });
      route = `${match.route.method} ${match.route.resource}`;
      reply = await OPERATIONS[match.route.operation]({
        event,
        route: match.route,
        id: validateUserId(pathParameter(event, 'id') ?? match.params.id),
        headers: RequestHeaders.fromEvent(event),
        stage: resolved,
        store: () => dependencies.repositoryFor(resolved),
        records: () => dependencies.idempotencyFor(resolved),
        now,
      });
    } catch (error) {
      if (error instanceof HttpError) {
        reply = errorReply(error);
        if (error.status >= 500) level = 'warn';
        outcome = { reason: error.message };
      } else {
        reply = internalErrorReply(requestId);
        level = 'error';
        outcome = errorFields(error);
      }
    }
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    logger.log(level, 'request', {
      request_id: requestId,
      aws_request_id: context?.awsRequestId,
      stage,
      function_version: functionVersion,
      method: typeof event?.httpMethod === 'string' ? printable(event.httpMethod) : undefined,
      route,
      status: reply.status,
      latency_ms: latencyMs,
      ...outcome,
    });
    const result = toProxyResult(reply, {
      'X-Request-Id': requestId,
      'X-Function-Version': functionVersion,
    });
    // Last, once the answer exists: a line is written exactly when the function answers. An
    // invocation that fails instead (a throw escaping here, a crash, a timeout) writes none, and
    // Lambda counts it in AWS/Lambda Errors: the rollout adds the two without counting twice
    // (src/platform/aws/metrics.ts).
    if (metrics !== undefined) {
      writeMetrics(metrics, {
        stage: metricsStage(event, stage),
        version: headerSafe(context?.functionVersion) ?? metricsVersion(),
        status: reply.status,
        latencyMs,
        at: arrived,
      });
    }
    return result;
  };
}

// A metrics line must never fail the request it describes.
function writeMetrics(sink: MetricsSink, metrics: RequestMetrics): void {
  try {
    sink(emfLine(metrics));
  } catch {
    // stdout gone: nothing useful left to do with the line
  }
}

// The `Stage` dimension: the API Gateway stage the request came through, else the stage the
// alias named (a direct invoke), else `unknown`.
function metricsStage(event: APIGatewayProxyEvent, resolved: Stage | undefined): string {
  return headerSafe(event?.requestContext?.stage) ?? resolved ?? 'unknown';
}

// `context.functionVersion` is set by every Lambda runtime; the environment is the fallback.
function metricsVersion(): string {
  return headerSafe(process.env.AWS_LAMBDA_FUNCTION_VERSION) ?? 'unknown';
}

// API Gateway's request id (also in its access log and x-amzn-RequestId) when the event has
// one; Lambda's invocation id for an event without it (a direct invoke).
function requestIdOf(event: APIGatewayProxyEvent, context: Context): string {
  const fromGateway: unknown = event?.requestContext?.requestId;
  return headerSafe(fromGateway) ?? headerSafe(context?.awsRequestId) ?? 'unknown';
}

// A value fit for a response header: printable ASCII, bounded.
function headerSafe(value: unknown): string | undefined {
  return typeof value === 'string' && /^[\x21-\x7e]{1,128}$/.test(value) ? value : undefined;
}

function pathParameter(event: APIGatewayProxyEvent, name: string): string | undefined {
  const parameters: unknown = event.pathParameters;
  if (typeof parameters !== 'object' || parameters === null) return undefined;
  const value = (parameters as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
