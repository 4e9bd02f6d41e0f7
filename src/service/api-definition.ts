/**
 * The API definition: what an API Gateway deployment snapshots — the routes (method, resource,
 * operation), each route's request model, the customised gateway responses and the API-level
 * settings (binary media types) — in one canonical form, and its id: a hash of that form.
 * Equal definitions have equal ids, so a definition that did not change records no new
 * deployment. Stage settings (throttling, access logs, stage variables) are not part of it:
 * API Gateway keeps those on the stage, not in the deployment.
 *
 * Pure (route table, request model, gateway config): the local gateway reads it, the CDK stack
 * can, and release/ only ever sees ids and descriptions through platform/. It is not imported
 * by the Lambda's handler, so the bundle does not grow.
 */
import { createHash } from 'node:crypto';
import {
  GATEWAY_RESPONSES,
  type CustomisedResponseType,
  type GatewayResponseCustomisation,
} from '../config/gateway.ts';
import { bodyModel, type BodyModel } from './request-model.ts';
import { ROUTES, type HttpMethod, type OperationId, type RouteSpec } from './routes.ts';

/** The version of the canonical form (a new field bumps it, so ids never collide by accident). */
export const API_DEFINITION_FORMAT = 1;

/** One route of a definition. */
export interface ApiRoute {
  readonly method: HttpMethod;
  readonly resource: string;
  readonly operation: OperationId;
  /** The `application/json` request model, for routes with a body. */
  readonly model?: BodyModel;
}

/** The canonical API definition (its JSON is what the id hashes). */
export interface ApiDefinition {
  readonly format: typeof API_DEFINITION_FORMAT;
  /** Sorted by resource, then method. */
  readonly routes: readonly ApiRoute[];
  readonly gateway_responses: Readonly<
    Partial<Record<CustomisedResponseType, GatewayResponseCustomisation>>
  >;
  readonly binary_media_types: readonly string[];
}

/** The definition of a route table (by default, the project's). */
export function apiDefinition(
  routes: readonly RouteSpec[] = ROUTES,
  options: {
    readonly gatewayResponses?: Readonly<
      Record<CustomisedResponseType, GatewayResponseCustomisation>
    >;
    readonly binaryMediaTypes?: readonly string[];
  } = {},
): ApiDefinition {
  const sorted = [...routes].sort(
    (a, b) => compare(a.resource, b.resource) || compare(a.method, b.method),
  );
  return {
    format: API_DEFINITION_FORMAT,
    routes: sorted.map((route) => ({
      method: route.method,
      resource: route.resource,
      operation: route.operation,
      ...(route.body !== undefined && {
        // The CDK model's name (src/infra/api.ts): the title is part of what is deployed.
        model: bodyModel(route.body, `${pascal(route.operation)}Body`),
      }),
    })),
    gateway_responses: options.gatewayResponses ?? GATEWAY_RESPONSES,
    binary_media_types: [...(options.binaryMediaTypes ?? [])].sort(compare),
  };
}

/** The canonical JSON of a value: object keys sorted at every depth, no whitespace. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The definition's id: the first 16 hex digits of the SHA-256 of its canonical JSON. */
export function apiDefinitionId(definition: ApiDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex').slice(0, 16);
}

/**
 * Reads a definition back from a stored snapshot; undefined when it is not one (another
 * format, a hand edit). Checks the shape the local gateway relies on, not every field.
 */
export function parseApiDefinition(value: unknown): ApiDefinition | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<ApiDefinition>;
  if (candidate.format !== API_DEFINITION_FORMAT || !Array.isArray(candidate.routes)) {
    return undefined;
  }
  const routesOk = candidate.routes.every(
    (route: Partial<ApiRoute>) =>
      typeof route.method === 'string' &&
      typeof route.resource === 'string' &&
      typeof route.operation === 'string' &&
      (route.model === undefined || (typeof route.model === 'object' && route.model !== null)),
  );
  if (!routesOk || typeof candidate.gateway_responses !== 'object') return undefined;
  if (!Array.isArray(candidate.binary_media_types)) return undefined;
  return candidate as ApiDefinition;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort(compare)
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
