/**
 * `release rollout`: progressive delivery. Prod's alias weights move step by step to the new
 * version (the same guarded update as `promote --canary` and `rollback`, see move-prod.ts);
 * at every tick the canary is judged against the baseline serving at the same time
 * (rollout/judgement.ts), and a conclusive failure, an alarm, Ctrl-C or SIGTERM sends prod back
 * to the baseline at once.
 *
 * Concurrency: the rollout holds `rollout.lock` for its whole run (two rollouts never run at
 * once) but the release lock only while it moves the alias, so that `release rollback` from
 * another terminal can act: the rollout re-reads prod's alias at least every second and stops
 * as soon as the alias is no longer the one it set. Its progress is `rollout.json`, replaced at
 * every step and every tick (the last tick's numbers), so a `kill -9` leaves enough to
 * `--resume` (or to end it with `rollback`).
 *
 * Its dependencies are injected: the control plane (in the context), a
 * {@link VersionMetricsSource} and an optional alarm check, so the same code runs locally, on
 * AWS and on a fake clock in tests.
 */
import { type ReleaseContext, record, withReleaseLock } from '../context.ts';
import {
  type AliasRouting,
  type AliasState,
  formatRouting,
  hasCanary,
  routingOf,
} from '../../platform/alias.ts';
import type { VersionMetricsSource, WindowStats } from '../../platform/metrics.ts';
import { isReleaseError, ReleaseError } from '../../errors.ts';
import {
  acquireRolloutLock,
  clearRollout,
  type RolloutRecord,
  withoutTick,
  writeRollout,
  rolloutStopRequested,
} from '../../state/rollout.ts';
import {
  decideTick,
  type Judgement,
  type JudgementOptions,
  judge,
  type StepDecision,
} from '../rollout/judgement.ts';
import { resumeRecord, type Started, startRecord } from '../rollout/start.ts';
import type { Traffic } from '../rollout/traffic.ts';
import type {
  AlarmCheck,
  RolloutEvent,
  RolloutOptions,
  RolloutOutcome,
  RolloutResult,
  StepReport,
  TickReport,
  VersionWindow,
} from '../rollout/types.ts';
import { moveProd, type ProdChange } from './move-prod.ts';

export type {
  AlarmCheck,
  RolloutEvent,
  RolloutOptions,
  RolloutOutcome,
  RolloutResult,
  StepReport,
  TickReport,
  VersionWindow,
} from '../rollout/types.ts';

/** What the rollout needs besides the release context. */
export interface RolloutDeps {
  /** Per-version window stats of prod. */
  readonly metrics: VersionMetricsSource;
  /** The alarm check (`--alarm`); none locally. */
  readonly alarms?: AlarmCheck;
  /** Starts traffic against prod (`--traffic`); called once the first step is set. */
  readonly startTraffic?: (prodUrl: string) => Traffic;
  /** Aborted by Ctrl-C / SIGTERM: the rollout rolls back and says so. */
  readonly signal?: AbortSignal;
  /**
   * Waits; tests pass a fake that advances their clock.
   * @default setTimeout
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * How often the rollout checks that it still owns prod and was not interrupted (ms).
   * @default 1000
   */
  readonly pollMs?: number;
  /** Progress. */
  readonly onEvent?: (event: RolloutEvent) => void;
}

