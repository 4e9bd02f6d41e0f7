import { describe, expect, it } from 'vitest';
import { isReleaseError } from '../../src/errors.ts';
import {
  planComplete,
  planPromote,
  planRollback,
  previousProdVersion,
} from '../../src/release/plan.ts';
import type { HistoryEntry } from '../../src/state/history.ts';

function entry(fields: Partial<HistoryEntry>): HistoryEntry {
  return { at: '2024-01-01T00:00:00.000Z', user: 'u', command: 'c', forced: false, ...fields };
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isReleaseError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('planPromote', () => {
  it('points all of prod at the version', () => {
    expect(planPromote({ version: '1' }, '2', undefined)).toEqual({
      kind: 'change',
      action: 'promote',
      from: { version: '1' },
      to: { version: '2' },
    });
  });

  it('is a no-op when prod already serves the version', () => {
    expect(planPromote({ version: '2' }, '2', undefined)).toMatchObject({ kind: 'noop' });
  });

  it('starts a canary: current version keeps the rest, the new one gets P/100', () => {
    expect(planPromote({ version: '1' }, '2', 10)).toEqual({
      kind: 'change',
      action: 'canary',
      from: { version: '1' },
      to: { version: '1', weights: { '2': 0.1 } },
    });
  });

  it('ramps a running canary of the same version', () => {
    const plan = planPromote({ version: '1', weights: { '2': 0.1 } }, '2', 50);
    expect(plan).toMatchObject({ kind: 'change', to: { version: '1', weights: { '2': 0.5 } } });
    expect(planPromote({ version: '1', weights: { '2': 0.5 } }, '2', 50)).toMatchObject({
      kind: 'noop',
    });
  });

  it('refuses anything that would silently drop a running canary', () => {
    const prod = { version: '1', weights: { '2': 0.1 } };
    expect(refusal(() => planPromote(prod, '2', undefined))).toBe('canary.running');
    expect(refusal(() => planPromote(prod, '3', undefined))).toBe('canary.running');
    expect(refusal(() => planPromote(prod, '3', 20))).toBe('canary.running');
  });

  it('refuses a canary of the version prod serves, and a canary on $LATEST', () => {
    expect(refusal(() => planPromote({ version: '2' }, '2', 10))).toBe('promote.refused');
    expect(refusal(() => planPromote({ version: '$LATEST' }, '1', 10))).toBe('promote.refused');
  });
});

describe('planComplete', () => {
  it('sends all traffic to the canary version', () => {
    expect(planComplete({ version: '1', weights: { '2': 0.5 } }, undefined)).toEqual({
      kind: 'change',
      action: 'complete',
      from: { version: '1', weights: { '2': 0.5 } },
      to: { version: '2' },
    });
  });

  it('refuses without a canary, or naming another version', () => {
    expect(refusal(() => planComplete({ version: '1' }, undefined))).toBe('canary.none');
    expect(refusal(() => planComplete({ version: '1', weights: { '2': 0.5 } }, '3'))).toBe(
      'canary.running',
    );
  });
});

describe('previousProdVersion', () => {
  const firstStart = entry({ command: 'dev', stage: 'prod', to: '1', first_start: true });
  const promote = (from: string, to: string) =>
    entry({ action: 'promote', stage: 'prod', from, to });
  const rollback = (from: string, to: string) =>
    entry({ action: 'rollback', stage: 'prod', from, to });

  it('is the version the last promotion replaced', () => {
    expect(previousProdVersion([firstStart, promote('1', '2')], '2')).toBe('1');
  });

  it('walks back one promotion per rollback instead of toggling', () => {
    const history = [firstStart, promote('1', '2'), promote('2', '3'), rollback('3', '2')];
    expect(previousProdVersion(history, '2')).toBe('1');
    expect(previousProdVersion([...history, rollback('2', '1')], '1')).toBeUndefined();
  });

  it('counts a completed canary as a promotion, and ignores canary starts and aborts', () => {
    const history = [
      firstStart,
      entry({ action: 'canary', stage: 'prod', from: '1', to: '1+2@50%' }),
      entry({ action: 'abort', stage: 'prod', from: '1+2@50%', to: '1' }),
      entry({ action: 'canary', stage: 'prod', from: '1', to: '1+2@10%' }),
      entry({ action: 'complete', stage: 'prod', from: '1+2@10%', to: '2' }),
    ];
    expect(previousProdVersion(history, '2')).toBe('1');
  });

  it('ignores staging entries and never offers $LATEST', () => {
    const history = [
      entry({ stage: 'staging', from: '$LATEST', to: '$LATEST' }),
      promote('$LATEST', '1'),
    ];
    expect(previousProdVersion(history, '1')).toBeUndefined();
  });
});

describe('planRollback', () => {
  it('aborts a running canary first', () => {
    expect(planRollback({ version: '1', weights: { '2': 0.5 } }, [], undefined)).toEqual({
      kind: 'change',
      action: 'abort',
      from: { version: '1', weights: { '2': 0.5 } },
      to: { version: '1' },
    });
  });

  it('goes to --to, or to the previous prod version, or refuses', () => {
    expect(planRollback({ version: '3' }, [], '1')).toMatchObject({ to: { version: '1' } });
    const history = [entry({ action: 'promote', stage: 'prod', from: '1', to: '3' })];
    expect(planRollback({ version: '3' }, history, undefined)).toMatchObject({
      action: 'rollback',
      to: { version: '1' },
    });
    expect(refusal(() => planRollback({ version: '3' }, [], undefined))).toBe(
      'rollback.no-previous',
    );
    expect(planRollback({ version: '3' }, [], '3')).toMatchObject({ kind: 'noop' });
  });
});
