/**
 * The rollout's judgement: is the canary worse than the baseline serving at the same time?
 * Pure functions of two versions' {@link WindowStats}, so every rule is tested on synthetic
 * counts (see docs/release.md, "The judgement", for the rule in words and a worked example).
 *
 * - errors (5xx answers, which include function failures): the step fails when the canary's
 *   error rate is above `maxErrorRate` AND significantly above the baseline's by a one-sided
 *   Fisher exact test at `confidence`. Fisher rather than the two-proportion z-test because a
 *   canary's error counts are small (0–10 in a step is the usual case), where the z-test's
 *   normal approximation is wrong in both directions; Fisher is exact at any count, and a
 *   step's counts are cheap to sum over (at most min(errors, requests) terms).
 * - latency: canary p99 ≤ `maxP99Ratio` × baseline p99, judged only when both versions have
 *   at least {@link LATENCY_MIN_SAMPLES} requests in the window.
 * - a step that ends with fewer than `minRequests` canary requests is inconclusive.
 */
import type { WindowStats } from '../../platform/metrics.ts';

/** The thresholds of the judgement (the CLI's flags). */
export interface JudgementOptions {
  /**
   * The canary's error rate must exceed this (a fraction) before it can fail.
   * @default 0.01
   */
  readonly maxErrorRate: number;
  /**
   * Confidence of the one-sided test: the step fails when p < 1 − confidence.
   * @default 0.99
   */
  readonly confidence: number;
  /**
   * Canary p99 may be at most this times the baseline's.
   * @default 1.5
   */
  readonly maxP99Ratio: number;
  /**
   * Fewer canary requests in a step make it inconclusive.
   * @default 50
   */
  readonly minRequests: number;
  /**
   * How many times an inconclusive step is extended by its own duration.
   * @default 3
   */
  readonly maxExtensions: number;
  /**
   * What a step still inconclusive after its extensions does.
   * @default 'fail'
   */
  readonly onInconclusive: 'fail' | 'continue';
}

/** The defaults of {@link JudgementOptions}. */
export const DEFAULT_JUDGEMENT: JudgementOptions = {
  maxErrorRate: 0.01,
  confidence: 0.99,
  maxP99Ratio: 1.5,
  minRequests: 50,
  maxExtensions: 3,
  onInconclusive: 'fail',
};

/**
 * Requests each version needs in a window before p99s are compared. With n samples the p99 is
 * the ⌈0.99·n⌉-th smallest: below 100 it is the maximum, so one slow request (the canary's
 * cold start, a GC pause) would decide alone. From 100 on, the single slowest is excluded.
 */
export const LATENCY_MIN_SAMPLES = 100;

/** What the judgement saw and concluded on one window. */
export interface Judgement {
  /** `fail` is conclusive; `ok` means no evidence against the canary (yet). */
  readonly verdict: 'ok' | 'fail';
  /** Why it failed, in words with the numbers. */
  readonly reason?: string;
  /** Error rates (fractions; 0 with no requests) and the one-sided Fisher p-value. */
  readonly errors: {
    readonly canaryRate: number;
    readonly baselineRate: number;
    readonly pValue: number;
  };
  /** The p99 ratio canary/baseline, when judged (enough samples on both sides). */
  readonly p99Ratio?: number;
}

/** Judges one window: canary against the baseline serving at the same time. */
export function judge(
  canary: WindowStats,
  baseline: WindowStats,
  options: JudgementOptions,
): Judgement {
  const canaryRate = rate(canary);
  const baselineRate = rate(baseline);
  const pValue = fisherOneSided(canary.errors, canary.requests, baseline.errors, baseline.requests);
  const errors = { canaryRate, baselineRate, pValue };
  const alpha = 1 - options.confidence;
  if (canaryRate > options.maxErrorRate && pValue < alpha) {
    return {
      verdict: 'fail',
      reason:
        `canary error rate ${percent(canaryRate)} (${canary.errors}/${canary.requests}) is above ` +
        `--max-error-rate ${percent(options.maxErrorRate)} and significantly above the baseline's ` +
        `${percent(baselineRate)} (${baseline.errors}/${baseline.requests}; one-sided Fisher ` +
        `p = ${pValue.toPrecision(3)} < ${Number(alpha.toPrecision(6))})`,
      errors,
    };
  }
  const latencyJudged =
    canary.requests >= LATENCY_MIN_SAMPLES &&
    baseline.requests >= LATENCY_MIN_SAMPLES &&
    canary.p99Ms !== undefined &&
    baseline.p99Ms !== undefined &&
    baseline.p99Ms > 0;
  if (!latencyJudged) return { verdict: 'ok', errors };
  const p99Ratio = (canary.p99Ms as number) / (baseline.p99Ms as number);
  if (p99Ratio > options.maxP99Ratio) {
    return {
      verdict: 'fail',
      reason:
        `canary p99 ${round(canary.p99Ms as number)} ms is ${round(p99Ratio)}× the baseline's ` +
        `${round(baseline.p99Ms as number)} ms (--max-p99-ratio ${options.maxP99Ratio}; ` +
        `${canary.requests} and ${baseline.requests} requests)`,
      errors,
      p99Ratio,
    };
  }
  return { verdict: 'ok', errors, p99Ratio };
}

