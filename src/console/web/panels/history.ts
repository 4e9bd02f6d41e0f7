// The release history, newest first: who did what when, from → to, forced and void runs.
import type { HistoryEntry } from '../../../state/history.ts';
import type { ConsoleState } from '../../state.ts';
import { h, replace, time } from '../dom.ts';
import type { Panel } from '../panel.ts';

function entryRow(entry: HistoryEntry): HTMLElement {
  const action = typeof entry.action === 'string' ? entry.action : entry.command;
  const move =
    entry.from !== undefined || entry.to !== undefined
      ? `${entry.from ?? '∅'} → ${entry.to ?? '∅'}`
      : undefined;
  return h(
    'li',
    { class: 'entry' },
    h('span', { class: 'when' }, time(entry.at)),
    h(
      'span',
      { class: 'what' },
      h('strong', {}, action),
      entry.stage !== undefined && ` ${entry.stage}`,
    ),
    move !== undefined && h('span', { class: 'move' }, move),
    entry.forced && h('span', { class: 'badge warn' }, 'forced'),
    entry.void === true && h('span', { class: 'badge warn' }, 'void'),
    entry.passed === false && entry.void !== true && h('span', { class: 'badge bad' }, 'failed'),
    h('span', { class: 'who' }, entry.user),
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
