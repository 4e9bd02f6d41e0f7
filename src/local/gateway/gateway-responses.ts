/**
 * The answers API Gateway gives itself, without (or instead of) the function's: no route,
 * request too large, integration timeout, function failure. Each has API Gateway's default
 * status and message; the deployed API customises some of them (src/infra/api.ts
 * GATEWAY_RESPONSES), and the local gateway applies the same customisation, so a client sees
 * the same thing locally and on AWS (tests/local/gateway-parity.test.ts keeps them equal).
 */
/** The gateway response types the local gateway can produce (API Gateway's names). */
export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'INTEGRATION_TIMEOUT'
  | 'INTEGRATION_FAILURE';

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
  REQUEST_TOO_LARGE: {
    statusCode: 413,
    message: 'Request Too Long',
    errorType: 'RequestTooLongException',
  },
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
};

/** A customised gateway response: status override and a body template. */
export interface GatewayResponseCustomisation {
  /** Replaces the default status code. */
  readonly statusCode?: number;
  /**
   * The `application/json` template; `$context.error.messageString` is the message quoted as
   * a JSON string, `$context.error.message` the bare message.
   */
  readonly template: string;
}

/** API Gateway's own body when nothing is customised. */
export const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/**
 * The customisations the deployed API applies (mirrors src/infra/api.ts GATEWAY_RESPONSES):
 * errors in the function's `{"error": …}` shape, and an unmapped request answered 404 like the
 * function's own router.
 */
export const DEPLOYED_GATEWAY_RESPONSES: Readonly<
  Partial<Record<GatewayResponseType | 'DEFAULT_4XX' | 'DEFAULT_5XX', GatewayResponseCustomisation>>
> = {
  DEFAULT_4XX: { template: '{"error":$context.error.messageString}' },
  DEFAULT_5XX: { template: '{"error":$context.error.messageString}' },
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: 404,
    template: '{"error":"no route for this method and path"}',
  },
};

/** A gateway response ready to send. */
export interface GatewayAnswer {
  /** Status code. */
  readonly statusCode: number;
  /** Headers (`Content-Type`, `x-amzn-ErrorType`). */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON body. */
  readonly body: string;
}

/** The response API Gateway sends for `type`, with the given customisations applied. */
export function gatewayResponse(
  type: GatewayResponseType,
  customisations: typeof DEPLOYED_GATEWAY_RESPONSES = DEPLOYED_GATEWAY_RESPONSES,
): GatewayAnswer {
  const fallback = GATEWAY_DEFAULTS[type];
  const family = fallback.statusCode < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX';
  const custom = customisations[type] ?? customisations[family];
  const template = custom?.template ?? DEFAULT_TEMPLATE;
  const body = template
    .replaceAll('$context.error.messageString', JSON.stringify(fallback.message))
    .replaceAll('$context.error.message', fallback.message);
  return {
    statusCode: custom?.statusCode ?? fallback.statusCode,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': fallback.errorType },
    body,
  };
}
