// The judgement on synthetic counts, driven tick by tick on a fake clock: each tick adds a
// tick's worth of requests to the step's window, judges it, and decides.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_JUDGEMENT,
  decideTick,
  fisherOneSided,
  judge,
  type JudgementOptions,
  LATENCY_MIN_SAMPLES,
  type StepDecision,
} from '../../../src/release/rollout/judgement.ts';
import type { WindowStats } from '../../../src/platform/metrics.ts';

/** Requests per tick of each version and how many of them fail (deterministically spread). */
interface Traffic {
  readonly canaryPerTick: number;
  readonly baselinePerTick: number;
  readonly canaryErrorRate: number;
  readonly baselineErrorRate: number;
  readonly canaryP99Ms?: number;
  readonly baselineP99Ms?: number;
}

interface StepRun {
  readonly decisions: StepDecision[];
  readonly final: StepDecision;
  readonly ticks: number;
}

const TICK_MS = 10_000;

/** Runs one step on a fake clock until it passes, fails or continues. */
function runStep(traffic: Traffic, durationMs: number, options = DEFAULT_JUDGEMENT): StepRun {
  let clock = 0;
  let extensions = 0;
  let canary = 0;
  let baseline = 0;
  const decisions: StepDecision[] = [];
  for (let tick = 1; tick < 1000; tick++) {
    clock += TICK_MS;
    canary += traffic.canaryPerTick;
    baseline += traffic.baselinePerTick;
    const judgement = judge(
      stats(canary, traffic.canaryErrorRate, traffic.canaryP99Ms),
      stats(baseline, traffic.baselineErrorRate, traffic.baselineP99Ms),
      options,
    );
    const decision = decideTick(
      { judgement, canaryRequests: canary, elapsedMs: clock, durationMs, extensions },
      options,
    );
    decisions.push(decision);
    if (decision.kind === 'extend') {
      extensions = decision.extension;
      continue;
    }
    if (decision.kind !== 'watch') return { decisions, final: decision, ticks: tick };
  }
  throw new Error('the step never ended');
}

// Errors spread evenly: floor(n × rate), so a window's rate is as close to `rate` as counts allow.
function stats(requests: number, errorRate: number, p99Ms = 20): WindowStats {
  return {
    requests,
    errors: Math.floor(requests * errorRate),
    p99Ms: requests > 0 ? p99Ms : undefined,
  };
}

const FIVE_MINUTES = 5 * 60_000;

describe('fisherOneSided', () => {
  it('is the hypergeometric upper tail (the lady tasting tea: 3 of 4 → 17/70)', () => {
    expect(fisherOneSided(3, 4, 1, 4)).toBeCloseTo(17 / 70, 12);
  });

  it('all errors on the canary: the product of the draws', () => {
    // 5 errors out of 1000 requests, all 5 among the canary's 100: (100/1000)(99/999)…(96/996).
    let expected = 1;
    for (let i = 0; i < 5; i++) expected *= (100 - i) / (1000 - i);
    expect(fisherOneSided(5, 100, 0, 900)).toBeCloseTo(expected, 15);
  });

  it('is 1 with nothing to compare, and stays within [0, 1] for large counts', () => {
    expect(fisherOneSided(0, 100, 0, 900)).toBe(1);
    expect(fisherOneSided(3, 3, 0, 0)).toBe(1);
    const big = fisherOneSided(3000, 100_000, 27_000, 900_000);
    expect(big).toBeGreaterThan(0);
    expect(big).toBeLessThanOrEqual(1);
  });
});

