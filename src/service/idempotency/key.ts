// The `Idempotency-Key` request header (IETF draft-ietf-httpapi-idempotency-key-header): a
// Structured Field string (`"abc"`), also accepted as a bare token as many clients send it.
import { HttpError } from '../http-error.ts';
import type { RequestHeaders } from '../headers.ts';

/** The header's name. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** The longest key accepted, in characters. */
export const MAX_KEY_LENGTH = 255;

// Printable ASCII without space, `"` and `\` (those need the sf-string form and its escapes).
const BARE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
// An sf-string: printable ASCII between quotes, `"` and `\` escaped with `\`.
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;

/**
 * Reads `Idempotency-Key`: undefined when absent, else the key (sf-string unescaped).
 * @throws HttpError 400 unless it is 1–255 printable characters, bare or in quotes
 */
export function parseIdempotencyKey(headers: RequestHeaders): string | undefined {
  const value = headers.single(IDEMPOTENCY_KEY_HEADER);
  if (value === undefined) return undefined;
  const quoted = SF_STRING.exec(value);
  const key = quoted ? (quoted[1] as string).replace(/\\(["\\])/g, '$1') : value;
  if ((quoted === null && !BARE.test(value)) || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new HttpError(
      400,
      `${IDEMPOTENCY_KEY_HEADER} must be 1-${MAX_KEY_LENGTH} printable ASCII characters, ` +
        'as a quoted string ("key") or a bare token',
    );
  }
  return key;
}
