/**
 * Published Lambda versions: what a version is, and finding one by name. The syntax of a
 * version name lives in config/versions.ts (the CDK stack needs it too).
 */
import { LATEST } from '../config/stages.ts';
import { ReleaseError } from '../errors.ts';
import type { ControlPlane } from './control-plane.ts';

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

/** The published version `version`, or a clear `version.not-found`. */
export function findVersion(versions: readonly VersionInfo[], version: string): VersionInfo {
  const found = versions.find((v) => v.version === version);
  if (found === undefined) throw versionNotFound(version, versions);
  return found;
}

/**
 * The code sha256 of a version (`$LATEST` or a number). Pass `versions` when they were
 * already listed, to save a call.
 */
export async function codeSha256Of(
  controlPlane: ControlPlane,
  version: string,
  versions?: readonly VersionInfo[],
): Promise<string> {
  if (version === LATEST) return controlPlane.latestCodeSha256();
  return findVersion(versions ?? (await controlPlane.listVersions()), version).code_sha256;
}

function versionNotFound(version: string, versions: readonly VersionInfo[]): ReleaseError {
  const known =
    versions.length === 0
      ? 'no version is published yet'
      : `published: ${versions.map((v) => v.version).join(', ')}`;
  return new ReleaseError('version.not-found', `version ${version} does not exist (${known})`);
}
