// A fake VersionMetricsSource for rollout tests: it answers what a given request rate would have
// produced in the window at prod's current weights (read from the local function store), so the
// traffic each version gets follows the rollout as it moves the alias.
import type { AliasRouting } from '../../../src/platform/alias.ts';
import type { VersionMetricsSource, WindowStats } from '../../../src/platform/metrics.ts';
import type { LocalFunctionStore } from '../../../src/state/function-store.ts';

export interface TrafficBehaviour {
  /** Requests per second reaching prod. */
  readonly rps: number;
  /** Error rate per version (0 when absent). */
  readonly errorRate: Readonly<Record<string, number>>;
  /** p99 latency per version in ms (20 when absent). */
  readonly p99Ms?: Readonly<Record<string, number>>;
}

/** Traffic per `behaviour`, split between versions by prod's current weights. */
export function syntheticMetrics(
  store: LocalFunctionStore,
  behaviour: TrafficBehaviour,
): VersionMetricsSource {
  return {
    settleMs: 0,
    async window({ versions, from, to }) {
      const prod = (await store.readAliases())?.prod as AliasRouting;
      const seconds = (to.getTime() - from.getTime()) / 1000;
      const out: Record<string, WindowStats> = {};
      for (const version of versions) {
        const share =
          version === prod.version
            ? 1 - Object.values(prod.weights ?? {}).reduce((a, b) => a + b, 0)
            : (prod.weights?.[version] ?? 0);
        const requests = Math.floor(behaviour.rps * share * seconds);
        out[version] = {
          requests,
          errors: Math.floor(requests * (behaviour.errorRate[version] ?? 0)),
          p99Ms: requests > 0 ? (behaviour.p99Ms?.[version] ?? 20) : undefined,
        };
      }
      return out;
    },
  };
}

/** Healthy traffic (50 rps, no errors, p99 20 ms) at prod's current weights. */
export function healthyMetrics(store: LocalFunctionStore): VersionMetricsSource {
  return syntheticMetrics(store, { rps: 50, errorRate: {} });
}
