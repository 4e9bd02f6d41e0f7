// The release history, newest first: who did what when, from → to, forced and void runs. An
// API move (`subject: 'api'`) says so and shortens its deployment ids; a rollout event reads
// as `release history` words it (start, each step's verdict with its numbers, the outcome); an
// alias move made by a rollout names its step.
import { describeRolloutEvent } from '../../../release/rollout/history-text.ts';
import type { HistoryEntry } from '../../../state/history.ts';
import type { ConsoleState } from '../../state.ts';
import { h, replace, shortSha, time } from '../dom.ts';
import type { Panel } from '../panel.ts';

const OUTCOME_BADGE: Readonly<Record<string, string>> = {
  succeeded: 'ok',
  aborted: 'bad',
  interrupted: 'bad',
};

// One end of a move: an API deployment id is shortened (the full id as a tooltip).
function end(value: string | undefined, api: boolean): Node | string {
  if (value === undefined) return '∅';
  return api ? h('code', { title: value }, shortSha(value)) : value;
}

function entryRow(entry: HistoryEntry): HTMLElement {
  const action = typeof entry.action === 'string' ? entry.action : entry.command;
  const api = entry.subject === 'api';
  const rolloutEvent = entry.action === 'rollout' && typeof entry.event === 'string';
  const move =
    !rolloutEvent && (entry.from !== undefined || entry.to !== undefined)
      ? h('span', { class: 'move' }, end(entry.from, api), ' → ', end(entry.to, api))
      : undefined;
  const outcome = typeof entry.outcome === 'string' ? entry.outcome : undefined;
  const byRollout =
    !rolloutEvent && typeof entry.rollout === 'string' && typeof entry.step === 'number'
      ? `rollout step ${entry.step}`
      : undefined;
  return h(
    'li',
    { class: 'entry', 'data-action': action, ...(api && { 'data-subject': 'api' }) },
    h('span', { class: 'when' }, time(entry.at)),
    h(
      'span',
      { class: 'what' },
      h('strong', {}, rolloutEvent ? `rollout ${String(entry.event)}` : action),
      entry.stage !== undefined && ` ${entry.stage}`,
    ),
    api && h('span', { class: 'subject', title: 'API Gateway deployment' }, 'API'),
    move,
    byRollout !== undefined && h('span', { class: 'muted' }, byRollout),
    outcome !== undefined &&
      h('span', { class: `badge ${OUTCOME_BADGE[outcome] ?? 'warn'}` }, outcome),
    entry.forced && h('span', { class: 'badge warn' }, 'forced'),
    entry.void === true && h('span', { class: 'badge warn' }, 'void'),
    entry.passed === false && entry.void !== true && h('span', { class: 'badge bad' }, 'failed'),
    h('span', { class: 'who' }, entry.user),
    rolloutEvent &&
      h('span', { class: 'detail' }, describeRolloutEvent(entry).replace(/^rollout /, '')),
    entry.command !== action && h('code', { class: 'command' }, entry.command),
  );
}

/** The history panel. */
export function historyPanel(): Panel {
  let list: HTMLElement;
  let note: HTMLElement;
  return {
    id: 'history',
    title: 'Release history',
    mount(body) {
      note = h('p', { class: 'note' });
      list = h('ol', { class: 'history', 'aria-label': 'release history, newest first' });
      body.append(note, list);
    },
    update(state: ConsoleState) {
      replace(list, ...state.history.map(entryRow));
      replace(
        note,
        state.history_total === 0
          ? 'No release action yet.'
          : `Newest first; ${state.history.length} of ${state.history_total}.`,
      );
    },
  };
}
