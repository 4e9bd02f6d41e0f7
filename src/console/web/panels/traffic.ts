// Per version, live: requests per second, error rate, p50 and p99 latency over the last
// minutes. The page polls the dev server's cumulative counters (`GET /_stagecraft/metrics`)
// and turns each pair of successive snapshots into one point (../../metrics-math.ts).
import { STAGES } from '../../../config/stages.ts';
import type { MetricsSnapshot } from '../../../platform/metrics.ts';
import { snapshotRates, type VersionRates } from '../../metrics-math.ts';
import type { ConsoleState } from '../../state.ts';
import { h, replace } from '../dom.ts';
import type { Panel } from '../panel.ts';
import { type Point, sparkline } from '../sparkline.ts';

/** Options for {@link trafficPanel}. */
export interface TrafficOptions {
  /** The metrics endpoint. */
  readonly url: string;
  /** How often it is polled (ms). */
  readonly intervalMs: number;
  /** How far back the charts go (ms). */
  readonly windowMs: number;
}

interface Sample {
  readonly t: number;
  readonly rates: Record<string, Record<string, VersionRates>>;
}

const fmt = {
  rps: (v: number | undefined) => (v === undefined ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(0)),
  rate: (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`),
  ms: (v: number | undefined) =>
    v === undefined ? '—' : v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`,
};

const SERIES = [
  { key: 'rps', label: 'req/s', format: fmt.rps, floor: 1 },
  { key: 'errorRate', label: 'errors', format: fmt.rate, floor: 0.05 },
  { key: 'p50Ms', label: 'p50', format: fmt.ms, floor: 5 },
  { key: 'p99Ms', label: 'p99', format: fmt.ms, floor: 5 },
] as const;

/** The traffic panel; it starts polling when mounted. */
export function trafficPanel(options: TrafficOptions): Panel {
  let root: HTMLElement;
  let note: HTMLElement;
  let state: ConsoleState | undefined;
  let snapshots: MetricsSnapshot[] = [];
  let samples: Sample[] = [];
  let unavailable: string | undefined;

  const served = (stage: string): Map<string, number> => {
    const alias = state?.status?.aliases[stage as (typeof STAGES)[number]];
    const shares = new Map<string, number>();
    if (alias === undefined) return shares;
    const weights = Object.entries(alias.weights ?? {});
    shares.set(alias.version, 1 - weights.reduce((sum, [, w]) => sum + w, 0));
    for (const [version, weight] of weights) shares.set(version, weight);
    return shares;
  };

  const render = () => {
    if (unavailable !== undefined) {
      replace(note, unavailable);
      replace(root);
      return;
    }
    const last = snapshots.at(-1);
    const now = last === undefined ? Date.now() : Date.parse(last.at);
    const from = now - options.windowMs;
    replace(
      note,
      `Per version, over the last ${Math.round(options.windowMs / 60_000)} minutes; ` +
        `a point every ${options.intervalMs / 1000} s.`,
    );
    const cards: HTMLElement[] = [];
    for (const stage of STAGES) {
      const shares = served(stage);
      const versions = [...new Set([...shares.keys(), ...Object.keys(last?.stages[stage] ?? {})])];
      for (const version of versions) {
        const latest = samples.at(-1)?.rates[stage]?.[version];
        const total = last?.stages[stage]?.[version]?.requests ?? 0;
        const share = shares.get(version);
        const name = version === '$LATEST' ? version : `v${version}`;
        cards.push(
          h(
            'article',
            {
              class: 'traffic',
              'data-traffic': `${stage}/${version}`,
              'aria-label': `traffic ${stage} ${name}`,
            },
            h(
              'h3',
              {},
              `${stage} · ${name}`,
              h(
                'span',
                { class: 'muted' },
                share === undefined
                  ? ' not served'
                  : share < 1
                    ? ` ${Math.round(share * 1000) / 10}%`
                    : '',
              ),
            ),
            h(
              'p',
              { class: 'muted' },
              h('span', { class: 'total' }, String(total)),
              ' requests since start',
            ),
            h(
              'div',
              { class: 'series' },
              ...SERIES.map((series) => {
                const points: Point[] = samples.map((sample) => ({
                  t: sample.t,
                  v:
                    sample.rates[stage]?.[version]?.[series.key] ??
                    (series.key === 'rps' ? 0 : undefined),
                }));
                return h(
                  'div',
                  { class: 'metric', 'data-metric': series.key },
                  h('span', { class: 'label' }, series.label),
                  h('span', { class: 'value' }, series.format(latest?.[series.key])),
                  sparkline(points, {
                    from,
                    to: now,
                    floor: series.floor,
                    label: `${series.label} of ${stage} ${name} over time`,
                  }),
                );
              }),
            ),
          ),
        );
      }
    }
    replace(root, ...cards);
  };

  const poll = async () => {
    try {
      const answer = await fetch(options.url, { headers: { accept: 'application/json' } });
      if (!answer.ok) {
        unavailable =
          answer.status === 404
            ? 'This dev server does not count traffic yet (no GET /_stagecraft/metrics).'
            : `The metrics answered ${answer.status}.`;
        render();
        return;
      }
      unavailable = undefined;
      const snapshot = (await answer.json()) as MetricsSnapshot;
      const previous = snapshots.at(-1);
      if (previous !== undefined) {
        samples.push({ t: Date.parse(snapshot.at), rates: snapshotRates(previous, snapshot) });
      }
      snapshots.push(snapshot);
      const cut = Date.parse(snapshot.at) - options.windowMs;
      snapshots = snapshots.filter((s) => Date.parse(s.at) >= cut).slice(-2);
      samples = samples.filter((s) => s.t >= cut);
      render();
    } catch {
      // The dev server is restarting: the event stream shows it; keep the charts.
    }
  };

  return {
    id: 'traffic',
    title: 'Traffic',
    mount(body) {
      note = h('p', { class: 'note' });
      root = h('div', { class: 'traffic-grid' });
      body.append(note, root);
      void poll();
      setInterval(() => void poll(), options.intervalMs);
    },
    update(next) {
      state = next;
      render();
    },
  };
}
