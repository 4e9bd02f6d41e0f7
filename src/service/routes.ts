/**
 * The route table: the single source of truth for what the user API serves. The Lambda's
 * router, the local gateway and the CDK stack all read it, so that what runs locally is what
 * is deployed.
 */

/** HTTP methods the API serves. */
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** The operations of the user API; the Lambda binds one handler to each. */
export type OperationId = 'getUser' | 'putUser' | 'deleteUser';

/** A JSON request body's fields: name → type, and whether it is required. */
export interface BodySchema {
  /** Fields the body may carry; any other field is rejected. */
  readonly fields: Readonly<
    Record<
      string,
      {
        readonly type: 'string' | 'integer';
        readonly required: boolean;
        readonly minLength?: number;
        readonly maxLength?: number;
        readonly minimum?: number;
      }
    >
  >;
}

/** One route: a method on an API Gateway resource path. */
export interface RouteSpec {
  /** HTTP method. */
  readonly method: HttpMethod;
  /** API Gateway resource path with `{param}` segments, e.g. `/user/{id}`. */
  readonly resource: string;
  /** The operation the Lambda runs for it. */
  readonly operation: OperationId;
  /** JSON body schema, for methods that take a body. */
  readonly body?: BodySchema;
}

/** Path parameter `id`: the seed's `[0-9A-Za-z]{8,64}`. */
export const USER_ID_PATTERN = /^[0-9A-Za-z]{8,64}$/;

/** The largest request body the API accepts, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The user API. */
export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', resource: '/user/{id}', operation: 'getUser' },
  {
    method: 'POST',
    resource: '/user/{id}',
    operation: 'putUser',
    body: {
      fields: {
        name: { type: 'string', required: true, minLength: 1, maxLength: 256 },
        lock_version: { type: 'integer', required: false, minimum: 1 },
      },
    },
  },
  { method: 'DELETE', resource: '/user/{id}', operation: 'deleteUser' },
];
