/**
 * The answers API Gateway gives itself, without (or instead of) the function's: no route,
 * request too large, integration timeout, function failure. Each has API Gateway's default
 * status and message; the deployed API customises some of them, and the local gateway applies
 * the same customisation (GATEWAY_RESPONSES in src/config/gateway.ts, which the CDK stack
 * deploys), so a client sees the same thing locally and on AWS.
 */
import { GATEWAY_RESPONSES } from '../../config/gateway.ts';
import type { CustomisedResponseType, GatewayResponseCustomisation } from '../../config/gateway.ts';

/** The gateway response types the local gateway can produce (API Gateway's names). */
export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'BAD_REQUEST_BODY'
  | 'REQUEST_TOO_LARGE'
  | 'INTEGRATION_TIMEOUT'
  | 'INTEGRATION_FAILURE'
  | 'API_CONFIGURATION_ERROR';

interface Default {
  readonly statusCode: number;
  readonly message: string;
  readonly errorType: string;
}

/** API Gateway's built-in status and message for each type. */
export const GATEWAY_DEFAULTS: Readonly<Record<GatewayResponseType, Default>> = {
  // Unmapped stage, resource or method: API Gateway cannot tell "no such thing" from "not
  // signed", so it asks for a signature.
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  // The request validator refused the body (validateRequestBody against the method's model).
  // Status, message and type as API Gateway documents them for BAD_REQUEST_BODY ("Gateway
  // response types for API Gateway": 400; the message "Invalid request body").
  BAD_REQUEST_BODY: {
    statusCode: 400,
    message: 'Invalid request body',
    errorType: 'BadRequestException',
  },
  REQUEST_TOO_LARGE: {
    statusCode: 413,
    message: 'Request Too Long',
    errorType: 'RequestTooLongException',
  },
  // The gateway's own integration timeout (29 s by default) passed without an answer; the
  // function's timeout firing first is a function error instead (INTEGRATION_FAILURE, 502).
  INTEGRATION_TIMEOUT: {
    statusCode: 504,
    message: 'Endpoint request timed out',
    errorType: 'IntegrationTimeoutException',
  },
  // A Lambda proxy integration whose function failed (threw, crashed, malformed result).
  INTEGRATION_FAILURE: {
    statusCode: 502,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
  // A response API Gateway cannot convert as configured: a body marked `isBase64Encoded` that is
  // not base64, where the binary media types have it decode the body ("Execution failed due to
  // configuration error"); 500, the message of every 5XX.
  API_CONFIGURATION_ERROR: {
    statusCode: 500,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
};

/** API Gateway's own body when nothing is customised. */
export const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/** A gateway response ready to send. */
export interface GatewayAnswer {
  /** Status code. */
  readonly statusCode: number;
  /** Headers (`Content-Type`, `x-amzn-ErrorType`, the customisation's own). */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body. */
  readonly body: string;
}

/** What a gateway response's header mappings can refer to (the `context` variables used). */
export interface GatewayResponseContext {
  /** API Gateway's request id (`context.requestId`, also sent as `x-amzn-RequestId`). */
  readonly requestId: string;
}

/**
 * The response API Gateway sends for `type` to the request described by `context`, with the
 * given customisations applied.
 */
export function gatewayResponse(
  type: GatewayResponseType,
  context: GatewayResponseContext,
  customisations: Readonly<
    Partial<Record<GatewayResponseType | CustomisedResponseType, GatewayResponseCustomisation>>
  > = GATEWAY_RESPONSES,
): GatewayAnswer {
  const fallback = GATEWAY_DEFAULTS[type];
  const family = fallback.statusCode < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX';
  const custom = customisations[type] ?? customisations[family];
  const template = custom?.template ?? DEFAULT_TEMPLATE;
  const body = template
    .replaceAll('$context.error.messageString', JSON.stringify(fallback.message))
    .replaceAll('$context.error.message', fallback.message);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-ErrorType': fallback.errorType,
  };
  for (const [name, expression] of Object.entries(custom?.headers ?? {})) {
    headers[name] = resolveMapping(expression, context);
  }
  return { statusCode: custom?.statusCode ?? fallback.statusCode, headers, body };
}

// The mapping expressions the customisations use. Anything else is a configuration the local
// gateway would silently answer differently from AWS, so it fails loudly instead.
function resolveMapping(expression: string, context: GatewayResponseContext): string {
  const literal = /^'(.*)'$/s.exec(expression);
  if (literal !== null) return literal[1] ?? '';
  if (expression === 'context.requestId') return context.requestId;
  throw new Error(`the local gateway cannot resolve the header mapping ${expression}`);
}
