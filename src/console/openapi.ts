/**
 * The user API as an OpenAPI 3.1 document, generated from the route table
 * (src/service/routes.ts) and its request model (src/service/request-model.ts): the same table
 * the Lambda's router, the local gateway and the CDK stack read, so the document cannot
 * describe an API that is not served. What the table does not hold (summaries, answers and
 * headers, as docs/api.md lists them) is one entry per operation below, keyed by
 * `OperationId`, so a new operation does not compile until it is described. Pure.
 */
import { STAGES } from '../config/stages.ts';
import { bodyModel, type BodyModel } from '../service/request-model.ts';
import {
  type HttpMethod,
  MAX_BODY_BYTES,
  type OperationId,
  type RouteSpec,
  USER_ID_PATTERN,
} from '../service/routes.ts';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) as it appears in the document. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** The subset of the OpenAPI 3.1 Operation Object the generator writes. */
export interface OpenApiOperation {
  readonly operationId: OperationId;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly parameters: readonly OpenApiParameter[];
  readonly requestBody?: {
    readonly required: true;
    readonly description: string;
    readonly content: Readonly<Record<string, { readonly schema: JsonSchema }>>;
  };
  readonly responses: Readonly<Record<string, OpenApiResponse>>;
}

/** An OpenAPI Parameter Object (path or header). */
export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'header';
  readonly required: boolean;
  readonly description: string;
  readonly schema: JsonSchema;
}

/** An OpenAPI Response Object. */
export interface OpenApiResponse {
  readonly description: string;
  readonly headers?: Readonly<Record<string, { description: string; schema: JsonSchema }>>;
  readonly content?: Readonly<Record<string, { readonly schema: JsonSchema }>>;
}

/** The document (the parts the generator writes). */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly servers: readonly { readonly url: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
  };
}

/** Options for {@link openApiDocument}. */
export interface OpenApiOptions {
  /** The routes (default: the API's route table is passed by the caller). */
  readonly routes: readonly RouteSpec[];
  /** The API's version string for `info.version`. */
  readonly version: string;
  /** One server per stage: its base URL (relative URLs resolve against the document's). */
  readonly serverUrl: (stage: string) => string;
  /** A note per stage for its server's description (e.g. what the alias serves). */
  readonly serverNote?: (stage: string) => string;
}

const ERROR: JsonSchema = { $ref: '#/components/schemas/Error' };
const USER: JsonSchema = { $ref: '#/components/schemas/User' };
const CONFLICT: JsonSchema = { $ref: '#/components/schemas/VersionConflict' };
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const ETAG = {
  ETag: {
    description: 'the user\'s `lock_version` in quotes, e.g. `"3"`',
    schema: { type: 'string' },
  },
};
const RETRY_AFTER = {
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'string' } },
};

const IF_MATCH: OpenApiParameter = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'write only if the user is at this version (`"n"`), or exists at all (`*`)',
  schema: { type: 'string' },
};
const IDEMPOTENCY_KEY: OpenApiParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'a retry with the same key and request gets the first answer again',
  schema: { type: 'string' },
};

/** What the route table does not say about each operation (from docs/api.md). */
const OPERATIONS: Record<
  OperationId,
  Pick<OpenApiOperation, 'summary' | 'responses'> & { headers: readonly OpenApiParameter[] }
