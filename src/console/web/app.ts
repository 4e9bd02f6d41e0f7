// The release console's browser script (bundled by esbuild on first request, see
// ../assets.ts). `<body data-page>` says which page this is: the console (panels fed by the
// event stream) or the API page (the OpenAPI document with "try it" forms).
import { CONSOLE_PATHS } from '../paths.ts';
import { mountApiPage } from './api-page.ts';
import { h, replace } from './dom.ts';
import { followState } from './live.ts';
import type { Panel } from './panel.ts';
import { historyPanel } from './panels/history.ts';
import { rolloutPanel } from './panels/rollout.ts';
import { stagesPanel } from './panels/stages.ts';
import { trafficPanel } from './panels/traffic.ts';
import { verificationPanel } from './panels/verification.ts';

function mountConsole(main: HTMLElement, live: HTMLElement): void {
  // The panels, in page order; a new panel is one more entry.
  const panels: Panel[] = [
    stagesPanel(),
    rolloutPanel(),
    trafficPanel({ url: CONSOLE_PATHS.metrics, intervalMs: 2000, windowMs: 5 * 60_000 }),
    historyPanel(),
    verificationPanel(),
  ];
  const problem = h('p', { class: 'problem', hidden: '' });
  replace(main, problem);
  for (const panel of panels) {
    const body = h('div', { class: 'panel-body' });
    main.appendChild(
      h(
        'section',
        { class: `panel panel-${panel.id}`, id: panel.id, 'aria-labelledby': `${panel.id}-title` },
        h('h2', { id: `${panel.id}-title` }, panel.title),
        body,
      ),
    );
    panel.mount(body);
  }
  followState(
    CONSOLE_PATHS.events,
    (state) => {
      problem.hidden = state.problem === undefined;
      replace(problem, state.problem ?? '');
      for (const panel of panels) panel.update(state);
    },
    (status) => {
      live.dataset.status = status;
      replace(live, status === 'live' ? 'live' : 'reconnecting…');
    },
  );
}

const main = document.getElementById('main');
const live = document.getElementById('live');
if (main !== null && live !== null) {
  if (document.body.dataset.page === 'api') {
    live.hidden = true;
    mountApiPage(main, CONSOLE_PATHS.openapi).catch((error: unknown) =>
      replace(main, h('p', { class: 'problem' }, `cannot load the API document: ${String(error)}`)),
    );
  } else {
    mountConsole(main, live);
  }
}
