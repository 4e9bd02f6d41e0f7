import { LATEST, STAGES, type Stage } from '../../config/stages.ts';
import type { ReleaseContext } from '../context.ts';
import { isReleaseError } from '../../errors.ts';
import type { ApiDeploymentInfo } from '../../platform/control-plane.ts';
import type { ReleaseTarget } from '../../platform/control-plane.ts';
import type { VersionInfo } from '../../platform/version.ts';
import { readRolloutState, type RolloutTickRecord } from '../../state/rollout.ts';
import {
  readVerification,
  type VerificationRecord,
  verificationCovers,
  verificationCoversApi,
  verificationPathFor,
} from '../../state/verification.ts';

/** One stage's API deployment as `status` shows it. */
export interface ApiStageStatus {
  /** The deployment id. */
  readonly deployment: string;
  /** When it was created (empty when the deployment list does not know it). */
  readonly created_at: string;
  /** Its description. */
  readonly description: string;
  /** True when the last passing verification ran with staging on this deployment. */
  readonly verified: boolean;
}

/** One stage's alias as `status` shows it. */
export interface AliasStatus {
  /** `$LATEST` or a version number. */
  readonly version: string;
  /** The code sha256 of that version (`null` when `$LATEST` has no code yet). */
  readonly code_sha256: string | null;
  /** When the version was published (absent for `$LATEST`). */
  readonly published_at?: string;
  /** The version's description (absent for `$LATEST`). */
  readonly description?: string;
  /** Extra version → traffic share, while a canary runs. */
  readonly weights?: Readonly<Record<string, number>>;
  /** True when the last passing verification covers this code on this target. */
  readonly verified: boolean;
}

/** The `release status` answer (its JSON is this object). */
export interface StatusResult {
  /** `local` or `aws`. */
  readonly target: ReleaseTarget;
  /** The function's name. */
  readonly function_name: string;
  /** Stage → alias. */
  readonly aliases: Readonly<Record<Stage, AliasStatus>>;
  /** Every published version, oldest first. */
  readonly versions: readonly VersionInfo[];
  /** The last verification (without the full report), or `null`. */
  readonly verification: {
    readonly code_sha256: string;
    readonly at: string;
    readonly passed: boolean;
    readonly target: ReleaseTarget;
    readonly version: string;
    /** The API deployment staging served during the run (absent in older records). */
    readonly api_deployment?: string;
  } | null;
  /**
   * Stage → API deployment; null when the stages have none (a local state dir set up before
   * API deployments existed, until `stagecraft dev` starts on it).
   */
  readonly api: Readonly<Record<Stage, ApiStageStatus>> | null;
  /**
   * The rollout in progress, or `null`: `running` while its process lives, `interrupted` after
   * it was killed (continue with `release rollout --resume`, end with `release rollback`).
   */
  readonly rollout: {
    readonly state: 'running' | 'interrupted';
    readonly id: string;
    readonly version: string;
    readonly baseline: string;
    /** 1-based step the rollout is at, of `steps`. */
    readonly step: number;
    readonly steps: number;
    /** The canary share of that step (%). */
    readonly percent: number;
    readonly schedule: string;
    readonly started_at: string;
    readonly pid?: number;
    /** The last tick's numbers and verdict (absent before the step's first tick). */
    readonly last_tick?: RolloutTickRecord;
  } | null;
}

/** Reads aliases, versions and the last verification. Takes no lock: it only reads. */
export async function releaseStatus(ctx: ReleaseContext): Promise<StatusResult> {
  const cp = ctx.controlPlane;
  const [versions, latest, verification, rollout] = await Promise.all([
    cp.listVersions(),
    cp.latestCodeSha256().catch((error: unknown) => {
      if (isReleaseError(error, 'function.empty')) return null;
      throw error;
    }),
    readVerification(verificationPathFor(ctx.stateDir)),
    readRolloutState(ctx.stateDir),
  ]);
  const aliases = {} as Record<Stage, AliasStatus>;
  for (const stage of STAGES) {
    const alias = await cp.getAlias(stage);
    const published = versions.find((v) => v.version === alias.version);
    const sha = alias.version === LATEST ? latest : (published?.code_sha256 ?? null);
    aliases[stage] = {
      version: alias.version,
      code_sha256: sha,
      ...(published !== undefined
        ? { published_at: published.published_at, description: published.description }
        : {}),
      ...(alias.weights !== undefined && Object.keys(alias.weights).length > 0
        ? { weights: alias.weights }
        : {}),
      verified:
        sha !== null &&
        verificationCovers(verification, {
          codeSha256: sha,
          target: cp.target,
          functionName: cp.functionName,
        }),
    };
  }
  return {
    target: cp.target,
    function_name: cp.functionName,
    aliases,
    versions,
    api: await apiStatus(ctx, verification),
    verification:
      verification === undefined
        ? null
        : {
            code_sha256: verification.code_sha256,
            at: verification.at,
            passed: verification.passed,
            target: verification.target,
            version: verification.version,
            ...(verification.api_deployment !== undefined && {
              api_deployment: verification.api_deployment,
            }),
          },
    rollout:
      rollout === undefined
        ? null
        : {
            state: rollout.state,
            id: rollout.record.id,
            version: rollout.record.version,
            baseline: rollout.record.baseline,
            step: rollout.record.step + 1,
            steps: rollout.record.schedule.steps.length,
            percent: rollout.record.schedule.steps[rollout.record.step]?.percent ?? 0,
            schedule: rollout.record.schedule.name,
            started_at: rollout.record.started_at,
            ...(rollout.pid !== undefined ? { pid: rollout.pid } : {}),
            ...(rollout.record.last_tick !== undefined &&
            rollout.record.last_tick.step === rollout.record.step + 1
              ? { last_tick: rollout.record.last_tick }
              : {}),
          },
  };
}

async function apiStatus(
  ctx: ReleaseContext,
  verification: VerificationRecord | undefined,
): Promise<Record<Stage, ApiStageStatus> | null> {
  const cp = ctx.controlPlane;
  let ids: Record<Stage, string>;
  let deployments: ApiDeploymentInfo[];
  try {
    ids = {} as Record<Stage, string>;
    for (const stage of STAGES) ids[stage] = await cp.getApiStage(stage);
    deployments = await cp.listApiDeployments();
  } catch (error) {
    if (isReleaseError(error, 'api.not-found')) return null;
    throw error;
  }
  const api = {} as Record<Stage, ApiStageStatus>;
  for (const stage of STAGES) {
    const found = deployments.find((d) => d.id === ids[stage]);
    api[stage] = {
      deployment: ids[stage],
      created_at: found?.created_at ?? '',
      description: found?.description ?? '',
      verified: verificationCoversApi(verification, {
        deployment: ids[stage],
        target: cp.target,
        functionName: cp.functionName,
      }),
    };
  }
  return api;
}
