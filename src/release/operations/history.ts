import { type ReleaseContext, targetHistory } from '../context.ts';
import type { HistoryEntry } from '../state/history.ts';

/** Every release action of this target and function, oldest first. Takes no lock. */
export function releaseHistory(ctx: ReleaseContext): Promise<HistoryEntry[]> {
  return targetHistory(ctx);
}
