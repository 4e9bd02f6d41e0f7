/**
 * The dev server's own pages and endpoints (metrics, the release console), served next to the
 * stages by the same HTTP server. They live under {@link INTERNAL_PREFIX}, a first path segment
 * that is never a stage (the stages are fixed in config/stages.ts, and a test keeps this name
 * out of them), and at the root `/`, which is no stage's path. Everything else is the API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The path prefix of the dev server's own routes. */
export const INTERNAL_PREFIX = '/_stagecraft';

/** Answers one request to an internal route. */
export type InternalHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => void | Promise<void>;

/** One internal route: an exact method and path (no parameters: the query string carries them). */
export interface InternalRoute {
  readonly method: 'GET' | 'POST';
  /** `/` or a path under {@link INTERNAL_PREFIX}, e.g. `/_stagecraft/metrics`. */
  readonly path: string;
  readonly handler: InternalHandler;
}

/** True when a raw request path belongs to the dev server rather than to a stage. */
export function isInternalPath(rawPath: string): boolean {
  return (
    rawPath === '/' || rawPath === INTERNAL_PREFIX || rawPath.startsWith(`${INTERNAL_PREFIX}/`)
  );
}

/** The table of internal routes; features register theirs when the stack starts. */
export class InternalRoutes {
  private readonly routes = new Map<string, InternalHandler>();

  /** Adds a route; a second route on the same method and path is a programming error. */
  add(route: InternalRoute): this {
    if (route.path !== '/' && !route.path.startsWith(`${INTERNAL_PREFIX}/`)) {
      throw new Error(`internal route ${route.path} is outside ${INTERNAL_PREFIX}/`);
    }
    const key = `${route.method} ${route.path}`;
    if (this.routes.has(key)) throw new Error(`internal route ${key} is registered twice`);
    this.routes.set(key, route.handler);
    return this;
  }

  /**
   * Answers the request when a route matches; false (nothing sent) when none does, so the
   * gateway answers as API Gateway does for an unmapped path.
   */
  async handle(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<boolean> {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const handler = this.routes.get(`${method} ${rawPath}`);
    if (handler === undefined) return false;
    await handler(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'));
    return true;
  }
}
