/**
 * The local {@link VersionMetricsSource}: reads the running `stagecraft dev`'s cumulative
 * counters over HTTP (`GET /_stagecraft/metrics`, found through the state dir's dev.lock) and
 * turns them into windows: the snapshot taken at a window's start is kept, and a window is
 * the later snapshot minus it, bucket by bucket.
 */
import { LATENCY_BUCKETS_MS } from '../../config/metrics.ts';
import { ReleaseError } from '../../errors.ts';
import { runningDevUrl } from '../../state/dev-lock.ts';
import {
  histogramQuantile,
  type MetricsSnapshot,
  type VersionCounters,
  type VersionMetricsSource,
  type WindowStats,
} from '../metrics.ts';

/** The path of the dev server's metrics (kept equal to the gateway's route by a test). */
export const METRICS_ENDPOINT = '_stagecraft/metrics';

/** Options for {@link openLocalMetricsSource}. */
export interface LocalMetricsSourceOptions {
  /** The state dir the dev server runs on. */
  readonly stateDir: string;
  /**
   * The dev server's base URL.
   * @default the `url` of `<state>/dev.lock` while its process runs
   */
  readonly devUrl?: string;
  /**
   * Timeout of one read (ms).
   * @default 5000
   */
  readonly timeoutMs?: number;
}

// Snapshots kept for window starts; a rollout asks for one window at a time.
const KEPT_SNAPSHOTS = 32;

/**
 * A source over the dev server running on `stateDir`; `rollout.metrics` when none runs.
 * Call `window` once at a window's start (`from` = now) so its snapshot is taken then.
 */
export async function openLocalMetricsSource(
  options: LocalMetricsSourceOptions,
): Promise<VersionMetricsSource> {
  const base = options.devUrl ?? (await runningDevUrl(options.stateDir));
  if (base === undefined) {
    throw new ReleaseError(
      'rollout.metrics',
      `no \`stagecraft dev\` is running on the state dir ${options.stateDir}: a local rollout ` +
        'judges the versions by the dev server’s metrics, so start `stagecraft dev` (with the ' +
        'same --state-dir) first',
    );
  }
  const url = new URL(METRICS_ENDPOINT, base.endsWith('/') ? base : `${base}/`).href;
  const snapshots: MetricsSnapshot[] = [];
  const read = async (): Promise<MetricsSnapshot> => {
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()) as MetricsSnapshot;
    } catch (error) {
      throw new ReleaseError(
        'rollout.metrics',
        `cannot read the dev server's metrics at ${url} (${(error as Error).message}); is ` +
          '`stagecraft dev` still running?',
        { cause: error },
      );
    }
  };
  return {
    settleMs: 0,
    async window(query) {
      const now = await read();
      // The first call starts the window now; a dev server restarted since the window began
      // (no kept snapshot of this run) counted from zero, so the whole count is the window's.
      const start =
        nearest(snapshots, query.from.getTime(), now) ?? (snapshots.length === 0 ? now : undefined);
      snapshots.push(now);
      if (snapshots.length > KEPT_SNAPSHOTS) snapshots.shift();
      const result: Record<string, WindowStats> = {};
      for (const version of query.versions) {
        result[version] = windowStats(
          start?.stages[query.stage]?.[version],
          now.stages[query.stage]?.[version],
          now.latency_buckets_ms,
        );
      }
      return result;
    },
  };
}

// The kept snapshot of the same dev server run taken closest to `at` (the window's start).
function nearest(
  snapshots: readonly MetricsSnapshot[],
  at: number,
  now: MetricsSnapshot,
): MetricsSnapshot | undefined {
  let best: MetricsSnapshot | undefined;
  for (const snapshot of snapshots) {
    if (snapshot.started_at !== now.started_at) continue;
    const distance = Math.abs(Date.parse(snapshot.at) - at);
    if (best === undefined || distance < Math.abs(Date.parse(best.at) - at)) best = snapshot;
  }
  return best;
}

/**
 * One version's stats between two cumulative snapshots of its counters (either may be
 * missing: no requests yet). Errors are the 5xx answers, which include every function failure
 * (the gateway answers those 502/504), so a failure is counted once.
 */
export function windowStats(
  start: VersionCounters | undefined,
  end: VersionCounters | undefined,
  boundsMs: readonly number[] = LATENCY_BUCKETS_MS,
): WindowStats {
  if (end === undefined) return { requests: 0, errors: 0, p99Ms: undefined };
  const requests = end.requests - (start?.requests ?? 0);
  const errors = end.status_5xx - (start?.status_5xx ?? 0);
  const buckets = end.latency_buckets.map((count, i) => count - (start?.latency_buckets[i] ?? 0));
  return { requests, errors, p99Ms: histogramQuantile(buckets, boundsMs, 0.99) };
}
