/**
 * How a rollout begins: a new one (checks, the verified version, `rollout.json`, the history's
 * `start` entry) or the interrupted one of the state dir (`--resume`: its record, if prod is
 * still where it left it).
 */
import { randomBytes } from 'node:crypto';
import { type ReleaseContext, record, withReleaseLock } from '../context.ts';
import { type AliasState, canaryVersion, formatRouting, hasCanary } from '../../platform/alias.ts';
import type { PublishOutcome } from '../../platform/control-plane.ts';
import { LATEST } from '../../config/stages.ts';
import { ReleaseError } from '../../errors.ts';
import {
  readRollout,
  ROLLOUT_FORMAT,
  type RolloutRecord,
  writeRollout,
} from '../../state/rollout.ts';
import { promotableVersion } from '../operations/promote.ts';
import type { RolloutOptions } from './types.ts';

/** The record a run starts from, and how it came to be. */
export interface Started {
  readonly record: RolloutRecord;
  readonly resumed: boolean;
  readonly published?: PublishOutcome;
  /**
   * Prod's alias as read when the record was checked: the rollout's first move is guarded by
   * its revision, so a change in between (another machine, the console) stops the rollout
   * instead of being overwritten.
   */
  readonly prod: AliasState;
}

/**
 * Starts a rollout (rollout lock held): refuses over an interrupted one, a running canary or prod
 * on `$LATEST`; resolves the version by promote's verification rule (publishing `$LATEST` when no
 * VERSION is named); writes `rollout.json` and the history's `start` entry.
 */
export async function startRecord(ctx: ReleaseContext, options: RolloutOptions): Promise<Started> {
  const cp = ctx.controlPlane;
  const existing = await readRollout(ctx.stateDir);
  if (existing !== undefined) {
    throw new ReleaseError(
      'rollout.running',
      `an interrupted rollout of version ${existing.version} (step ${existing.step + 1} of ` +
        `${existing.schedule.steps.length}) is recorded in this state dir: continue it with ` +
        '`stagecraft release rollout --resume` or end it with `stagecraft release rollback`',
    );
  }
  if ((options.alarms?.length ?? 0) > 0 && cp.target !== 'aws') {
    throw new ReleaseError('rollout.usage', '--alarm applies to --target aws only');
  }
  return withReleaseLock(ctx, async () => {
    const prod = await cp.getAlias('prod');
    if (hasCanary(prod)) {
      throw new ReleaseError(
        'canary.running',
        `a canary is running on prod (${formatRouting(prod, 'prose')}); finish it with ` +
          '`stagecraft release promote --complete` or abort it with `stagecraft release rollback` ' +
          'before starting a rollout',
      );
    }
    if (prod.version === LATEST) {
      throw new ReleaseError(
        'promote.refused',
        'prod points at $LATEST (the first deployment); promote a published version fully ' +
          'first — a rollout splits traffic between two published versions',
      );
    }
    const versions = await cp.listVersions();
    const target = await promotableVersion(ctx, versions, options);
    if (target.version.version === prod.version) {
      throw new ReleaseError(
        'promote.refused',
        `prod already serves version ${prod.version}; a rollout needs a version other than prod's`,
      );
    }
    const rolloutRecord: RolloutRecord = {
      format: ROLLOUT_FORMAT,
      id: randomBytes(6).toString('hex'),
      target: cp.target,
      function: cp.functionName,
      version: target.version.version,
      baseline: prod.version,
      code_sha256: target.version.code_sha256,
      verified: target.verified,
      forced: target.forced,
      schedule: {
        name: options.schedule.name,
        steps: options.schedule.steps.map((s) => ({
          percent: s.percent,
          duration_ms: s.durationMs,
        })),
      },
      options: {
        max_error_rate: options.judgement.maxErrorRate,
        confidence: options.judgement.confidence,
        max_p99_ratio: options.judgement.maxP99Ratio,
        min_requests: options.judgement.minRequests,
        max_extensions: options.judgement.maxExtensions,
        on_inconclusive: options.judgement.onInconclusive,
        tick_ms: options.tickMs,
        alarms: [...(options.alarms ?? [])],
      },
      step: 0,
      started_at: ctx.now().toISOString(),
      command: ctx.commandLine,
    };
    await writeRollout(ctx.stateDir, rolloutRecord);
    await record(ctx, {
      action: 'rollout',
      event: 'start',
      stage: 'prod',
      rollout: rolloutRecord.id,
      version: rolloutRecord.version,
      baseline: rolloutRecord.baseline,
      code_sha256: rolloutRecord.code_sha256,
      schedule: rolloutRecord.schedule.name,
      verified: target.verified,
      forced: target.forced,
    });
    return {
      record: rolloutRecord,
      resumed: false,
      prod,
      ...(target.published !== undefined ? { published: target.published } : {}),
    };
  });
}

/**
 * The interrupted rollout to continue (rollout lock held): `rollout.none` when there is none,
 * it belongs to another target, or prod is no longer where it left it.
 */
export async function resumeRecord(ctx: ReleaseContext): Promise<Started> {
  const cp = ctx.controlPlane;
  const existing = await readRollout(ctx.stateDir);
  if (existing === undefined) {
    throw new ReleaseError(
      'rollout.none',
      'there is no interrupted rollout to resume in this state dir (see `stagecraft release status`)',
    );
  }
  if (existing.target !== cp.target || existing.function !== cp.functionName) {
    throw new ReleaseError(
      'rollout.none',
      `the interrupted rollout is on the ${existing.target} target (function ${existing.function}); ` +
        `resume it with --target ${existing.target}`,
    );
  }
  const prod = await cp.getAlias('prod');
  const extra = canaryVersion(prod);
  const ours =
    (prod.version === existing.baseline && (extra === undefined || extra === existing.version)) ||
    (prod.version === existing.version && !hasCanary(prod));
  if (!ours) {
    throw new ReleaseError(
      'rollout.none',
      `prod (${formatRouting(prod, 'prose')}) is no longer where the interrupted rollout of ` +
        `version ${existing.version} left it; end the rollout with \`stagecraft release rollback\``,
    );
  }
  await record(ctx, {
    action: 'rollout',
    event: 'resume',
    stage: 'prod',
    rollout: existing.id,
    version: existing.version,
    baseline: existing.baseline,
    step: existing.step + 1,
    forced: existing.forced,
  });
  return { record: existing, resumed: true, prod };
}