> = {
  getUser: {
    summary: 'Read a user',
    headers: [],
    responses: {
      '200': { description: 'the user exists', headers: ETAG, content: json(USER) },
      '400': { description: 'invalid `id`', content: json(ERROR) },
      '404': { description: 'no such user', content: json(ERROR) },
    },
  },
  putUser: {
    summary: 'Create or update a user',
    headers: [
      IF_MATCH,
      {
        name: 'If-None-Match',
        in: 'header',
        required: false,
        description: '`*`: create only; refused when the user exists',
        schema: { type: 'string' },
      },
      IDEMPOTENCY_KEY,
    ],
    responses: {
      '200': { description: 'the user was updated', headers: ETAG, content: json(USER) },
      '201': { description: 'the user was created', headers: ETAG, content: json(USER) },
      '400': { description: 'invalid id, body or precondition header', content: json(ERROR) },
      '409': {
        description:
          'body `lock_version` is not the current version, or the `Idempotency-Key` is in use',
        headers: RETRY_AFTER,
        content: json(CONFLICT),
      },
      '412': { description: '`If-Match` / `If-None-Match` failed', content: json(CONFLICT) },
      '413': { description: `body over ${MAX_BODY_BYTES / 1024} KiB`, content: json(ERROR) },
      '415': { description: 'no JSON `Content-Type`', content: json(ERROR) },
      '422': {
        description: '`Idempotency-Key` already used with a different request',
        content: json(ERROR),
      },
      '503': {
        description: 'throttled, or a write whose outcome was lost; retry',
        headers: RETRY_AFTER,
        content: json(ERROR),
      },
    },
  },
  deleteUser: {
    summary: 'Delete a user',
    headers: [IF_MATCH, IDEMPOTENCY_KEY],
    responses: {
      '204': { description: 'deleted' },
      '400': { description: 'invalid `id`, `If-Match` or `Idempotency-Key`', content: json(ERROR) },
      '404': { description: 'no such user (and no `If-Match`)', content: json(ERROR) },
      '409': {
        description: '`Idempotency-Key` in use by a request still running',
        headers: RETRY_AFTER,
        content: json(ERROR),
      },
      '412': {
        description: '`If-Match` given and the version differs, or the user is absent',
        content: json(CONFLICT),
      },
      '422': {
        description: '`Idempotency-Key` already used with a different request',
        content: json(ERROR),
      },
    },
  },
};

/**
 * The request model as an OpenAPI 3.1 schema. The model is JSON Schema draft 4 because API
 * Gateway models are; OpenAPI 3.1's Schema Object is JSON Schema 2020-12, and a draft-4
 * `$schema` inside it would switch the dialect that tools (and the 3.1 meta-schema) do not
 * support. Every keyword the model uses (type, properties, required, minLength, minimum,
 * additionalProperties, title) means the same in 2020-12, so dropping `$schema` is the whole
 * conversion.
 */
export function openApiBodySchema(model: BodyModel): JsonSchema {
  const schema: Record<string, unknown> = { ...model };
  delete schema.$schema;
  return schema;
}

/** The name of a route's body schema in `components.schemas`. */
function bodySchemaName(route: RouteSpec): string {
  return `${route.operation[0]?.toUpperCase() ?? ''}${route.operation.slice(1)}Body`;
}

// `/user/{id}` → its path parameters (all `id`s follow the seed's pattern).
function pathParameters(resource: string): OpenApiParameter[] {
  return [...resource.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name: name ?? '',
    in: 'path',
    required: true,
    description: 'the user id: 8–64 letters and digits',
    schema: { type: 'string', pattern: USER_ID_PATTERN.source },
  }));
}

/** Generates the document; see the module comment. */
export function openApiDocument(options: OpenApiOptions): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, JsonSchema> = {
    User: {
      type: 'object',
      properties: {
        id: { type: 'string', pattern: USER_ID_PATTERN.source },
        name: { type: 'string' },
        lock_version: { type: 'integer', minimum: 1 },
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: 'string', format: 'date-time' },
      },
      required: ['id', 'name', 'lock_version', 'created_at', 'updated_at'],
    },
    Error: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] },
    VersionConflict: {
      type: 'object',
      properties: {
        error: { type: 'string' },
        current_version: { type: ['integer', 'null'] },
      },
      required: ['error'],
    },
  };
  for (const route of options.routes) {
    const described = OPERATIONS[route.operation];
    const operation: OpenApiOperation = {
      operationId: route.operation,
      summary: described.summary,
      tags: ['users'],
      parameters: [...pathParameters(route.resource), ...described.headers],
      ...(route.body !== undefined && {
        requestBody: {
          required: true,
          description: 'unknown fields are refused; `name` is trimmed',
          content: json({ $ref: `#/components/schemas/${bodySchemaName(route)}` }),
        },
      }),
      responses: described.responses,
    };
    if (route.body !== undefined) {
      schemas[bodySchemaName(route)] = openApiBodySchema(
        bodyModel(route.body, bodySchemaName(route)),
      );
    }
    paths[route.resource] = { ...paths[route.resource], [methodKey(route.method)]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'stagecraft user API',
      version: options.version,
      description: 'The user API each stage serves, generated from the route table.',
    },
    servers: STAGES.map((stage) => ({
      url: options.serverUrl(stage),
      description: options.serverNote?.(stage) ?? stage,
    })),
    paths,
    components: { schemas },
  };
}

function methodKey(method: HttpMethod): string {
  return method.toLowerCase();
}
