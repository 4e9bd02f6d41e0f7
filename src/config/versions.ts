/**
 * The one syntax of a Lambda version name, shared by the local function store, the release
 * command line, `deploy --prod-version` and the CDK stack's `ProdVersion` parameter, so none
 * of them can accept a name another refuses.
 */
import { LATEST } from './stages.ts';

/**
 * A published version number: `1`, `2`, … without a leading zero. Ten digits is far beyond
 * any real function (Lambda numbers versions one by one) and keeps a version a safe integer.
 */
export const PUBLISHED_VERSION_SYNTAX = '[1-9][0-9]{0,9}';

const PUBLISHED_VERSION = new RegExp(`^${PUBLISHED_VERSION_SYNTAX}$`);

/**
 * `$LATEST` or a published version number: what an alias may point at, and the
 * `AllowedPattern` of the stack's `ProdVersion` parameter.
 */
export const VERSION_NAME_PATTERN = new RegExp(`^(\\$LATEST|${PUBLISHED_VERSION_SYNTAX})$`);

/** True for a published version name (`'1'`, `'2'`, …), false for `$LATEST` and anything else. */
export function isPublishedVersion(value: unknown): value is string {
  return typeof value === 'string' && PUBLISHED_VERSION.test(value);
}

/** True for `$LATEST` or a published version name. */
export function isVersionName(value: unknown): value is string {
  return value === LATEST || isPublishedVersion(value);
}
