// The last verification (`release verify`): which code staging served, and each check's result.
import type { SmokeReport } from '../../../release/verify/types.ts';
import type { ConsoleState } from '../../state.ts';
import { h, replace, shortSha, time } from '../dom.ts';
import type { Panel } from '../panel.ts';

function isReport(value: unknown): value is SmokeReport {
  return (
    typeof value === 'object' && value !== null && Array.isArray((value as SmokeReport).checks)
  );
}

/** The verification panel. */
export function verificationPanel(): Panel {
  let root: HTMLElement;
  return {
    id: 'verification',
    title: 'Last verification',
    mount(body) {
      root = h('div', {});
      body.appendChild(root);
    },
    update(state: ConsoleState) {
      const record = state.verification;
      if (record === null) {
        replace(
          root,
          h('p', { class: 'note' }, 'No verification yet: run `stagecraft release verify`.'),
        );
        return;
      }
      const report = isReport(record.report) ? record.report : undefined;
      replace(
        root,
        h(
          'p',
          { class: 'summary' },
          h(
            'span',
            { class: `badge ${record.passed ? 'ok' : 'bad'}` },
            record.passed ? 'passed' : 'failed',
          ),
          ' ',
          record.version === '$LATEST' ? '$LATEST' : `version ${record.version}`,
          ', code ',
          h('code', { title: record.code_sha256 }, shortSha(record.code_sha256)),
          ', ',
          time(record.at),
          report !== undefined && ` against ${report.url}`,
        ),
        report !== undefined &&
          h(
            'ul',
            { class: 'checks' },
            ...report.checks.map((check) =>
              h(
                'li',
                { class: check.passed ? 'pass' : 'fail' },
                h(
                  'span',
                  { class: 'mark', 'aria-label': check.passed ? 'passed' : 'failed' },
                  check.passed ? '✔' : '✖',
                ),
                ` ${check.name} `,
                h('span', { class: 'muted' }, `${check.duration_ms} ms · ${check.source}`),
                check.error !== undefined && h('div', { class: 'error' }, check.error),
              ),
            ),
          ),
      );
    },
  };
}
