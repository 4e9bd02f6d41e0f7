// Routes requests to the operations of ROUTES. API Gateway already tells which resource it
// matched (`event.resource`); the path is matched only when the event names no known resource
// (a `{proxy+}` catch-all, or an event built by hand), so both cases give the same answer.
import { HttpError } from './http-error.ts';
import { bestMatch, RoutePattern, type PatternEntry } from './route-pattern.ts';
import type { RouteSpec } from './routes.ts';
import { printable } from './text.ts';

/** A route chosen for a request, with its path parameters. */
export interface RouteMatch {
  readonly route: RouteSpec;
  /** Path parameters taken from the path, when the event did not carry them. */
  readonly params: Readonly<Record<string, string>>;
}

/** What the router needs from a request. */
export interface RouteTarget {
  /** HTTP method as API Gateway passes it (upper case). */
  readonly method: string;
  /** API Gateway's matched resource, e.g. `/user/{id}`; absent or unknown falls back to `path`. */
  readonly resource?: string | null | undefined;
  /** The request path without the stage, e.g. `/user/abc12345`. */
  readonly path?: string | null | undefined;
}

interface ResourceRoutes {
  readonly resource: string;
  readonly routes: ReadonlyMap<string, RouteSpec>;
}

/**
 * Matches method + resource against a route table: 404 for an unknown resource, 405 with
 * `Allow` for a method the resource does not serve.
 */
export class Router {
  private readonly resources: readonly PatternEntry<ResourceRoutes>[];

  constructor(routes: readonly RouteSpec[]) {
    const byResource = new Map<string, Map<string, RouteSpec>>();
    for (const route of routes) {
      const methods = byResource.get(route.resource) ?? new Map<string, RouteSpec>();
      methods.set(route.method, route);
      byResource.set(route.resource, methods);
    }
    this.resources = [...byResource].map(([resource, routes]) => ({
      pattern: new RoutePattern(resource),
      value: { resource, routes },
    }));
  }

  /**
   * The route for a request.
   * @throws HttpError 404 (no such resource) or 405 (resource known, method not served)
   */
  match(target: RouteTarget): RouteMatch {
    const found = this.findResource(target);
    if (found === undefined) {
      throw new HttpError(404, `no route for ${describe(target)}`);
    }
    const route = found.resource.routes.get(target.method);
    if (route === undefined) {
      const allow = [...found.resource.routes.keys()].sort().join(', ');
      throw new HttpError(
        405,
        `method ${printable(target.method)} is not allowed on ${found.resource.resource}; allowed: ${allow}`,
        { headers: { Allow: allow } },
      );
    }
    return { route, params: found.params };
  }

  private findResource(
    target: RouteTarget,
  ): { resource: ResourceRoutes; params: Record<string, string> } | undefined {
    const byName = this.resources.find((entry) => entry.value.resource === target.resource);
    if (byName !== undefined) {
      const params =
        typeof target.path === 'string' ? byName.pattern.match(segmentsOf(target.path)) : undefined;
      return { resource: byName.value, params: decodeParams(params ?? {}) };
    }
    if (typeof target.path !== 'string') return undefined;
    const found = bestMatch(this.resources, segmentsOf(target.path));
    if (found === undefined) return undefined;
    return { resource: found.entry.value, params: decodeParams(found.params) };
  }
}

// The path's segments; one trailing slash names the same resource (`/user/abc12345/`).
function segmentsOf(path: string): string[] {
  const segments = (path.startsWith('/') ? path.slice(1) : path).split('/');
  if (segments.length > 1 && segments.at(-1) === '') segments.pop();
  return segments;
}

function decodeParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, decodeSegment(value)]),
  );
}

// A malformed escape stays as it is: the value then fails its own validation with a 400.
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function describe(target: RouteTarget): string {
  const path = typeof target.path === 'string' ? target.path : (target.resource ?? '');
  return `${printable(target.method)} ${printable(path)}`;
}