// Why the step loop stopped early.
class StopRollout extends Error {
  constructor(
    readonly outcome: Exclude<RolloutOutcome, 'succeeded'>,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Runs (or resumes) a rollout; see the module comment. */
export async function rollout(
  ctx: ReleaseContext,
  options: RolloutOptions,
  deps: RolloutDeps,
): Promise<RolloutResult> {
  if ((options.alarms?.length ?? 0) > 0 && deps.alarms === undefined) {
    throw new ReleaseError(
      'rollout.metrics',
      `--alarm needs an alarm check, and none is wired for the ${ctx.controlPlane.target} target`,
    );
  }
  const lock = await acquireRolloutLock(ctx.stateDir, ctx.commandLine);
  try {
    const started =
      options.resume === true ? await resumeRecord(ctx) : await startRecord(ctx, options);
    return await new Run(ctx, deps, started.record, started).run();
  } finally {
    await lock.release();
  }
}

// One run of the step loop over a record.
class Run {
  readonly #steps: StepReport[] = [];
  readonly #judgement: JudgementOptions;
  readonly #tickMs: number;
  readonly #alarms: readonly string[];
  readonly #sleep: (ms: number) => Promise<void>;
  #owned: AliasState | undefined;
  #record: RolloutRecord;
  #traffic: Traffic | undefined;

  constructor(
    private readonly ctx: ReleaseContext,
    private readonly deps: RolloutDeps,
    record: RolloutRecord,
    private readonly started: Started,
  ) {
    this.#record = record;
    this.#owned = started.prod;
    const o = record.options;
    this.#judgement = {
      maxErrorRate: Number(o.max_error_rate),
      confidence: Number(o.confidence),
      maxP99Ratio: Number(o.max_p99_ratio),
      minRequests: Number(o.min_requests),
      maxExtensions: Number(o.max_extensions),
      onInconclusive: o.on_inconclusive === 'continue' ? 'continue' : 'fail',
    };
    this.#tickMs = Number(o.tick_ms);
    this.#alarms = Array.isArray(o.alarms) ? (o.alarms as string[]) : [];
    this.#sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async run(): Promise<RolloutResult> {
    const r = this.#record;
    this.#emit({
      kind: 'start',
      version: r.version,
      baseline: r.baseline,
      schedule: r.schedule.name,
      resumed: this.started.resumed,
    });
    let outcome: RolloutOutcome = 'succeeded';
    let reason: string | undefined;
    try {
      // An alarm already in ALARM, or a misspelt name (alarm.not-found), stops the rollout
      // before any traffic moves, as CodeDeploy does.
      await this.#stopOnAlarm();
      for (let index = r.step; index < r.schedule.steps.length; index++) {
        await this.#runStep(index);
      }
    } catch (error) {
      if (!(error instanceof StopRollout)) {
        // An unexpected failure (AWS down, a bug): prod must not stay half-moved.
        await this.#stopTraffic();
        await this.#rollBack(`the rollout failed: ${(error as Error).message}`).catch(
          () => undefined,
        );
        await this.#end('aborted', `the rollout failed: ${(error as Error).message}`);
        throw error;
      }
      outcome = error.outcome;
      reason = error.reason;
      await this.#stopTraffic();
      if (outcome !== 'stopped') await this.#rollBack(reason);
    }
    await this.#stopTraffic();
    await this.#end(outcome, reason);
    const prod = await this.ctx.controlPlane.getAlias('prod');
    return {
      outcome,
      ...(reason !== undefined ? { reason } : {}),
      id: r.id,
      version: r.version,
      baseline: r.baseline,
      code_sha256: r.code_sha256,
      schedule: r.schedule.name,
      resumed: this.started.resumed,
      verified: r.verified,
      forced: r.forced,
      ...(this.started.published !== undefined ? { published: this.started.published } : {}),
      prod: formatRouting(prod, 'compact'),
      steps: this.#steps,
    };
  }

  async #runStep(index: number): Promise<void> {
    const r = this.#record;
    const step = r.schedule.steps[index] as { percent: number; duration_ms: number };
    const total = r.schedule.steps.length;
    if (index !== r.step) {
      this.#record = { ...withoutTick(r), step: index };
      await writeRollout(this.ctx.stateDir, this.#record);
    }
    this.#emit({ kind: 'step', step: index + 1, steps: total, percent: step.percent });
    const startedAt = this.ctx.now();
    if (step.percent >= 100) {
      await this.#move({ version: r.version }, 'complete', index);
      this.#steps.push({
        step: index + 1,
        percent: 100,
        started_at: startedAt.toISOString(),
        ended_at: this.ctx.now().toISOString(),
        verdict: 'done',
        extensions: 0,
      });
      return;
    }
    await this.#move(
      { version: r.baseline, weights: { [r.version]: step.percent / 100 } },
      'canary',
      index,
    );
    if (this.#traffic === undefined && this.deps.startTraffic !== undefined) {
      this.#traffic = this.deps.startTraffic(await this.ctx.controlPlane.stageUrl('prod'));
    }
    // The window starts now: a local source keeps the snapshot taken by this first call.
    const from = this.ctx.now();
    await this.deps.metrics.window({
      stage: 'prod',
      versions: [r.version, r.baseline],
      from,
      to: from,
    });
    let extensions = 0;
    let last: TickReport | undefined;
    const stepRecord = (verdict: string, reason?: string): StepReport => ({
      step: index + 1,
      percent: step.percent,
      started_at: startedAt.toISOString(),
      ended_at: this.ctx.now().toISOString(),
      verdict,
      ...(reason !== undefined ? { reason } : {}),
      extensions,
      ...(last !== undefined
        ? {
            canary: last.canary,
            baseline: last.baseline,
            p_value: last.p_value,
            p99_ratio: last.p99_ratio,
          }
        : {}),
    });
    try {
      for (;;) {
        await this.#wait(this.#tickMs);
        const to = new Date(this.ctx.now().getTime() - this.deps.metrics.settleMs);
        if (to.getTime() <= from.getTime()) {
          // No window to judge yet (CloudWatch's delay): alarms are still watched every tick.
          await this.#stopOnAlarm(`step ${index + 1}/${total} (${step.percent}%): `);
          continue;
        }
        const stats = await this.deps.metrics.window({
          stage: 'prod',
          versions: [r.version, r.baseline],
          from,
          to,
        });
        const canary = stats[r.version] ?? EMPTY;
        const baseline = stats[r.baseline] ?? EMPTY;
        let judgement = judge(canary, baseline, this.#judgement);
        judgement = await this.#withAlarms(judgement);
        const decision = decideTick(
          {
            judgement,
            canaryRequests: canary.requests,
            elapsedMs: to.getTime() - from.getTime(),
            durationMs: step.duration_ms,
            extensions,
          },
          this.#judgement,
        );
        last = tickReport(
          index + 1,
          total,
          step.percent,
          to.getTime() - from.getTime(),
          r,
          canary,
          baseline,
          judgement,
          decision,
        );
        this.#emit({ kind: 'tick', tick: last });
        await this.#recordTick(last);
        switch (decision.kind) {
          case 'watch':
            continue;
          case 'extend':
            extensions = decision.extension;
            continue;
          case 'fail':
            throw new StopRollout(
              'aborted',
              `step ${index + 1}/${total} (${step.percent}%): ${decision.reason}`,
            );
          case 'pass':
          case 'continue-inconclusive': {
            const report = stepRecord(
              decision.kind,
              decision.kind === 'pass' ? undefined : decision.reason,
            );
            await this.#recordStep(report);
            return;
          }
        }
      }
    } catch (error) {
      if (error instanceof StopRollout) {
        const verdict = error.outcome === 'aborted' ? 'fail' : error.outcome;
        await this.#recordStep(stepRecord(verdict, error.reason));
      }
      throw error;
    }
  }

  // Throws StopRollout('aborted') when an alarm of --alarm is in ALARM.
  async #stopOnAlarm(where = ''): Promise<void> {
    const firing = await this.#firingAlarms();
    if (firing.length > 0) throw new StopRollout('aborted', `${where}${alarmReason(firing)}`);
  }

  async #firingAlarms(): Promise<string[]> {
    if (this.#alarms.length === 0 || this.deps.alarms === undefined) return [];
    return this.deps.alarms(this.#alarms);
  }

  async #withAlarms(judgement: Judgement): Promise<Judgement> {
    if (judgement.verdict === 'fail') return judgement;
    const firing = await this.#firingAlarms();
    if (firing.length === 0) return judgement;
    return { ...judgement, verdict: 'fail', reason: alarmReason(firing) };
  }

  // Sleeps `ms` in slices of at most pollMs, stopping early when interrupted or when prod is
  // no longer ours.
  async #wait(ms: number): Promise<void> {
    const poll = this.deps.pollMs ?? 1000;
    const until = this.ctx.now().getTime() + ms;
    for (;;) {
      this.#checkInterrupted();
      const left = until - this.ctx.now().getTime();
      if (left <= 0) return;
      await this.#sleep(Math.min(poll, left));
      this.#checkInterrupted();
      await this.#checkOwned();
      if (await rolloutStopRequested(this.ctx.stateDir, this.#record.id)) {
        throw new StopRollout('stopped', STOP_REQUESTED);
      }
    }
  }

  #checkInterrupted(): void {
    const signal = this.deps.signal;
    if (signal?.aborted === true) {
      const why = typeof signal.reason === 'string' ? signal.reason : 'interrupted';
      throw new StopRollout('interrupted', `${why}: rolled back`);
    }
  }

  async #checkOwned(): Promise<void> {
    if (this.#owned === undefined) return;
    const prod = await this.ctx.controlPlane.getAlias('prod');
    if (prod.revision !== this.#owned.revision) {
      this.#owned = undefined;
      throw new StopRollout(
        'stopped',
        `prod was changed by another command (now ${formatRouting(prod, 'prose')}; ` +
          '`release rollback`?); the rollout stopped and left prod as it is',
      );
    }
  }

  // Moves prod (release lock held, guarded by the revision the rollout last set).
  async #move(
    to: AliasRouting,
    action: 'canary' | 'complete' | 'abort',
    index: number,
  ): Promise<void> {
    const r = this.#record;
    const moved = await retryWhileLocked(() =>
      withReleaseLock(this.ctx, async () => {
        const prod = await this.ctx.controlPlane.getAlias('prod');
        // Checked under the release lock that `release rollback` writes it under: a rollback
        // either ran before this move (and is seen here) or after it (and sees the canary).
        if (action !== 'abort' && (await rolloutStopRequested(this.ctx.stateDir, r.id))) {
          throw new StopRollout('stopped', STOP_REQUESTED);
        }
        if (this.#owned !== undefined && prod.revision !== this.#owned.revision) {
          throw new StopRollout(
            'stopped',
            `prod was changed by another command (now ${formatRouting(prod, 'prose')}); the ` +
              'rollout stopped and left prod as it is',
          );
        }
        if (formatRouting(prod, 'compact') === formatRouting(to, 'compact')) return prod;
        const plan: ProdChange = { kind: 'change', action, from: routingOf(prod), to };
        await moveProd(this.ctx, prod, plan, {
          version: action === 'abort' ? r.baseline : r.version,
          code_sha256: r.code_sha256,
          rollout: r.id,
          step: index + 1,
          forced: r.forced,
        });
        return this.ctx.controlPlane.getAlias('prod');
      }),
    );
    this.#owned = moved;
  }

  async #rollBack(reason: string): Promise<void> {
    const prod = await this.ctx.controlPlane.getAlias('prod');
    if (prod.version === this.#record.baseline && !hasCanary(prod)) return;
    this.#emit({ kind: 'note', text: `rolling back: ${reason}` });
    this.#owned = prod;
    await this.#move({ version: this.#record.baseline }, 'abort', this.#record.step);
  }

  // The last tick goes into rollout.json (replaced atomically), where `release status` and the
  // release console read it while the rollout runs.
  async #recordTick(tick: TickReport): Promise<void> {
    this.#record = { ...this.#record, last_tick: { at: this.ctx.now().toISOString(), ...tick } };
    await writeRollout(this.ctx.stateDir, this.#record);
  }

  async #recordStep(report: StepReport): Promise<void> {
    this.#steps.push(report);
    await record(this.ctx, {
      action: 'rollout',
      event: 'step',
      stage: 'prod',
      rollout: this.#record.id,
      forced: this.#record.forced,
      ...report,
      steps: this.#record.schedule.steps.length,
    });
  }

  async #end(outcome: RolloutOutcome, reason: string | undefined): Promise<void> {
    const prod = await this.ctx.controlPlane.getAlias('prod');
    await record(this.ctx, {
      action: 'rollout',
      event: 'end',
      stage: 'prod',
      rollout: this.#record.id,
      version: this.#record.version,
      baseline: this.#record.baseline,
      outcome,
      ...(reason !== undefined ? { reason } : {}),
      prod: formatRouting(prod, 'compact'),
      forced: this.#record.forced,
    });
    await clearRollout(this.ctx.stateDir, this.#record.id);
  }

  async #stopTraffic(): Promise<void> {
    const traffic = this.#traffic;
    this.#traffic = undefined;
    if (traffic !== undefined) {
      const sent = await traffic.stop();
      this.#emit({ kind: 'note', text: `traffic stopped after ${sent} requests` });
    }
  }

  #emit(event: RolloutEvent): void {
    this.deps.onEvent?.(event);
  }
}

