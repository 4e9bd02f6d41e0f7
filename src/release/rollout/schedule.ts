/**
 * A rollout's schedule: the prod traffic shares the new version gets, step by step, and how
 * long each step is watched. Parsed from `--strategy` or `--steps` + `--interval`; pure, so
 * every spelling is tested without a clock. The names follow CodeDeploy's predefined Lambda
 * configurations (`Canary10Percent5Minutes`, `Linear10PercentEvery1Minute`, `AllAtOnce`).
 */
import { ReleaseError } from '../../errors.ts';

/** One step: the new version's share of prod, and how long it is watched at that share. */
export interface RolloutStep {
  /** Percentage of prod traffic to the new version, in (0, 100]. */
  readonly percent: number;
  /** How long the step is watched before the next (ms); 0 for the final 100 % step. */
  readonly durationMs: number;
}

/** A parsed schedule. */
export interface RolloutSchedule {
  /** As given, normalised: `canary:10:5m`, `linear:10:1m`, `all-at-once`, `steps:5,25,100@2m`. */
  readonly name: string;
  /** The steps, shares strictly increasing; the last is always 100 % (not watched). */
  readonly steps: readonly RolloutStep[];
}

/** The default strategy (as CodeDeploy's `Canary10Percent5Minutes`). */
export const DEFAULT_STRATEGY = 'canary:10:5m';

/** What the user gave: a strategy, or steps and an interval. */
export interface ScheduleInput {
  /** `--strategy`. */
  readonly strategy?: string;
  /** `--steps` (comma-separated percentages). */
  readonly steps?: string;
  /** `--interval` (a duration). */
  readonly interval?: string;
}

/**
 * The schedule of `input`; `rollout.usage` (the CLI's exit 2) when it is malformed.
 * @example parseSchedule({ strategy: 'canary:10:5m' }).steps
 *   // [{ percent: 10, durationMs: 300000 }, { percent: 100, durationMs: 0 }]
 */
export function parseSchedule(input: ScheduleInput): RolloutSchedule {
  if (input.strategy !== undefined && (input.steps !== undefined || input.interval !== undefined)) {
    throw usage('give either --strategy or --steps with --interval, not both');
  }
  if (input.steps !== undefined || input.interval !== undefined) {
    if (input.steps === undefined) throw usage('--interval goes with --steps');
    if (input.interval === undefined) throw usage('--steps needs --interval (e.g. --interval 2m)');
    return stepsSchedule(input.steps, parseDuration(input.interval, '--interval'));
  }
  return strategySchedule(input.strategy ?? DEFAULT_STRATEGY);
}

/**
 * A duration: a positive number with a unit `s`, `m` or `h` (`30s`, `5m`, `1.5h`), in ms.
 * @param what the flag, for the message
 */
export function parseDuration(text: string, what: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(s|m|h)$/.exec(text.trim());
  const unitMs = { s: 1000, m: 60_000, h: 3_600_000 } as const;
  const ms = match === null ? Number.NaN : Number(match[1]) * unitMs[match[2] as 's' | 'm' | 'h'];
  if (!(ms >= 1000) || !Number.isFinite(ms)) {
    throw usage(`${what} must be a duration of at least 1s like 30s, 5m or 1h, got '${text}'`);
  }
  return Math.round(ms);
}

/** A duration as the shortest of `90s`, `5m`, `1.5h` that is exact (for messages). */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Number((ms / 1000).toFixed(3))}s`;
}

function strategySchedule(text: string): RolloutSchedule {
  const strategy = text.trim();
  if (strategy === 'all-at-once')
    return { name: strategy, steps: [{ percent: 100, durationMs: 0 }] };
  const parts = strategy.split(':');
  const [kind, percentText, durationText] = parts;
  if (parts.length !== 3 || (kind !== 'canary' && kind !== 'linear')) {
    throw usage(
      `--strategy must be canary:PERCENT:DURATION, linear:PERCENT:DURATION or all-at-once, got '${text}'`,
    );
  }
  const percent = parsePercent(percentText ?? '', `--strategy ${kind}`);
  const durationMs = parseDuration(durationText ?? '', `the duration of --strategy ${kind}`);
  if (percent >= 100) {
    throw usage(`the percentage of --strategy ${kind} must be below 100, got ${percent}`);
  }
  const name = `${kind}:${percent}:${formatDuration(durationMs)}`;
  if (kind === 'canary') {
    return { name, steps: [{ percent, durationMs }, final()] };
  }
  const steps: RolloutStep[] = [];
  // Integer tenths avoid float drift (0.1 + 0.2): shares are kept to 0.1 % anyway.
  for (let tenths = percent * 10; tenths < 1000; tenths += percent * 10) {
    steps.push({ percent: Math.round(tenths) / 10, durationMs });
  }
  return { name, steps: [...steps, final()] };
}

function stepsSchedule(text: string, durationMs: number): RolloutSchedule {
  const percents = text.split(',').map((part) => parsePercent(part, '--steps'));
  for (let index = 1; index < percents.length; index++) {
    if ((percents[index] as number) <= (percents[index - 1] as number)) {
      throw usage(`--steps must increase, got '${text}'`);
    }
  }
  const watched = percents.filter((percent) => percent < 100);
  const steps = [...watched.map((percent) => ({ percent, durationMs })), final()];
  return {
    name: `steps:${[...watched, 100].join(',')}@${formatDuration(durationMs)}`,
    steps,
  };
}

function parsePercent(text: string, what: string): number {
  const trimmed = text.trim().replace(/%$/, '');
  const value = /^[0-9]+(\.[0-9])?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(value > 0 && value <= 100)) {
    throw usage(
      `${what}: percentages are numbers in (0, 100] with at most one decimal, got '${text}'`,
    );
  }
  return value;
}

function final(): RolloutStep {
  return { percent: 100, durationMs: 0 };
}

function usage(message: string): ReleaseError {
  return new ReleaseError('rollout.usage', message);
}
