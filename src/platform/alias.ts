/**
 * Lambda alias records as the local stack stores them, their validation (the rules Lambda
 * applies to `UpdateAlias`), and the canary pick the gateway makes per request.
 */
import { LATEST } from '../config/stages.ts';

/** What an alias points at: a version, and optionally a canary share for another version. */
export interface AliasRecord {
  /** `$LATEST` or a published version number as a string (`'1'`, `'2'`, …). */
  version: string;
  /**
   * Lambda's `AdditionalVersionWeights`: another published version → the share of requests
   * (0..1) it receives; the rest go to `version`.
   * @example { "2": 0.1 }
   */
  weights?: Record<string, number>;
}

const PUBLISHED_VERSION = /^[1-9][0-9]{0,9}$/;

/** True for a published version name (`'1'`, `'2'`, …), false for `$LATEST` and anything else. */
export function isPublishedVersion(value: unknown): value is string {
  return typeof value === 'string' && PUBLISHED_VERSION.test(value);
}

/** True for `$LATEST` or a published version name. */
export function isVersionName(value: unknown): value is string {
  return value === LATEST || isPublishedVersion(value);
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
export function aliasVersions(alias: AliasRecord): string[] {
  return [alias.version, ...Object.keys(alias.weights ?? {})];
}

/**
 * The version one request runs: each weighted version takes its share of `random` (0 ≤ r < 1),
 * the alias's own version the rest. Pure, so tests pass fixed numbers.
 */
export function pickVersion(alias: AliasRecord, random: number): string {
  let threshold = 0;
  for (const [version, share] of Object.entries(alias.weights ?? {})) {
    threshold += share;
    if (random < threshold) return version;
  }
  return alias.version;
}
