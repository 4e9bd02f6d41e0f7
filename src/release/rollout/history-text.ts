/**
 * A rollout's history entry (`action: 'rollout'`: start, resume, step, end) in words, e.g.
 * `rollout step 1/3 20%: fail canary 30 req 33.33% err p99 4.2 ms baseline … — reason`. One
 * wording for `release history` and the release console (which bundles this file: no Node
 * imports).
 */
import type { HistoryEntry } from '../../state/history.ts';

/** The words for one rollout event entry (without when / who / command). */
export function describeRolloutEvent(entry: HistoryEntry): string {
  const text = (key: string) => (typeof entry[key] === 'string' ? (entry[key] as string) : '?');
  const num = (key: string) => (typeof entry[key] === 'number' ? (entry[key] as number) : '?');
  const reason = typeof entry.reason === 'string' ? ` — ${entry.reason}` : '';
  switch (entry.event) {
    case 'start':
      return `rollout start: version ${text('version')} over ${text('baseline')} (${text('schedule')})`;
    case 'resume':
      return `rollout resume: version ${text('version')} at step ${num('step')}`;
    case 'step': {
      const side = (key: string) => {
        const w = entry[key] as { requests?: number; error_rate?: number; p99_ms?: number | null };
        if (typeof w !== 'object' || w === null) return '';
        const rate = `${Number(((w.error_rate ?? 0) * 100).toFixed(2))}%`;
        return ` ${key} ${w.requests ?? 0} req ${rate} err p99 ${w.p99_ms ?? '-'} ms`;
      };
      return (
        `rollout step ${num('step')}/${num('steps')} ${num('percent')}%: ${text('verdict')}` +
        `${side('canary')}${side('baseline')}${reason}`
      );
    }
    case 'end':
      return `rollout ${text('outcome')}${reason}`;
    default:
      return 'rollout';
  }
}
