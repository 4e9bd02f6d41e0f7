/**
 * Turns the route table into what API Gateway is built from: every resource path (parents
 * before children, including intermediate ones such as `/user`) and the path parameters a
 * method must declare. Pure, so the stack and the parity test read the same derivation.
 */
import type { RouteSpec } from '../service/routes.ts';

/** One API Gateway resource: its full path, its last segment and its parent's path. */
export interface ResourceSpec {
  /** Full path, e.g. `/user/{id}`. */
  readonly path: string;
  /** The last segment, API Gateway's `PathPart`, e.g. `{id}`. */
  readonly pathPart: string;
  /** The parent's full path; `/` for a top-level resource. */
  readonly parentPath: string;
}

// API Gateway path parts: a literal segment, `{name}`, or the greedy `{name+}` we do not use.
const SEGMENT = /^(?:[A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\})$/;

/**
 * Every resource the routes need, parents before children, each once.
 * @throws Error when a route's resource is not an absolute path of plain or `{param}` segments
 */
export function resourceTree(routes: readonly RouteSpec[]): ResourceSpec[] {
  const seen = new Map<string, ResourceSpec>();
  for (const route of routes) {
    const segments = splitResource(route.resource);
    let parentPath = '/';
    for (const pathPart of segments) {
      const path = parentPath === '/' ? `/${pathPart}` : `${parentPath}/${pathPart}`;
      if (!seen.has(path)) seen.set(path, { path, pathPart, parentPath });
      parentPath = path;
    }
  }
  return [...seen.values()];
}

/** The `{param}` names in a resource path, in order: `/user/{id}` → `['id']`. */
export function pathParameters(resource: string): string[] {
  return splitResource(resource)
    .filter((segment) => segment.startsWith('{'))
    .map((segment) => segment.slice(1, -1));
}

function splitResource(resource: string): string[] {
  const segments = resource.split('/').slice(1);
  if (
    !resource.startsWith('/') ||
    segments.length === 0 ||
    !segments.every((s) => SEGMENT.test(s))
  ) {
    // A greedy `{proxy+}` or a malformed path would silently widen what the API accepts.
    throw new Error(
      `route resource '${resource}' is not an absolute path of plain or {param} segments`,
    );
  }
  return segments;
}
