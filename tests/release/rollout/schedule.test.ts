import { describe, expect, it } from 'vitest';
import { isReleaseError } from '../../../src/errors.ts';
import {
  DEFAULT_STRATEGY,
  formatDuration,
  parseDuration,
  parseSchedule,
} from '../../../src/release/rollout/schedule.ts';

function usageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isReleaseError(error, 'rollout.usage')) return error.message;
    throw error;
  }
  throw new Error('expected a rollout.usage error');
}

describe('parseSchedule', () => {
  it('defaults to canary:10:5m: 10 % for five minutes, then all', () => {
    expect(DEFAULT_STRATEGY).toBe('canary:10:5m');
    expect(parseSchedule({})).toEqual({
      name: 'canary:10:5m',
      steps: [
        { percent: 10, durationMs: 5 * 60_000 },
        { percent: 100, durationMs: 0 },
      ],
    });
  });

  it('linear adds the share every interval until 100 %', () => {
    const { steps, name } = parseSchedule({ strategy: 'linear:10:1m' });
    expect(name).toBe('linear:10:1m');
    expect(steps.map((s) => s.percent)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(steps.slice(0, -1).every((s) => s.durationMs === 60_000)).toBe(true);
    expect(parseSchedule({ strategy: 'linear:30:90s' }).steps.map((s) => s.percent)).toEqual([
      30, 60, 90, 100,
    ]);
    // Float-safe: 0.1 steps never drift into 30.000000000000004.
    expect(parseSchedule({ strategy: 'linear:33.3:1s' }).steps.map((s) => s.percent)).toEqual([
      33.3, 66.6, 99.9, 100,
    ]);
  });

  it('all-at-once is one unwatched step to 100 %', () => {
    expect(parseSchedule({ strategy: 'all-at-once' }).steps).toEqual([
      { percent: 100, durationMs: 0 },
    ]);
  });

  it('--steps with --interval; 100 is appended when missing', () => {
    expect(parseSchedule({ steps: '20,50,100', interval: '3s' })).toEqual({
      name: 'steps:20,50,100@3s',
      steps: [
        { percent: 20, durationMs: 3000 },
        { percent: 50, durationMs: 3000 },
        { percent: 100, durationMs: 0 },
      ],
    });
    expect(parseSchedule({ steps: '5,25', interval: '2m' }).steps.map((s) => s.percent)).toEqual([
      5, 25, 100,
    ]);
  });

  it('durations take s, m and h', () => {
    expect(parseDuration('30s', 'x')).toBe(30_000);
    expect(parseDuration('5m', 'x')).toBe(300_000);
    expect(parseDuration('1.5h', 'x')).toBe(5_400_000);
    expect(formatDuration(5_400_000)).toBe('90m');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(1500)).toBe('1.5s');
  });

  it.each([
    [{ strategy: 'canary:10' }, /canary:PERCENT:DURATION/],
    [{ strategy: 'blue-green' }, /canary:PERCENT:DURATION/],
    [{ strategy: 'canary:0:5m' }, /\(0, 100\]/],
    [{ strategy: 'canary:100:5m' }, /below 100/],
    [{ strategy: 'canary:10:5' }, /duration/],
    [{ strategy: 'canary:10:5d' }, /duration/],
    [{ strategy: 'linear:10:0s' }, /at least 1s/],
    [{ steps: '10,50' }, /needs --interval/],
    [{ interval: '1m' }, /goes with --steps/],
    [{ steps: '50,20', interval: '1m' }, /must increase/],
    [{ steps: '10,,50', interval: '1m' }, /percentages/],
    [{ steps: '10,150', interval: '1m' }, /percentages/],
    [{ strategy: 'all-at-once', steps: '10', interval: '1m' }, /not both/],
  ])('refuses %j', (input, message) => {
    expect(usageOf(() => parseSchedule(input))).toMatch(message);
  });
});
