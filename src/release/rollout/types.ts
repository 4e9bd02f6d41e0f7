/**
 * The vocabulary of `release rollout`: its options, the events it reports while it runs, and
 * its result (the `--json` object). Types only; the operation is `operations/rollout.ts`.
 */
import type { PublishOutcome } from '../../platform/control-plane.ts';
import type { JudgementOptions, StepDecision } from './judgement.ts';
import type { RolloutSchedule } from './schedule.ts';

/** The alarm check: of the named alarms, those in ALARM (CloudWatch on AWS). */
export type AlarmCheck = (names: readonly string[]) => Promise<string[]>;

/** Options of `release rollout`. */
export interface RolloutOptions {
  /** The version to roll out; default: publish the verified `$LATEST`. */
  readonly version?: string;
  /** Roll out code that was not verified on staging (recorded in history). */
  readonly force?: boolean;
  /** Continue the interrupted rollout of the state dir instead of starting one. */
  readonly resume?: boolean;
  /** The steps (ignored with `resume`: the record's are used). */
  readonly schedule: RolloutSchedule;
  /** The judgement's thresholds (ignored with `resume`). */
  readonly judgement: JudgementOptions;
  /** Time between two judgements (ms) (ignored with `resume`). */
  readonly tickMs: number;
  /** Alarm names; the step fails when one is in ALARM (needs {@link RolloutDeps.alarms}). */
  readonly alarms?: readonly string[];
}

/** What the rollout reports while it runs (the CLI prints it). */
export type RolloutEvent =
  | {
      readonly kind: 'start';
      readonly version: string;
      readonly baseline: string;
      readonly schedule: string;
      readonly resumed: boolean;
    }
  | {
      readonly kind: 'step';
      readonly step: number;
      readonly steps: number;
      readonly percent: number;
    }
  | { readonly kind: 'tick'; readonly tick: TickReport }
  | { readonly kind: 'note'; readonly text: string };

/** One version's numbers in a window, as reported. */
export interface VersionWindow {
  readonly version: string;
  readonly requests: number;
  readonly errors: number;
  /** errors / requests (0 without requests). */
  readonly error_rate: number;
  /** 99th percentile latency (ms), null without samples. */
  readonly p99_ms: number | null;
}

/** One judgement during a step. */
export interface TickReport {
  /** 1-based step number. */
  readonly step: number;
  readonly steps: number;
  /** The canary's share (%). */
  readonly percent: number;
  /** ms since the step's window started. */
  readonly elapsed_ms: number;
  readonly canary: VersionWindow;
  readonly baseline: VersionWindow;
  /** The one-sided Fisher p-value of the error comparison. */
  readonly p_value: number;
  /** Canary p99 / baseline p99, when judged. */
  readonly p99_ratio: number | null;
  /** `watch`, `pass`, `fail`, `extend` or `continue-inconclusive`. */
  readonly decision: StepDecision['kind'];
  /** Why, for fail / extend / continue. */
  readonly reason?: string;
}

/** One step of the result. */
export interface StepReport {
  /** 1-based. */
  readonly step: number;
  readonly percent: number;
  readonly started_at: string;
  readonly ended_at: string;
  /** `pass`, `fail`, `continue-inconclusive`, `interrupted`, `stopped`, or `done` (100 %). */
  readonly verdict: string;
  readonly reason?: string;
  readonly extensions: number;
  /** The last judgement's numbers (absent for the final 100 % step). */
  readonly canary?: VersionWindow;
  readonly baseline?: VersionWindow;
  readonly p_value?: number;
  readonly p99_ratio?: number | null;
}

/**
 * How it ended: `succeeded` (prod at 100 % on the new version), `aborted` (the judgement or an
 * alarm failed it; prod back on the baseline), `interrupted` (Ctrl-C / SIGTERM; prod back on the
 * baseline), `stopped` (another command changed prod, e.g. `release rollback`; left as it is).
 */
export type RolloutOutcome = 'succeeded' | 'aborted' | 'interrupted' | 'stopped';

/** The `release rollout` result (its `--json`). */
export interface RolloutResult {
  readonly outcome: RolloutOutcome;
  /** Why it did not succeed. */
  readonly reason?: string;
  /** The rollout's id (in its history entries). */
  readonly id: string;
  readonly version: string;
  readonly baseline: string;
  readonly code_sha256: string;
  readonly schedule: string;
  readonly resumed: boolean;
  readonly verified: boolean;
  readonly forced: boolean;
  /** The publish step, when the rollout published `$LATEST`. */
  readonly published?: PublishOutcome;
  /** Prod's routing at the end (compact, e.g. `4` or `3`). */
  readonly prod: string;
  readonly steps: readonly StepReport[];
}
