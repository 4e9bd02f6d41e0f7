/**
 * The console's paths on the dev server, shared by the routes (routes.ts) and the page's
 * script (web/app.ts). All under INTERNAL_PREFIX, except the root.
 */
import { INTERNAL_PREFIX } from '../local/gateway/internal-routes.ts';

/** The console's paths. */
export const CONSOLE_PATHS = {
  root: '/',
  console: `${INTERNAL_PREFIX}/console`,
  api: `${INTERNAL_PREFIX}/api`,
  openapi: `${INTERNAL_PREFIX}/openapi.json`,
  state: `${INTERNAL_PREFIX}/state`,
  events: `${INTERNAL_PREFIX}/events`,
  script: `${INTERNAL_PREFIX}/assets/console.js`,
  style: `${INTERNAL_PREFIX}/assets/console.css`,
  /** Served by the gateway (the per-version counters), read by the page. */
  metrics: `${INTERNAL_PREFIX}/metrics`,
} as const;