/** What the rollout does after a tick. */
export type StepDecision =
  /** Nothing conclusive and the step's time is not up: keep watching. */
  | { readonly kind: 'watch' }
  /** Conclusive failure: roll back now (mid-step if need be). */
  | { readonly kind: 'fail'; readonly reason: string }
  /** The step's time is up with enough canary requests and no failure: next step. */
  | { readonly kind: 'pass' }
  /** Time is up with too few canary requests: watch one more step duration. */
  | { readonly kind: 'extend'; readonly extension: number; readonly reason: string }
  /** Still too few after every extension, and `--on-inconclusive continue`: next step. */
  | { readonly kind: 'continue-inconclusive'; readonly reason: string };

/** Where a step stands at a tick. */
export interface TickInput {
  /** The judgement of the step's window so far. */
  readonly judgement: Judgement;
  /** Canary requests in the step's window so far. */
  readonly canaryRequests: number;
  /** Time the window covers so far (ms). */
  readonly elapsedMs: number;
  /** The step's duration (ms). */
  readonly durationMs: number;
  /** Extensions already granted to this step. */
  readonly extensions: number;
}

/**
 * The decision at one tick: a conclusive failure stops the step at once; otherwise nothing
 * happens until the step's time (its duration × (1 + extensions)) is up.
 */
export function decideTick(input: TickInput, options: JudgementOptions): StepDecision {
  if (input.judgement.verdict === 'fail') {
    return { kind: 'fail', reason: input.judgement.reason ?? 'the canary failed the judgement' };
  }
  if (input.elapsedMs < input.durationMs * (1 + input.extensions)) return { kind: 'watch' };
  if (input.canaryRequests >= options.minRequests) return { kind: 'pass' };
  const few =
    `only ${input.canaryRequests} canary request${input.canaryRequests === 1 ? '' : 's'} ` +
    `(--min-requests ${options.minRequests})`;
  if (input.extensions < options.maxExtensions) {
    return {
      kind: 'extend',
      extension: input.extensions + 1,
      reason: `${few}: extending the step (${input.extensions + 1}/${options.maxExtensions})`,
    };
  }
  const after = `${few} after ${options.maxExtensions} extension${options.maxExtensions === 1 ? '' : 's'}`;
  return options.onInconclusive === 'continue'
    ? { kind: 'continue-inconclusive', reason: `${after}; continuing (--on-inconclusive continue)` }
    : { kind: 'fail', reason: `inconclusive: ${after} (--on-inconclusive fail)` };
}

/**
 * One-sided Fisher exact test: the probability, if canary and baseline had the same error rate,
 * of the canary getting at least `canaryErrors` of all the errors seen, given both request
 * counts (the hypergeometric upper tail). 1 when there is nothing to compare.
 */
export function fisherOneSided(
  canaryErrors: number,
  canaryRequests: number,
  baselineErrors: number,
  baselineRequests: number,
): number {
  const total = canaryRequests + baselineRequests;
  const errors = canaryErrors + baselineErrors;
  if (canaryRequests === 0 || baselineRequests === 0 || errors === 0) return 1;
  const max = Math.min(errors, canaryRequests);
  const logDenominator = logChoose(total, canaryRequests);
  let p = 0;
  for (let k = canaryErrors; k <= max; k++) {
    p += Math.exp(
      logChoose(errors, k) + logChoose(total - errors, canaryRequests - k) - logDenominator,
    );
  }
  return Math.min(1, p);
}

function rate(stats: WindowStats): number {
  return stats.requests === 0 ? 0 : stats.errors / stats.requests;
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

const LOG_FACTORIALS: number[] = [0];
const CACHED_FACTORIALS = 5000;

// ln(n!): by summation (cached) up to 5000, then Stirling's series, whose error there is
// below 1e-16 relative: enough for counts of any size without a table of millions.
function logFactorial(n: number): number {
  if (n > CACHED_FACTORIALS) {
    return (
      n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3)
    );
  }
  for (let i = LOG_FACTORIALS.length; i <= n; i++) {
    LOG_FACTORIALS.push((LOG_FACTORIALS[i - 1] as number) + Math.log(i));
  }
  return LOG_FACTORIALS[n] as number;
}

/** A fraction as a percentage with two decimals at most: 0.0525 → `5.25%`. */
export function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
