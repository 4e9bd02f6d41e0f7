// Conditional-request headers and the body's `lock_version`, turned into one write plan.
// The ETag of a user is its lock_version in quotes ("3"): a strong validator, since every
// write bumps it.
import { HttpError } from './http-error.ts';
import type { RequestHeaders } from './headers.ts';

/** `If-Match`: `*` (the user must exist) or one version. */
export type IfMatch = { readonly any: true } | { readonly version: number };

/** The ETag header value for a version. */
export function etagFor(version: number): string {
  return `"${version}"`;
}

// Versions are positive integers; 15 digits keeps every parsed one a safe integer.
const ETAG = /^"([0-9]{1,15})"$/;

/**
 * Reads `If-Match`.
 * @throws HttpError 400 unless it is `*` or one quoted version such as `"3"`
 */
export function parseIfMatch(headers: RequestHeaders): IfMatch | undefined {
  const value = headers.single('If-Match');
  if (value === undefined) return undefined;
  if (value === '*') return { any: true };
  const digits = ETAG.exec(value)?.[1];
  if (digits === undefined) {
    throw new HttpError(400, 'If-Match must be * or one version in quotes, such as "3"');
  }
  return { version: Number(digits) };
}

/**
 * Reads `If-None-Match`; only `*` (create only) has a meaning for a write.
 * @throws HttpError 400 for any other value
 */
export function parseIfNoneMatch(headers: RequestHeaders): boolean {
  const value = headers.single('If-None-Match');
  if (value === undefined) return false;
  if (value !== '*') throw new HttpError(400, 'If-None-Match supports only * on this API');
  return true;
}

/**
 * How a POST writes, chosen from its preconditions:
 * - `create`: `If-None-Match: *`, 412 when the user exists;
 * - `replace-version`: `If-Match: "n"` (412) or body `lock_version` (409) on a version mismatch;
 * - `replace-existing`: `If-Match: *`, 412 when the user is absent;
 * - `upsert`: no precondition, a read-modify-write that always applies.
 */
export type WritePlan =
  | { readonly kind: 'create' }
  | { readonly kind: 'replace-version'; readonly version: number; readonly mismatch: 409 | 412 }
  | { readonly kind: 'replace-existing' }
  | { readonly kind: 'upsert' };

/**
 * Chooses the write plan of a POST.
 * @param bodyVersion the body's `lock_version`, when given
 * @throws HttpError 400 when preconditions contradict each other
 */
export function planWrite(
  ifMatch: IfMatch | undefined,
  ifNoneMatch: boolean,
  bodyVersion: number | undefined,
): WritePlan {
  const named = [
    ifMatch !== undefined ? 'If-Match' : '',
    ifNoneMatch ? 'If-None-Match' : '',
    bodyVersion !== undefined ? 'lock_version' : '',
  ].filter((name) => name !== '');
  if (named.length > 1) {
    throw new HttpError(
      400,
      `give only one of If-Match, If-None-Match and lock_version; got ${named.join(' and ')}`,
    );
  }
  if (ifNoneMatch) return { kind: 'create' };
  if (ifMatch !== undefined) {
    return 'version' in ifMatch
      ? { kind: 'replace-version', version: ifMatch.version, mismatch: 412 }
      : { kind: 'replace-existing' };
  }
  if (bodyVersion !== undefined)
    return { kind: 'replace-version', version: bodyVersion, mismatch: 409 };
  return { kind: 'upsert' };
}

/**
 * The error for a failed precondition: 412 (headers) or 409 (body `lock_version`), with the
 * current version in the body (`null` when the user does not exist).
 */
export function preconditionFailed(
  status: 409 | 412,
  expected: number | 'absent' | 'present',
  current: number | undefined,
  cause?: unknown,
): HttpError {
  const want =
    expected === 'absent'
      ? 'the user not to exist'
      : expected === 'present'
        ? 'the user to exist'
        : `version ${expected}`;
  const have =
    current === undefined ? 'the user does not exist' : `the current version is ${current}`;
  return new HttpError(status, `precondition failed: expected ${want}, but ${have}`, {
    details: { current_version: current ?? null },
    cause,
  });
}
