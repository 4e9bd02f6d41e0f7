/**
 * `GET /_stagecraft/metrics`: the gateway's per-version counters, as JSON
 * ({@link MetricsSnapshot}) by default, or as Prometheus text (exposition format 0.0.4) when the
 * client asks for `text/plain` and not for JSON — what Prometheus's scraper sends.
 */
import { INTERNAL_PREFIX, type InternalRoutes } from './internal-routes.ts';
import { type GatewayMetrics, PROMETHEUS_CONTENT_TYPE, toPrometheus } from './metrics.ts';

/** The metrics endpoint's path. */
export const METRICS_PATH = `${INTERNAL_PREFIX}/metrics`;

/** Registers `GET /_stagecraft/metrics` for `metrics`. */
export function registerMetricsRoute(routes: InternalRoutes, metrics: GatewayMetrics): void {
  routes.add({
    method: 'GET',
    path: METRICS_PATH,
    handler(req, res) {
      const snapshot = metrics.snapshot();
      const accept = req.headers.accept ?? '';
      const prometheus = accept.includes('text/plain') && !accept.includes('application/json');
      const body = prometheus ? toPrometheus(snapshot) : `${JSON.stringify(snapshot)}\n`;
      res.writeHead(200, {
        'Content-Type': prometheus ? PROMETHEUS_CONTENT_TYPE : 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  });
}