const EMPTY: WindowStats = { requests: 0, errors: 0, p99Ms: undefined };

function tickReport(
  step: number,
  steps: number,
  percent: number,
  elapsedMs: number,
  r: RolloutRecord,
  canary: WindowStats,
  baseline: WindowStats,
  judgement: Judgement,
  decision: StepDecision,
): TickReport {
  return {
    step,
    steps,
    percent,
    elapsed_ms: elapsedMs,
    canary: versionWindow(r.version, canary),
    baseline: versionWindow(r.baseline, baseline),
    p_value: judgement.errors.pValue,
    p99_ratio: judgement.p99Ratio ?? null,
    decision: decision.kind,
    ...('reason' in decision ? { reason: decision.reason } : {}),
  };
}

function versionWindow(version: string, stats: WindowStats): VersionWindow {
  return {
    version,
    requests: stats.requests,
    errors: stats.errors,
    error_rate: stats.requests === 0 ? 0 : stats.errors / stats.requests,
    p99_ms: stats.p99Ms === undefined ? null : Math.round(stats.p99Ms * 100) / 100,
  };
}

// The release lock is held only for moments (another command's move); wait for it briefly.
async function retryWhileLocked<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isReleaseError(error, 'lock.busy') || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function alarmReason(firing: readonly string[]): string {
  return `alarm${firing.length === 1 ? '' : 's'} in ALARM: ${firing.join(', ')}`;
}

const STOP_REQUESTED =
  'stopped by `release rollback` while prod was still on the baseline; prod left as it is';
