// The latest `release rollout`: while it runs, its step and weight and the last tick's canary
// vs baseline numbers with the verdict (rollout.json, through `release status`), the ticks this
// page has seen, and the finished steps; when it ends, the outcome — completed, or aborted
// with the reason and the numbers, and where prod is now (history).
import type { RolloutTickRecord, RolloutWindowRecord } from '../../../state/rollout.ts';
import type { ConsoleRollout, ConsoleRolloutStep } from '../../rollout.ts';
import type { ConsoleState } from '../../state.ts';
import { h, replace, time } from '../dom.ts';
import type { Panel } from '../panel.ts';

/** How many ticks the page keeps (newest first). */
const TICKS_KEPT = 20;

const DECISIONS: Readonly<Record<string, string>> = {
  watch: 'watching',
  extend: 'step extended',
  pass: 'step passed',
  fail: 'failed',
  'continue-inconclusive': 'continued (inconclusive)',
  done: 'done',
  interrupted: 'interrupted',
  stopped: 'stopped',
};

const OUTCOME_BADGE: Readonly<Record<string, string>> = {
  succeeded: 'ok',
  aborted: 'bad',
  interrupted: 'bad',
};

const name = (version: string) => (version === '$LATEST' ? version : `v${version}`);
const pct = (rate: number) => `${Number((rate * 100).toFixed(2))}%`;
const ms = (value: number | null) => (value === null ? '—' : `${value} ms`);

function windowRow(side: 'canary' | 'baseline', w: RolloutWindowRecord): HTMLElement {
  return h(
    'tr',
    { 'data-side': side },
    h('th', { scope: 'row' }, `${side} ${name(w.version)}`),
    h('td', { class: 'requests' }, String(w.requests)),
    h('td', { class: 'errors' }, String(w.errors)),
    h('td', { class: 'error-rate' }, pct(w.error_rate)),
    h('td', { class: 'p99' }, ms(w.p99_ms)),
  );
}

function windowsTable(
  label: string,
  canary: RolloutWindowRecord,
  baseline: RolloutWindowRecord,
): HTMLElement {
  return h(
    'table',
    { class: 'numbers', 'aria-label': label },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, ''),
        h('th', { scope: 'col' }, 'requests'),
        h('th', { scope: 'col' }, 'errors'),
        h('th', { scope: 'col' }, 'error rate'),
        h('th', { scope: 'col' }, 'p99'),
      ),
    ),
    h('tbody', {}, windowRow('canary', canary), windowRow('baseline', baseline)),
  );
}

function judgement(p: number | undefined, ratio: number | null | undefined): string {
  const parts: string[] = [];
  if (p !== undefined) parts.push(`p-value ${p < 0.0001 ? p.toExponential(1) : p.toFixed(4)}`);
  if (ratio !== null && ratio !== undefined) parts.push(`p99 ratio ${ratio.toFixed(2)}`);
  return parts.join(' · ');
}

function tickView(tick: RolloutTickRecord): HTMLElement[] {
  const decision = DECISIONS[tick.decision] ?? tick.decision;
  const bad = tick.decision === 'fail';
  return [
    windowsTable('last judgement: canary vs baseline', tick.canary, tick.baseline),
    h(
      'p',
      { class: 'verdict', 'data-decision': tick.decision },
      h(
        'span',
        { class: `badge ${bad ? 'bad' : tick.decision === 'pass' ? 'ok' : 'warn'}` },
        decision,
      ),
      ` after ${Math.round(tick.elapsed_ms / 1000)} s of step ${tick.step}/${tick.steps} · `,
      judgement(tick.p_value, tick.p99_ratio),
      tick.reason !== undefined && h('span', { class: 'reason' }, ` — ${tick.reason}`),
    ),
  ];
}

function side(w: RolloutWindowRecord | undefined): string {
  return w === undefined ? '—' : `${w.requests} req · ${pct(w.error_rate)} · p99 ${ms(w.p99_ms)}`;
}

function ticksList(ticks: readonly RolloutTickRecord[]): HTMLElement | false {
  if (ticks.length === 0) return false;
  return h(
    'details',
    { class: 'ticks' },
    h('summary', {}, `Ticks seen by this page (${ticks.length})`),
    h(
      'ol',
      { class: 'rollout-list', 'aria-label': 'ticks, newest first' },
      ...ticks.map((tick) =>
        h(
          'li',
          { 'data-decision': tick.decision },
          time(tick.at),
          ` step ${tick.step}/${tick.steps} ${tick.percent}% · canary ${side(tick.canary)} · baseline ${side(tick.baseline)} · `,
          h('strong', {}, DECISIONS[tick.decision] ?? tick.decision),
        ),
      ),
    ),
  );
}

