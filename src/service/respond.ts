// The edge: operations return a Reply (status, JSON body, headers); errors are turned into
// replies here and nowhere else; every result gets the headers every response carries.
import type { APIGatewayProxyResult } from 'aws-lambda';
import { HttpError } from './http-error.ts';

/** What an operation answers, before the common headers are added. */
export interface Reply {
  /** HTTP status. */
  readonly status: number;
  /** JSON body; absent for 204. */
  readonly body?: unknown;
  /** The JSON body already serialised (a replayed answer, sent byte for byte); wins over body. */
  readonly rawBody?: string;
  /** Headers specific to this reply (ETag, Allow, …). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The Content-Type of every JSON body. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** The reply for a deliberate error: `{"error": message, ...details}`. */
export function errorReply(error: HttpError): Reply {
  return {
    status: error.status,
    body: { error: error.message, ...error.details },
    headers: error.headers,
  };
}

/** The reply for anything unexpected; the details stay in the log. */
export function internalErrorReply(requestId: string): Reply {
  return { status: 500, body: { error: 'internal error', request_id: requestId } };
}

/**
 * Turns a reply into API Gateway's proxy result.
 * @param common headers every response carries (X-Request-Id, X-Function-Version)
 */
export function toProxyResult(
  reply: Reply,
  common: Readonly<Record<string, string>>,
): APIGatewayProxyResult {
  const headers: Record<string, string> = { ...reply.headers, ...common };
  const body = reply.rawBody ?? (reply.body === undefined ? undefined : JSON.stringify(reply.body));
  if (body === undefined) return { statusCode: reply.status, headers, body: '' };
  headers['Content-Type'] = JSON_CONTENT_TYPE;
  return { statusCode: reply.status, headers, body };
}
