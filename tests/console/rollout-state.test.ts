// The console's rollout view: the running record (release status's `rollout`, with the last
// tick from rollout.json) and the finished steps and outcome from the history.
import { describe, expect, it } from 'vitest';
import { consoleRollout } from '../../src/console/rollout.ts';
import type { StatusResult } from '../../src/release/operations/status.ts';
import type { HistoryEntry } from '../../src/state/history.ts';

const entry = (fields: Record<string, unknown>): HistoryEntry => ({
  at: '2026-01-01T00:00:00.000Z',
  user: 'dev',
  command: 'release rollout',
  stage: 'prod',
  forced: false,
  ...fields,
});

const window = (version: string, requests: number, errors: number) => ({
  version,
  requests,
  errors,
  error_rate: errors / requests,
  p99_ms: 12.5,
});

const start = entry({
  action: 'rollout',
  event: 'start',
  rollout: 'r2',
  version: '3',
  baseline: '2',
  schedule: 'steps:20,100@30s',
});
const older = [
  entry({ action: 'rollout', event: 'start', rollout: 'r1', version: '2', baseline: '1' }),
  entry({ action: 'rollout', event: 'end', rollout: 'r1', outcome: 'succeeded', prod: '2' }),
];
// r2's first step, failed: its numbers as history records them and the console shows them.
const FAILED_STEP = {
  step: 1,
  steps: 2,
  percent: 20,
  verdict: 'fail',
  reason: 'canary error rate 33.3%',
  canary: window('3', 30, 10),
  baseline: window('2', 120, 0),
  p_value: 0.0001,
  p99_ratio: 1.1,
} as const;
const failedStep = entry({ action: 'rollout', event: 'step', rollout: 'r2', ...FAILED_STEP });
const abortMove = entry({ action: 'abort', rollout: 'r2', from: '2+3@20%', to: '2' });
const end = entry({
  action: 'rollout',
  event: 'end',
  rollout: 'r2',
  version: '3',
  baseline: '2',
  outcome: 'aborted',
  reason: 'step 1/2 (20%): canary error rate 33.3%',
  prod: '2',
});

function statusWith(rollout: StatusResult['rollout']): StatusResult {
  return { rollout } as StatusResult; // only the rollout field is read
}

type RunningRollout = NonNullable<StatusResult['rollout']>;

// rollout.json of r2 (3 over 2) running at step 1 of 2, 20 %, as status reports it.
function running(more: Partial<RunningRollout> = {}): RunningRollout {
  return {
    state: 'running',
    id: 'r2',
    version: '3',
    baseline: '2',
    step: 1,
    steps: 2,
    percent: 20,
    schedule: 'steps:20,100@30s',
    started_at: start.at,
    ...more,
  };
}

describe('consoleRollout', () => {
  it('is null when there never was a rollout', () => {
    expect(consoleRollout(statusWith(null), [entry({ action: 'promote' })])).toBeNull();
    expect(consoleRollout(null, [])).toBeNull();
  });

  it('a running rollout: its step, weight and last tick from status', () => {
    const tick = {
      at: '2026-01-01T00:00:05.000Z',
      step: 1,
      steps: 2,
      percent: 20,
      elapsed_ms: 5000,
      canary: window('3', 20, 0),
      baseline: window('2', 80, 0),
      p_value: 1,
      p99_ratio: null,
      decision: 'watch',
    };
    const shown = consoleRollout(statusWith(running({ pid: 42, last_tick: tick })), [
      ...older,
      start,
    ]);
    expect(shown).toEqual({
      id: 'r2',
      state: 'running',
      version: '3',
      baseline: '2',
      schedule: 'steps:20,100@30s',
      started_at: start.at,
      step: 1,
      steps: 2,
      percent: 20,
      last_tick: tick,
      finished: [],
    });
  });

  it('an ended rollout: its steps with their numbers, and the outcome, from history', () => {
    const shown = consoleRollout(statusWith(null), [...older, start, failedStep, abortMove, end]);
    expect(shown).toMatchObject({
      id: 'r2',
      state: 'ended',
      version: '3',
      baseline: '2',
      schedule: 'steps:20,100@30s',
      outcome: {
        outcome: 'aborted',
        reason: 'step 1/2 (20%): canary error rate 33.3%',
        prod: '2',
      },
    });
    expect(shown?.finished).toEqual([{ at: failedStep.at, ...FAILED_STEP }]);
    expect(shown).not.toHaveProperty('last_tick');
  });

  it('the end in history wins over a rollout.json not yet removed', () => {
    const shown = consoleRollout(statusWith(running()), [start, failedStep, end]);
    expect(shown?.state).toBe('ended');
    expect(shown?.outcome?.outcome).toBe('aborted');
  });
});
