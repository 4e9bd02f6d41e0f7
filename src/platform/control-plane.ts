import type { Stage } from '../config/stages.ts';
import type { AliasRouting, AliasState } from './alias.ts';
import type { VersionInfo } from './version.ts';

/**
 * Release control talks to "the function" only through {@link ControlPlane}: the local stack
 * and AWS Lambda are two implementations (`local/`, `aws/`), and every release task is written
 * once against this interface.
 */

/** Where a release command acts. */
export type ReleaseTarget = 'local' | 'aws';

/** The targets, for validating `--target`. */
export const RELEASE_TARGETS: readonly ReleaseTarget[] = ['local', 'aws'];

/** What {@link ControlPlane.publishVersion} did. */
export interface PublishOutcome {
  /** The version now holding the code. */
  readonly version: VersionInfo;
  /** False when the newest version already had this code and was returned instead. */
  readonly created: boolean;
}

/**
 * One API deployment: an immutable snapshot of the API that a stage can serve (API Gateway's
 * Deployment; locally, a snapshot in the state dir).
 */
export interface ApiDeploymentInfo {
  /** The deployment id (API Gateway's; locally, the definition's hash). */
  readonly id: string;
  /** When it was created (ISO-8601). */
  readonly created_at: string;
  /** Its description. */
  readonly description: string;
}

/** The operations release control needs from a function's control plane. */
export interface ControlPlane {
  /** Which implementation this is. */
  readonly target: ReleaseTarget;
  /** The function's name. */
  readonly functionName: string;
  /** The code sha256 of `$LATEST`; `function.empty` when there is no code yet. */
  latestCodeSha256(): Promise<string>;
  /** Every published version, oldest first (`$LATEST` excluded). */
  listVersions(): Promise<VersionInfo[]>;
  /** A stage's alias; `alias.not-found` when it does not exist. */
  getAlias(stage: Stage): Promise<AliasState>;
  /**
   * Points a stage's alias at `routing`, only if its revision is still `expectedRevision`
   * (else `alias.conflict`). Resolves to the new state.
   */
  updateAlias(stage: Stage, routing: AliasRouting, expectedRevision: string): Promise<AliasState>;
  /**
   * Publishes `$LATEST` as a new version, only if its code sha256 is `expectedCodeSha256`
   * (else `publish.code-changed`, nothing published). When the newest version already has
   * that code, it is returned with `created: false`.
   */
  publishVersion(input: {
    readonly expectedCodeSha256: string;
    readonly description?: string;
  }): Promise<PublishOutcome>;
  /** The base URL of a stage (ending in `/`); `stage.unreachable` when it is not served. */
  stageUrl(stage: Stage): Promise<string>;
  /** Every API deployment, oldest first. */
  listApiDeployments(): Promise<ApiDeploymentInfo[]>;
  /** The id of the API deployment a stage serves; `api.not-found` when it has none. */
  getApiStage(stage: Stage): Promise<string>;
  /**
   * Points a stage at another API deployment, only if it still serves `expectedDeployment`
   * (else `api.conflict`, nothing changed); `api.not-found` for an unknown deployment.
   */
  updateApiStage(stage: Stage, deployment: string, expectedDeployment: string): Promise<void>;
}
