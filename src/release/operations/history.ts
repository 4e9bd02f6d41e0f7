import type { ReleaseTarget } from '../../platform/control-plane.ts';
import { historyPathFor, type HistoryEntry, readHistory } from '../../state/history.ts';

/**
 * Every release action recorded for `target` in the state dir, oldest first. Reads only the
 * history file: no control plane, no lock, no network — so it works offline for `aws` too,
 * and therefore cannot narrow to one function (each entry names its own).
 * Entries without a target were written by the local stack itself and belong to `local`.
 */
export async function releaseHistory(
  stateDir: string,
  target: ReleaseTarget,
): Promise<HistoryEntry[]> {
  const all = await readHistory(historyPathFor(stateDir));
  return all.filter((entry) => (entry.target ?? 'local') === target);
}