describe('a step judged tick by tick (fake clock, synthetic counts)', () => {
  it('a healthy canary passes every step, at its end and not before', () => {
    for (const share of [0.1, 0.5, 0.9]) {
      const run = runStep(
        {
          canaryPerTick: Math.round(100 * share),
          baselinePerTick: Math.round(100 * (1 - share)),
          canaryErrorRate: 0,
          baselineErrorRate: 0,
        },
        FIVE_MINUTES,
      );
      expect(run.final).toEqual({ kind: 'pass' });
      expect(run.ticks).toBe(FIVE_MINUTES / TICK_MS);
      expect(run.decisions.slice(0, -1).every((d) => d.kind === 'watch')).toBe(true);
    }
  });

  it('canary at 5 % errors vs baseline 0 % aborts at the first tick that is conclusive', () => {
    const traffic = {
      canaryPerTick: 20,
      baselinePerTick: 180,
      canaryErrorRate: 0.05,
      baselineErrorRate: 0,
    };
    const run = runStep(traffic, FIVE_MINUTES);
    expect(run.final.kind).toBe('fail');
    expect(run.ticks).toBeLessThan(FIVE_MINUTES / TICK_MS); // mid-step
    // Conclusive at that tick, and not one tick earlier.
    const at = (ticks: number) =>
      fisherOneSided(Math.floor(ticks * 20 * 0.05), ticks * 20, 0, ticks * 180);
    expect(at(run.ticks)).toBeLessThan(1 - DEFAULT_JUDGEMENT.confidence);
    expect(at(run.ticks - 1)).toBeGreaterThanOrEqual(1 - DEFAULT_JUDGEMENT.confidence);
    expect((run.final as { reason: string }).reason).toMatch(/canary error rate 5%.*baseline's 0%/);
  });

  it('canary and baseline both at 3 % (a shared downstream fault) does not blame the canary', () => {
    const run = runStep(
      { canaryPerTick: 20, baselinePerTick: 180, canaryErrorRate: 0.03, baselineErrorRate: 0.03 },
      FIVE_MINUTES,
    );
    expect(run.final).toEqual({ kind: 'pass' });
    // The canary was above --max-error-rate all along: only the comparison saved it.
    expect(0.03).toBeGreaterThan(DEFAULT_JUDGEMENT.maxErrorRate);
  });

  it('too few canary requests: extensions, then --on-inconclusive fail', () => {
    const traffic = {
      canaryPerTick: 1,
      baselinePerTick: 9,
      canaryErrorRate: 0,
      baselineErrorRate: 0,
    };
    const run = runStep(traffic, 60_000);
    const extensions = run.decisions.filter((d) => d.kind === 'extend');
    expect(extensions.map((d) => (d as { extension: number }).extension)).toEqual([1, 2, 3]);
    expect(run.final.kind).toBe('fail');
    expect((run.final as { reason: string }).reason).toMatch(
      /inconclusive: only 24 canary requests/,
    );
    expect(run.ticks).toBe((60_000 / TICK_MS) * (1 + DEFAULT_JUDGEMENT.maxExtensions));
  });

  it('too few canary requests with --on-inconclusive continue goes on after the extensions', () => {
    const options: JudgementOptions = {
      ...DEFAULT_JUDGEMENT,
      onInconclusive: 'continue',
      maxExtensions: 1,
    };
    const traffic = {
      canaryPerTick: 1,
      baselinePerTick: 9,
      canaryErrorRate: 0,
      baselineErrorRate: 0,
    };
    const run = runStep(traffic, 60_000, options);
    expect(run.decisions.filter((d) => d.kind === 'extend')).toHaveLength(1);
    expect(run.final.kind).toBe('continue-inconclusive');
  });

  it('enough requests after an extension pass', () => {
    // 6 canary requests a tick: 36 after one minute (too few), 72 after the extension.
    const traffic = {
      canaryPerTick: 6,
      baselinePerTick: 54,
      canaryErrorRate: 0,
      baselineErrorRate: 0,
    };
    const run = runStep(traffic, 60_000);
    expect(run.decisions.filter((d) => d.kind === 'extend')).toHaveLength(1);
    expect(run.final).toEqual({ kind: 'pass' });
  });

  it('a latency regression aborts once both sides have enough samples', () => {
    const traffic = {
      canaryPerTick: 25,
      baselinePerTick: 75,
      canaryErrorRate: 0,
      baselineErrorRate: 0,
      canaryP99Ms: 80,
      baselineP99Ms: 20,
    };
    const run = runStep(traffic, FIVE_MINUTES);
    expect(run.final.kind).toBe('fail');
    expect((run.final as { reason: string }).reason).toMatch(
      /p99 80 ms is 4× the baseline's 20 ms/,
    );
    // Not before the canary had LATENCY_MIN_SAMPLES requests (tick 4 = 100 requests).
    expect(run.ticks).toBe(Math.ceil(LATENCY_MIN_SAMPLES / 25));
  });

  it('a p99 within the ratio passes', () => {
    const run = runStep(
      {
        canaryPerTick: 25,
        baselinePerTick: 75,
        canaryErrorRate: 0,
        baselineErrorRate: 0,
        canaryP99Ms: 29,
        baselineP99Ms: 20,
      },
      FIVE_MINUTES,
    );
    expect(run.final).toEqual({ kind: 'pass' });
  });

  it('a canary error rate below --max-error-rate never fails, however significant', () => {
    const judgement = judge(
      { requests: 10_000, errors: 90, p99Ms: 10 },
      { requests: 90_000, errors: 0, p99Ms: 10 },
      DEFAULT_JUDGEMENT,
    );
    expect(judgement.errors.pValue).toBeLessThan(1e-10);
    expect(judgement.verdict).toBe('ok');
  });
});
