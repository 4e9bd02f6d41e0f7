import type { CommandContext, ParsedArgs } from '../../../command.ts';
import { UsageError } from '../../../errors.ts';
import { isReleaseError, ReleaseError } from '../../../../errors.ts';
import type { VersionMetricsSource } from '../../../../platform/metrics.ts';
import { openLocalMetricsSource } from '../../../../platform/local/metrics-source.ts';
import {
  type AlarmCheck,
  rollout,
  type RolloutEvent,
  type RolloutOptions,
  type RolloutResult,
  type TickReport,
  type VersionWindow,
} from '../../../../release/operations/rollout.ts';
import { DEFAULT_JUDGEMENT, percent } from '../../../../release/rollout/judgement.ts';
import { parseDuration, parseSchedule } from '../../../../release/rollout/schedule.ts';
import { startTraffic } from '../../../../release/rollout/traffic.ts';
import { CONTRACT_CHECKS } from '../../../../release/verify/contract-checks.ts';
import { loadProjectChecks } from '../../../../release/verify/project-checks.ts';
import type { ReleaseContext } from '../../../../release/context.ts';
import { versionArg } from '../args.ts';
import { runRelease } from '../run-release.ts';
import type { ReleaseArgs, ReleaseSession } from '../session.ts';
import { writeJson } from '../session.ts';

/** Exit code of a rollout that did not reach 100 % (prod is on the baseline). */
export const ROLLOUT_ABORTED_EXIT = 3;

/** Default time between two judgements, per target. */
export const DEFAULT_TICK_MS = { local: 10_000, aws: 60_000 } as const;

