import { isPublishedVersion } from '../../../config/versions.ts';
import { UsageError } from '../../errors.ts';

/** A published version number from the command line (`1`, `2`, …), else a UsageError. */
export function versionArg(what: string, value: string): string {
  if (!isPublishedVersion(value)) {
    throw new UsageError(`${what} must be a published version number, got '${value}'`);
  }
  return value;
}

/** `--canary P`: a percentage in (0, 100), `%` allowed; else a UsageError. */
export function percentArg(value: string): number {
  const text = value.endsWith('%') ? value.slice(0, -1) : value;
  const percent = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(percent > 0 && percent < 100)) {
    throw new UsageError(
      `--canary must be a percentage between 0 and 100 (exclusive), got '${value}'`,
    );
  }
  return percent;
}
