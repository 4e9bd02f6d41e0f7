import { formatPercent } from '../../../platform/alias.ts';
import type { StatusResult } from '../../../release/operations/status.ts';
import { describeRolloutEvent } from '../../../release/rollout/history-text.ts';
import type { HistoryEntry } from '../../../state/history.ts';

/** `release status` for people. */
export function formatStatus(status: StatusResult, stateDir: string): string {
  const lines = [`${status.target} · function ${status.function_name} · state ${stateDir}`, ''];
  for (const [stage, alias] of Object.entries(status.aliases)) {
    const sha = alias.code_sha256 ?? '(no code yet)';
    const verified = alias.verified ? 'verified' : 'not verified';
    lines.push(`  ${stage.padEnd(7)} → ${alias.version.padEnd(8)} ${sha}  ${verified}`);
    if (alias.published_at !== undefined) {
      const description = alias.description ? `  "${alias.description}"` : '';
      lines.push(`  ${''.padEnd(19)}published ${alias.published_at}${description}`);
    }
    for (const [version, weight] of Object.entries(alias.weights ?? {})) {
      const code = status.versions.find((v) => v.version === version)?.code_sha256 ?? '?';
      lines.push(
        `  ${''.padEnd(19)}canary: ${formatPercent(weight)} → version ${version} (${code})`,
      );
    }
  }
  lines.push('', '  API deployments:');
  if (status.api === null) {
    lines.push('    (none recorded: start `stagecraft dev` on this state dir once)');
  } else {
    for (const [stage, api] of Object.entries(status.api)) {
      const verified = api.verified ? 'verified' : 'not verified';
      const description = api.description ? `  "${api.description}"` : '';
      lines.push(
        `    ${stage.padEnd(7)} → ${api.deployment}  ${api.created_at}  ${verified}${description}`,
      );
    }
  }
  lines.push('', '  versions:');
  if (status.versions.length === 0) lines.push('    (none published)');
  for (const v of status.versions) {
    const description = v.description ? `  "${v.description}"` : '';
    lines.push(`    ${v.version.padStart(3)}  ${v.code_sha256}  ${v.published_at}${description}`);
  }
  const check = status.verification;
  lines.push(
    '',
    check === null
      ? '  last verification: none'
      : `  last verification: ${check.passed ? 'passed' : 'FAILED'} · ${check.code_sha256} · ` +
          `${check.at} · ${check.target} staging (${check.version}` +
          `${check.api_deployment !== undefined ? `, API ${check.api_deployment}` : ''})`,
  );
  const rollout = status.rollout;
  if (rollout !== null) {
    const where =
      `rollout of version ${rollout.version} over ${rollout.baseline} (${rollout.schedule}) ` +
      `at step ${rollout.step} of ${rollout.steps} (${rollout.percent}%)`;
    lines.push(
      rollout.state === 'running'
        ? `  ${where}: running (pid ${rollout.pid ?? '?'})`
        : `  rollout interrupted at step ${rollout.step} of ${rollout.steps}: ${where}; continue ` +
            'with `stagecraft release rollout --resume`, end with `stagecraft release rollback`',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One history line: when, who, command, from → to, code sha256, forced. */
export function formatHistoryEntry(entry: HistoryEntry): string {
  if (entry.action === 'rollout') return formatRolloutEntry(entry);
  const change =
    entry.from !== undefined || entry.to !== undefined
      ? `${entry.stage !== undefined ? `${entry.stage} ` : ''}${entry.subject === 'api' ? 'API ' : ''}${entry.from ?? '∅'} → ${entry.to ?? '∅'}`
      : '';
  const outcome = entry.passed === true ? '  passed' : entry.passed === false ? '  FAILED' : '';
  return [
    entry.at,
    entry.user,
    entry.command,
    change,
    entry.code_sha256 ?? '',
    entry.forced ? 'FORCED' : '',
  ]
    .filter((part) => part !== '')
    .join('  ')
    .concat(outcome, entry.void === true ? ' (void)' : '');
}

// A rollout event: start, resume, one step's verdict with its numbers, or the outcome.
function formatRolloutEntry(entry: HistoryEntry): string {
  return [
    entry.at,
    entry.user,
    entry.command,
    describeRolloutEvent(entry),
    entry.forced ? 'FORCED' : '',
  ]
    .filter((part) => part !== '')
    .join('  ');
}
