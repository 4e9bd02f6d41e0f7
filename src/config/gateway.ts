/**
 * What the deployed API Gateway and its function are set to, where the local stack must answer
 * the same: the stage variable, the gateway's own error bodies, the function's timeout and
 * memory size. The CDK stack (src/infra) and the local stack (src/local) both import these;
 * this module stays free of aws-cdk-lib so that `stagecraft dev` starts without loading it.
 */

/** The stage variable that names the Lambda alias a stage calls (set to the stage's name). */
export const STAGE_VARIABLE = 'stage';

/**
 * API Gateway's (REST) integration timeout in seconds, its default, which the deployed API
 * keeps: with no answer from the function by then the client gets 504 (the function's own,
 * shorter timeout firing first is a function error: 502).
 */
export const INTEGRATION_TIMEOUT_SECONDS = 29;

/** Lambda timeout in seconds: a request is a few single-item DynamoDB calls with retries. */
export const FUNCTION_TIMEOUT_SECONDS = 10;

/**
 * Lambda memory in MB. Lambda allocates CPU in proportion to memory; the seed's 128 MB gets
 * the smallest share, which stretches cold starts of the bundle.
 */
export const FUNCTION_MEMORY_MB = 256;

/** The gateway response types the API customises (API Gateway's names). */
export type CustomisedResponseType = 'DEFAULT_4XX' | 'DEFAULT_5XX' | 'MISSING_AUTHENTICATION_TOKEN';

/** A customised gateway response: status override, headers and a body template. */
export interface GatewayResponseCustomisation {
  /** Replaces API Gateway's default status code. */
  readonly statusCode?: number;
  /**
   * Response headers, name → API Gateway mapping expression: `'literal'` (quoted) or a
   * context variable without `$` (`context.requestId`).
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The `application/json` template. Gateway-response templates are not VTL, only variable
   * substitution: `$context.error.messageString` is the message already quoted as a JSON
   * string, so the body is valid JSON whatever the message.
   */
  readonly template: string;
}

/** The message of an unmapped request's answer (no resource and method match). */
export const NO_ROUTE_MESSAGE = 'no route for this method and path';

/**
 * Headers on every answer the gateway gives itself. `X-Request-Id` is API Gateway's request
 * id (as `x-amzn-RequestId`), the id the function's own answers carry: every response has one.
 * No `X-Function-Version`: no function answered, and gateway responses know no version.
 */
export const GATEWAY_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'X-Request-Id': 'context.requestId',
};

// Both fields, same text: clients of the API read `error` (the function's own error shape),
// clients that know API Gateway read `message` (its default shape).
const MESSAGE_TEMPLATE =
  '{"error":$context.error.messageString,"message":$context.error.messageString}';

/**
 * The gateway responses the deployed API customises, applied as they are by the local gateway:
 * every answer the gateway gives itself carries `error` and `message` with the same text and
 * `X-Request-Id`, and an unmapped request is a 404 like the function router's.
 */
export const GATEWAY_RESPONSES: Readonly<
  Record<CustomisedResponseType, GatewayResponseCustomisation>
> = {
  DEFAULT_4XX: { headers: GATEWAY_RESPONSE_HEADERS, template: MESSAGE_TEMPLATE },
  DEFAULT_5XX: { headers: GATEWAY_RESPONSE_HEADERS, template: MESSAGE_TEMPLATE },
  // With no authorizer on this API, "Missing Authentication Token" (403) only ever means that
  // no resource and method match; say so, with the status the function's router uses.
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: 404,
    headers: GATEWAY_RESPONSE_HEADERS,
    template: JSON.stringify({ error: NO_ROUTE_MESSAGE, message: NO_ROUTE_MESSAGE }),
  },
};
