/**
 * The one alias model of stagecraft, local and AWS alike: an alias's routing (a version and an
 * optional canary), its validation (the rules Lambda applies to `UpdateAlias`), the canary
 * pick the gateway makes per request, and the one formatter every message uses.
 */
import { LATEST } from '../config/stages.ts';
import { isPublishedVersion, isVersionName } from '../config/versions.ts';

/** Where an alias sends traffic: a version, plus extra versions with a share (a canary). */
export interface AliasRouting {
  /** `$LATEST` or a published version number as a string (`'1'`, `'2'`, …). */
  readonly version: string;
  /**
   * Lambda's `AdditionalVersionWeights`: another published version → the share of requests
   * (0..1) it receives; the rest go to `version`. Absent or empty when no canary runs.
   * @example { "2": 0.1 }
   */
  readonly weights?: Readonly<Record<string, number>>;
}

/** An alias as read from a control plane: its routing and a revision that changes with it. */
export interface AliasState extends AliasRouting {
  /** Opaque; pass it back to `ControlPlane.updateAlias` to detect concurrent changes. */
  readonly revision: string;
}

/**
 * Why `value` is not a valid alias record, or undefined when it is. Mirrors Lambda: weights
 * name one other published version, each share is within 0..1, and an alias on `$LATEST`
 * cannot carry weights.
 */
export function aliasProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object like {"version":"1"}';
  }
  const { version, weights, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return `has unknown field(s) ${extra.join(', ')}`;
  if (!isVersionName(version)) {
    return `version must be "$LATEST" or a published version number, got ${JSON.stringify(version)}`;
  }
  if (weights === undefined) return undefined;
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights)) {
    return 'weights must be an object of version → share, like {"2":0.1}';
  }
  const entries = Object.entries(weights);
  if (entries.length === 0) return undefined;
  if (version === LATEST) return 'an alias pointing at $LATEST cannot have weights (as in Lambda)';
  if (entries.length > 1) return 'weights may name only one additional version (as in Lambda)';
  for (const [extraVersion, share] of entries) {
    if (!isPublishedVersion(extraVersion)) {
      return `weights must name published versions, got ${JSON.stringify(extraVersion)}`;
    }
    if (extraVersion === version) return `weights name the alias's own version ${version}`;
    if (typeof share !== 'number' || !Number.isFinite(share) || share < 0 || share > 1) {
      return `weight of version ${extraVersion} must be a number within 0..1, got ${JSON.stringify(share)}`;
    }
  }
  return undefined;
}

/** The versions an alias can route to: its own and any weighted one. */
export function aliasVersions(alias: AliasRouting): string[] {
  return [alias.version, ...Object.keys(alias.weights ?? {})];
}

/**
 * The version one request runs: each weighted version takes its share of `random` (0 ≤ r < 1),
 * the alias's own version the rest. Pure, so tests pass fixed numbers.
 */
export function pickVersion(alias: AliasRouting, random: number): string {
  let threshold = 0;
  for (const [version, share] of Object.entries(alias.weights ?? {})) {
    threshold += share;
    if (random < threshold) return version;
  }
  return alias.version;
}

/** The routing without a revision or an empty `weights`, as plans and history use it. */
export function routingOf(alias: AliasRouting): AliasRouting {
  return hasCanary(alias)
    ? { version: alias.version, weights: { ...alias.weights } }
    : { version: alias.version };
}

/** True when the routing splits traffic (a canary is running). */
export function hasCanary(routing: AliasRouting): boolean {
  return Object.keys(routing.weights ?? {}).length > 0;
}

/** The version receiving canary traffic, when a canary runs. */
export function canaryVersion(routing: AliasRouting): string | undefined {
  return Object.keys(routing.weights ?? {})[0];
}

/**
 * How {@link formatRouting} writes a routing; each style is the text one audience has always
 * read, so scripts and logs keep matching it:
 * - `compact`: history and `release` results — `3`, or `3+4@10%` while version 4 gets 10 %
 * - `prose`: release progress and refusals — `version 3`, `version 3 with 10% to version 4`
 * - `serving`: the dev server's start-up table and logs — `$LATEST`, `version 1`,
 *   `version 1 + 12.5% version 2` (shares rounded to 0.1 %)
 * - `canary`: deploy's refusal during a canary — `3, with version 4 at 10%`
 */
export type RoutingStyle = 'compact' | 'prose' | 'serving' | 'canary';

/** A routing as text in one of the {@link RoutingStyle}s. */
export function formatRouting(routing: AliasRouting, style: RoutingStyle): string {
  const weights = Object.entries(routing.weights ?? {});
  switch (style) {
    case 'compact':
      return routing.version + weights.map(([v, w]) => `+${v}@${formatPercent(w)}`).join('');
    case 'prose':
      return (
        `version ${routing.version}` +
        weights.map(([v, w]) => ` with ${formatPercent(w)} to version ${v}`).join('')
      );
    case 'serving':
      return (
        servingName(routing.version) +
        weights.map(([v, w]) => ` + ${roundedPercent(w)}% ${servingName(v)}`).join('')
      );
    case 'canary':
      return `${routing.version}, with ${weights
        .map(([v, w]) => `version ${v} at ${roundedPercent(w)}%`)
        .join(', ')}`;
  }
}

/** A weight in [0, 1] as a percentage without float noise: 0.1 → `10%`, 0.125 → `12.5%`. */
export function formatPercent(weight: number): string {
  return `${Number((weight * 100).toFixed(4))}%`;
}

// A share to one decimal of a percent, for people glancing at a table or a refusal.
function roundedPercent(weight: number): number {
  return Math.round(weight * 1000) / 10;
}

function servingName(version: string): string {
  return version === LATEST ? LATEST : `version ${version}`;
}