/** `stagecraft release rollout [VERSION] …`. */
export function run(ctx: CommandContext, parsed: ParsedArgs): Promise<number> {
  let options: RolloutOptions | undefined;
  let trafficRps: number | undefined;
  return runRelease(ctx, parsed, 'rollout', {
    prepare(args) {
      ({ options, trafficRps } = rolloutOptions(args));
      return {};
    },
    async run(release, args, session) {
      const metrics = await metricsSourceFor(release, session);
      const alarms = await alarmCheckFor(release, session);
      const checks =
        trafficRps === undefined
          ? []
          : [
              ...CONTRACT_CHECKS.map((check) => ({ check, source: 'built-in' })),
              ...(await loadProjectChecks(release.projectDir)),
            ];
      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => controller.abort(`interrupted by ${signal}`);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const print = printer(ctx, args.common.json);
      try {
        const result = await rollout(release, options as RolloutOptions, {
          metrics,
          ...(alarms !== undefined ? { alarms } : {}),
          ...(trafficRps !== undefined
            ? {
                startTraffic: (prodUrl: string) =>
                  startTraffic({ baseUrl: prodUrl, rps: trafficRps as number, checks }),
              }
            : {}),
          signal: controller.signal,
          onEvent: print,
        });
        if (args.common.json) writeJson(ctx, result);
        else ctx.stdout.write(summary(result));
        if (result.forced && !args.common.json) {
          ctx.stderr.write(
            `warning: version ${result.version} was rolled out WITHOUT verification (--force); ` +
              'this is recorded in the history\n',
          );
        }
        return result.outcome === 'succeeded' ? 0 : ROLLOUT_ABORTED_EXIT;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  });
}

/** The command line → rollout options (UsageError, exit 2, for anything malformed). */
export function rolloutOptions(args: ReleaseArgs): {
  options: RolloutOptions;
  trafficRps?: number;
} {
  const values = args.values as Readonly<Record<string, string | boolean | string[] | undefined>>;
  const str = (name: string) => values[name] as string | undefined;
  const [version] = args.positionals;
  const resume = values.resume === true;
  const target = args.common.target;
  if (resume) {
    const conflicting = ['strategy', 'steps', 'interval'].filter(
      (name) => values[name] !== undefined,
    );
    if (version !== undefined || conflicting.length > 0) {
      throw new UsageError(
        `--resume continues the recorded rollout as it was started; it takes no ${
          version !== undefined ? 'VERSION' : `--${conflicting[0]}`
        }`,
      );
    }
  }
  const alarms = (values.alarm as string[] | undefined) ?? [];
  if (alarms.length > 0 && target !== 'aws') {
    throw new UsageError('--alarm applies to --target aws only');
  }
  const traffic = str('traffic');
  if (traffic !== undefined && target !== 'local') {
    throw new UsageError('--traffic applies to --target local only');
  }
  let schedule;
  let tickMs: number;
  try {
    schedule = parseSchedule({
      ...(str('strategy') !== undefined ? { strategy: str('strategy') as string } : {}),
      ...(str('steps') !== undefined ? { steps: str('steps') as string } : {}),
      ...(str('interval') !== undefined ? { interval: str('interval') as string } : {}),
    });
    const tick = str('tick');
    tickMs = tick === undefined ? DEFAULT_TICK_MS[target] : parseDuration(tick, '--tick');
  } catch (error) {
    if (isReleaseError(error, 'rollout.usage')) throw new UsageError(error.message);
    throw error;
  }
  const onInconclusive = str('on-inconclusive') ?? DEFAULT_JUDGEMENT.onInconclusive;
  if (onInconclusive !== 'fail' && onInconclusive !== 'continue') {
    throw new UsageError(`--on-inconclusive must be fail or continue, got '${onInconclusive}'`);
  }
  const options: RolloutOptions = {
    ...(version !== undefined ? { version: versionArg('VERSION', version) } : {}),
    force: values.force === true,
    resume,
    schedule,
    tickMs,
    alarms,
    judgement: {
      maxErrorRate:
        str('max-error-rate') === undefined
          ? DEFAULT_JUDGEMENT.maxErrorRate
          : percentFlag('--max-error-rate', str('max-error-rate') as string) / 100,
      confidence: numberFlag('--confidence', str('confidence'), DEFAULT_JUDGEMENT.confidence, {
        above: 0,
        below: 1,
      }),
      maxP99Ratio: numberFlag(
        '--max-p99-ratio',
        str('max-p99-ratio'),
        DEFAULT_JUDGEMENT.maxP99Ratio,
        {
          above: 0,
        },
      ),
      minRequests: integerFlag(
        '--min-requests',
        str('min-requests'),
        DEFAULT_JUDGEMENT.minRequests,
        1,
      ),
      maxExtensions: integerFlag(
        '--max-extensions',
        str('max-extensions'),
        DEFAULT_JUDGEMENT.maxExtensions,
        0,
      ),
      onInconclusive,
    },
  };
  if (traffic === undefined) return { options };
  return {
    options,
    trafficRps: numberFlag('--traffic', traffic, 0, { above: 0, atMost: 1000 }),
  };
}

/** The metrics the rollout judges by: the dev server's locally, CloudWatch's on AWS. */
async function metricsSourceFor(
  release: ReleaseContext,
  session: ReleaseSession,
): Promise<VersionMetricsSource> {
  if (release.controlPlane.target === 'aws') return (await awsSignals(release, session)).metrics;
  return openLocalMetricsSource({ stateDir: release.stateDir });
}

/** The `--alarm` check: CloudWatch's on AWS; none locally (--alarm is refused there). */
async function alarmCheckFor(
  release: ReleaseContext,
  session: ReleaseSession,
): Promise<AlarmCheck | undefined> {
  if (release.controlPlane.target !== 'aws') return undefined;
  return (await awsSignals(release, session)).alarms;
}

// CloudWatch's metrics and alarms for the session's function, built from its AWS clients;
// loaded only for --target aws.
async function awsSignals(release: ReleaseContext, session: ReleaseSession) {
  const cloudwatch = session.awsClients?.cloudwatch;
  if (cloudwatch === undefined) {
    throw new ReleaseError(
      'rollout.metrics',
      'release rollout --target aws needs a CloudWatch client, and this session has none',
    );
  }
  const { awsRolloutSignals } = await import('../../../../platform/aws/rollout-signals.ts');
  return awsRolloutSignals({ cloudwatch, functionName: release.controlPlane.functionName });
}

function percentFlag(flag: string, text: string): number {
  const value = numberFlag(flag, text.replace(/%$/, ''), 0, { above: 0, below: 100 });
  return value;
}

function numberFlag(
  flag: string,
  text: string | undefined,
  fallback: number,
  range: { above?: number; below?: number; atMost?: number },
): number {
  if (text === undefined) return fallback;
  const value = /^[0-9]+(\.[0-9]+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  const ok =
    Number.isFinite(value) &&
    (range.above === undefined || value > range.above) &&
    (range.below === undefined || value < range.below) &&
    (range.atMost === undefined || value <= range.atMost);
  if (!ok) {
    const bounds = [
      range.above !== undefined ? `above ${range.above}` : '',
      range.below !== undefined ? `below ${range.below}` : '',
      range.atMost !== undefined ? `at most ${range.atMost}` : '',
    ].filter((part) => part !== '');
    throw new UsageError(`${flag} must be a number ${bounds.join(' and ')}, got '${text}'`);
  }
  return value;
}

function integerFlag(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
): number {
  if (text === undefined) return fallback;
  if (!/^[0-9]+$/.test(text.trim()) || Number(text) < min) {
    throw new UsageError(`${flag} must be a whole number of at least ${min}, got '${text}'`);
  }
  return Number(text);
}

/**
 * Progress on stderr. On a TTY one line per tick; elsewhere (a pipe, CI) only the start, step
 * changes, the ticks that decide something (extend, pass, fail) and notes, so logs stay short.
 * With --json nothing: the one JSON object at the end says it all.
 */
function printer(ctx: CommandContext, json: boolean): (event: RolloutEvent) => void {
  if (json) return () => undefined;
  const tty = (ctx.stderr as NodeJS.WriteStream).isTTY === true;
  const write = (line: string) => ctx.stderr.write(`${line}\n`);
  return (event) => {
    switch (event.kind) {
      case 'start':
        write(
          `${event.resumed ? 'resuming' : 'rolling out'} version ${event.version} over version ` +
            `${event.baseline} (${event.schedule})`,
        );
        return;
      case 'step':
        write(`step ${event.step}/${event.steps}: ${event.percent}% of prod to the new version`);
        return;
      case 'tick':
        if (tty || event.tick.decision !== 'watch') write(tickLine(event.tick));
        return;
      case 'note':
        write(event.text);
        return;
    }
  };
}

/** One tick as a line: step, weight, canary vs baseline (requests, error rate, p99), verdict. */
export function tickLine(tick: TickReport): string {
  const verdict =
    tick.decision === 'watch'
      ? 'ok so far'
      : `${tick.decision}${tick.reason ? `: ${tick.reason}` : ''}`;
  return (
    `  step ${tick.step}/${tick.steps} ${tick.percent}% · ${Math.round(tick.elapsed_ms / 1000)}s · ` +
    `canary ${side(tick.canary)} · baseline ${side(tick.baseline)} · ${verdict}`
  );
}

function side(w: VersionWindow): string {
  return `v${w.version} ${w.requests} req ${percent(w.error_rate)} err p99 ${w.p99_ms ?? '-'} ms`;
}

function summary(result: RolloutResult): string {
  if (result.outcome === 'succeeded') {
    return `rollout succeeded: prod serves version ${result.version} (was ${result.baseline})\n`;
  }
  const lines = [
    `rollout ${result.outcome}: ${result.reason ?? ''}`,
    `prod: ${result.prod}${result.outcome === 'stopped' ? ' (left as the other command set it)' : ` (back on version ${result.baseline})`}`,
  ];
  const last = result.steps[result.steps.length - 1];
  if (last?.canary !== undefined && last.baseline !== undefined) {
    lines.push(
      `last window: canary ${side(last.canary)} · baseline ${side(last.baseline)} · ` +
        `Fisher p = ${(last.p_value ?? 1).toPrecision(3)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
