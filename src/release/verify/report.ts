import type { SmokeReport } from './types.ts';

/**
 * The report as people read it: one line per check, the failure under it, a summary line.
 * Plain text (no colour), so it reads the same in a terminal, a CI log and a file.
 */
export function formatSmokeReport(report: SmokeReport): string {
  const lines = [`smoke suite against ${report.url}`];
  for (const check of report.checks) {
    const mark = check.passed ? '✔' : '✖';
    const source = check.source === 'built-in' ? '' : `  [${check.source}]`;
    lines.push(`  ${mark} ${check.name}  (${check.duration_ms} ms)${source}`);
    if (check.error !== undefined) {
      for (const line of check.error.split('\n')) lines.push(`      ${line}`);
    }
  }
  const failed = report.checks.filter((c) => !c.passed).length;
  const total = report.checks.length;
  lines.push(
    total === 0
      ? '  no checks ran'
      : `  ${total} checks: ${total - failed} passed, ${failed} failed`,
  );
  return `${lines.join('\n')}\n`;
}