function stepsList(steps: readonly ConsoleRolloutStep[]): HTMLElement | false {
  if (steps.length === 0) return false;
  return h(
    'div',
    {},
    h('h3', {}, 'Finished steps'),
    h(
      'ol',
      { class: 'rollout-list', 'aria-label': 'finished steps' },
      ...steps.map((step) =>
        h(
          'li',
          { 'data-step': String(step.step), 'data-verdict': step.verdict },
          h('strong', {}, `step ${step.step}/${step.steps} ${step.percent}%: `),
          h(
            'span',
            {
              class: `badge ${step.verdict === 'fail' ? 'bad' : step.verdict === 'pass' || step.verdict === 'done' ? 'ok' : 'warn'}`,
            },
            DECISIONS[step.verdict] ?? step.verdict,
          ),
          step.canary !== undefined &&
            ` canary ${side(step.canary)} · baseline ${side(step.baseline)}`,
          judgement(step.p_value, step.p99_ratio) !== '' &&
            ` · ${judgement(step.p_value, step.p99_ratio)}`,
          step.reason !== undefined && h('div', { class: 'reason' }, step.reason),
        ),
      ),
    ),
  );
}

function outcomeView(rollout: ConsoleRollout): HTMLElement {
  const outcome = rollout.outcome;
  if (outcome === undefined) {
    return h('p', { class: 'rollout-outcome' }, 'Ended (its end is not in the history).');
  }
  const prod = outcome.prod;
  const onBaseline = prod === rollout.baseline;
  return h(
    'div',
    { class: 'rollout-outcome', 'data-outcome': outcome.outcome },
    h(
      'p',
      {},
      h('span', { class: `badge ${OUTCOME_BADGE[outcome.outcome] ?? 'warn'}` }, outcome.outcome),
      ' ',
      time(outcome.at),
      prod !== undefined &&
        ` · prod ${onBaseline ? 'back on the baseline, ' : 'now on '}version ${prod}`,
    ),
    outcome.reason !== undefined && h('p', { class: 'reason' }, outcome.reason),
  );
}

/** The rollout panel. */
export function rolloutPanel(): Panel {
  let root: HTMLElement;
  let seenId: string | undefined;
  let ticks: RolloutTickRecord[] = [];
  return {
    id: 'rollout',
    title: 'Rollout',
    mount(body) {
      root = h('div', { class: 'rollout' });
      body.appendChild(root);
    },
    update(state: ConsoleState) {
      const rollout = state.rollout;
      if (rollout === null || rollout === undefined) {
        root.removeAttribute('data-rollout-state');
        replace(
          root,
          h(
            'p',
            { class: 'note' },
            'No rollout yet: `stagecraft release rollout` shifts prod step by step.',
          ),
        );
        return;
      }
      if (rollout.id !== seenId) {
        seenId = rollout.id;
        ticks = [];
      }
      const tick = rollout.last_tick;
      if (tick !== undefined && ticks[0]?.at !== tick.at)
        ticks = [tick, ...ticks].slice(0, TICKS_KEPT);
      root.dataset.rolloutState = rollout.state;
      root.dataset.rollout = rollout.id;
      const ended = rollout.state === 'ended';
      replace(
        root,
        h(
          'p',
          { class: 'rollout-head' },
          !ended &&
            h(
              'span',
              { class: `badge ${rollout.state === 'running' ? 'ok' : 'bad'}` },
              rollout.state,
            ),
          !ended && ' ',
          h('strong', {}, `${name(rollout.version)} over ${name(rollout.baseline)}`),
          rollout.schedule !== '' && h('span', { class: 'muted' }, ` · ${rollout.schedule}`),
          h('span', { class: 'muted' }, ' · started '),
          time(rollout.started_at === '' ? undefined : rollout.started_at),
        ),
        ended && outcomeView(rollout),
        !ended &&
          h(
            'p',
            { class: 'rollout-where', 'data-step': String(rollout.step ?? '') },
            `step ${rollout.step ?? '?'} of ${rollout.steps ?? '?'} · `,
            h(
              'span',
              { class: 'weight', 'data-percent': String(rollout.percent ?? '') },
              `${rollout.percent ?? '?'}%`,
            ),
            ` of prod to ${name(rollout.version)}`,
            rollout.state === 'interrupted' &&
              h(
                'span',
                { class: 'reason' },
                ' — interrupted: continue with `stagecraft release rollout --resume`, end with `stagecraft release rollback`',
              ),
          ),
        !ended &&
          h(
            'div',
            { class: 'bar', 'aria-hidden': 'true', style: `--share:${rollout.percent ?? 0}%` },
            h('span', {}),
          ),
        ...(!ended && tick !== undefined
          ? tickView(tick)
          : !ended
            ? [h('p', { class: 'note' }, 'Waiting for the first judgement of this step…')]
            : []),
        stepsList(rollout.finished),
        ticksList(ticks),
      );
    },
  };
}
