// Routes requests to the operations of ROUTES. API Gateway already tells which resource it
// matched (`event.resource`); the path is matched only when the event names no known resource
// (a `{proxy+}` catch-all, or an event built by hand), so both cases give the same answer.
import { HttpError } from './http-error.ts';
import type { RouteSpec } from './routes.ts';
import { printable } from './text.ts';

/** A route chosen for a request, with its path parameters. */
export interface RouteMatch {
  /** The matched route. */
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

interface CompiledResource {
  readonly resource: string;
  // A literal segment, or the name of a `{param}` segment.
  readonly segments: readonly ({ literal: string } | { param: string })[];
  readonly routes: ReadonlyMap<string, RouteSpec>;
}

/**
 * Matches method + resource against a route table: 404 for an unknown resource, 405 with
 * `Allow` for a method the resource does not serve.
 */
export class Router {
  private readonly resources: readonly CompiledResource[];

  constructor(routes: readonly RouteSpec[]) {
    const byResource = new Map<string, Map<string, RouteSpec>>();
    for (const route of routes) {
      const methods = byResource.get(route.resource) ?? new Map<string, RouteSpec>();
      methods.set(route.method, route);
      byResource.set(route.resource, methods);
    }
    this.resources = [...byResource].map(([resource, methods]) => ({
      resource,
      segments: splitPath(resource).map((segment) => {
        const param = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(segment)?.[1];
        return param === undefined ? { literal: segment } : { param };
      }),
      routes: methods,
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
  ): { resource: CompiledResource; params: Record<string, string> } | undefined {
    const byName = this.resources.find((candidate) => candidate.resource === target.resource);
    if (byName !== undefined) {
      return { resource: byName, params: matchSegments(byName, target.path) ?? {} };
    }
    if (typeof target.path !== 'string') return undefined;
    for (const resource of this.resources) {
      const params = matchSegments(resource, target.path);
      if (params !== undefined) return { resource, params };
    }
    return undefined;
  }
}

function matchSegments(
  resource: CompiledResource,
  path: string | null | undefined,
): Record<string, string> | undefined {
  if (typeof path !== 'string') return undefined;
  const segments = splitPath(path);
  // One trailing slash names the same resource (`/user/abc12345/`).
  if (segments.length === resource.segments.length + 1 && segments.at(-1) === '') segments.pop();
  if (segments.length !== resource.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, spec] of resource.segments.entries()) {
    const segment = segments[index] ?? '';
    if ('literal' in spec) {
      if (segment !== spec.literal) return undefined;
    } else {
      if (segment === '') return undefined;
      params[spec.param] = decodeSegment(segment);
    }
  }
  return params;
}

function splitPath(path: string): string[] {
  return (path.startsWith('/') ? path.slice(1) : path).split('/');
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
