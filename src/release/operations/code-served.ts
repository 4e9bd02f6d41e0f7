import { LATEST } from '../../config/stages.ts';
import type { AliasRouting, ControlPlane, VersionInfo } from '../../platform/control-plane.ts';
import { ReleaseError } from '../../errors.ts';

/** The code sha256 of a version (`$LATEST` or a number). */
export async function codeSha256Of(
  controlPlane: ControlPlane,
  version: string,
  versions?: readonly VersionInfo[],
): Promise<string> {
  if (version === LATEST) return controlPlane.latestCodeSha256();
  const found = (versions ?? (await controlPlane.listVersions())).find(
    (v) => v.version === version,
  );
  if (found === undefined) throw versionNotFound(version, versions ?? []);
  return found.code_sha256;
}

/** The published version `version`, or a clear `version.not-found`. */
export function findVersion(versions: readonly VersionInfo[], version: string): VersionInfo {
  const found = versions.find((v) => v.version === version);
  if (found === undefined) throw versionNotFound(version, versions);
  return found;
}

function versionNotFound(version: string, versions: readonly VersionInfo[]): ReleaseError {
  const known =
    versions.length === 0
      ? 'no version is published yet'
      : `published: ${versions.map((v) => v.version).join(', ')}`;
  return new ReleaseError('version.not-found', `version ${version} does not exist (${known})`);
}

/** The alias's routing without its revision, as plans and history use it. */
export function routingOf(alias: AliasRouting): AliasRouting {
  return alias.weights !== undefined && Object.keys(alias.weights).length > 0
    ? { version: alias.version, weights: alias.weights }
    : { version: alias.version };
}
