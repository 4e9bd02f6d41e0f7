// The summary printed on stderr: what was written, what was left out and why, what was renamed.
import type { Selection, SkipReason, SkippedInstance } from './model.ts';

/** How many instance ids are listed per line before "and N more". */
const LIST_LIMIT = 10;

const REASONS: Record<SkipReason, string> = {
  'duplicate-instance': 'listed more than once (same InstanceId)',
  'not-running': 'not running (--include-stopped adds pending/stopping/stopped ones)',
  'no-address': 'without an address of the requested kind (--address)',
  'invalid-address': 'with an address that is not a valid IPv4 address',
  'no-name': 'without a Name tag (--fallback-id names them by instance id)',
  'empty-name': 'whose Name tag is empty once characters ssh cannot use are removed',
};

/** What happened to the file, for the first line. */
export type Outcome = 'written' | 'unchanged' | 'dry-run';

/**
 * The summary's lines (without line endings).
 *
 * @param selection hosts, skipped instances and renames
 * @param outcome what happened to the file
 * @param path the config file
 * @param marker the marker name
 * @param backupPath the backup written, if any
 */
export function summarize(
  selection: Selection,
  outcome: Outcome,
  path: string,
  marker: string,
  backupPath?: string,
): string[] {
  const hosts = plural(selection.hosts.length, 'host');
  const lines = [
    outcome === 'written'
      ? `wrote ${hosts} to ${path} (block ${marker})`
      : outcome === 'unchanged'
        ? `${path} is up to date (${hosts} in block ${marker}); nothing written`
        : `dry run: would write ${hosts} to ${path} (block ${marker}); nothing written`,
  ];
  const windows = selection.hosts.filter((host) => host.platform === 'windows').length;
  if (windows > 0) {
    // Written like any other host, but ssh reaches them only once OpenSSH Server is enabled.
    lines.push(
      `including ${plural(windows, 'Windows host')} (ssh needs OpenSSH Server enabled on them)`,
    );
  }
  if (backupPath !== undefined) lines.push(`previous file kept as ${backupPath}`);
  if (selection.skipped.length > 0) {
    lines.push(`skipped ${plural(selection.skipped.length, 'instance')}:`);
    const groups = new Map<SkipReason, SkippedInstance[]>();
    for (const skip of selection.skipped) {
      const group = groups.get(skip.reason);
      if (group === undefined) groups.set(skip.reason, [skip]);
      else group.push(skip);
    }
    for (const [reason, skips] of groups) {
      const ids = skips.map((s) =>
        s.detail === undefined ? s.instanceId : `${s.instanceId} (${s.detail})`,
      );
      lines.push(`  ${skips.length} ${REASONS[reason]}: ${list(ids)}`);
    }
  }
  if (selection.renamed.length > 0) {
    lines.push(
      `renamed ${plural(selection.renamed.length, 'duplicate name')} (later launches get -2, -3, …):`,
    );
    const renames = selection.renamed.map((r) => `${r.instanceId} ${r.from} → ${r.to}`);
    lines.push(...renames.slice(0, LIST_LIMIT).map((r) => `  ${r}`));
    if (renames.length > LIST_LIMIT) lines.push(`  … and ${renames.length - LIST_LIMIT} more`);
  }
  return lines;
}

function list(items: readonly string[]): string {
  const shown = items.slice(0, LIST_LIMIT).join(', ');
  return items.length > LIST_LIMIT ? `${shown} and ${items.length - LIST_LIMIT} more` : shown;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
