import type { Stage } from '../config/stages.ts';

/**
 * Release control talks to "the function" only through {@link ControlPlane}: the local stack
 * and AWS Lambda are two implementations (`local/`, `aws/`), and every release task is written
 * once against this interface.
 */

/** Where a release command acts. */
export type ReleaseTarget = 'local' | 'aws';

/** The targets, for validating `--target`. */
export const RELEASE_TARGETS: readonly ReleaseTarget[] = ['local', 'aws'];

/** A published, immutable version. */
export interface VersionInfo {
  /** `1`, `2`, … */
  readonly version: string;
  /** base64 SHA-256 of the deployment package, as Lambda reports it. */
  readonly code_sha256: string;
  /** When it was published (ISO-8601). */
  readonly published_at: string;
  /** The description given at publish time. */
  readonly description: string;
}

/** Where an alias sends traffic: a version, plus extra versions with a share (a canary). */
export interface AliasRouting {
  /** The main version: `$LATEST` or a number. */
  readonly version: string;
  /** Extra version → share of traffic in (0, 1); absent or empty when no canary runs. */
  readonly weights?: Readonly<Record<string, number>>;
}

/** An alias as read: its routing and a revision that changes whenever the alias does. */
export interface AliasState extends AliasRouting {
  /** Opaque; pass it back to {@link ControlPlane.updateAlias} to detect concurrent changes. */
  readonly revision: string;
}

/** What {@link ControlPlane.publishVersion} did. */
export interface PublishOutcome {
  /** The version now holding the code. */
  readonly version: VersionInfo;
  /** False when the newest version already had this code and was returned instead. */
  readonly created: boolean;
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
}

/** True when the routing splits traffic (a canary is running). */
export function hasCanary(routing: AliasRouting): boolean {
  return Object.keys(routing.weights ?? {}).length > 0;
}

/**
 * A routing in one short string for history and messages: `3`, or `3+4@10%` while version 4
 * gets 10 % of the traffic.
 */
export function formatRouting(routing: AliasRouting): string {
  const extra = Object.entries(routing.weights ?? {})
    .map(([version, weight]) => `+${version}@${formatPercent(weight)}`)
    .join('');
  return `${routing.version}${extra}`;
}

/** A weight in [0, 1] as a percentage without float noise: 0.1 → `10%`, 0.125 → `12.5%`. */
export function formatPercent(weight: number): string {
  return `${Number((weight * 100).toFixed(4))}%`;
}
