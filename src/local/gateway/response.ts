/**
 * Maps a Lambda proxy result (the JSON the function returned) to an HTTP response the way
 * API Gateway (REST) does, and refuses what API Gateway refuses as a "malformed Lambda proxy
 * response" (which it answers 502).
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';

/** An HTTP response ready to send. */
export interface HttpResponse {
  /** Status code. */
  readonly statusCode: number;
  /** Header name → values (several values become repeated headers). */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  /** The body bytes. */
  readonly body: Buffer;
}

/**
 * The response, or why there is none: `malformed` (API Gateway answers 502) or `base64`, a body
 * it was to decode that is not base64 (API Gateway answers 500).
 */
export type MappedResult =
  | { readonly ok: true; readonly response: HttpResponse }
  | { readonly ok: false; readonly failure: 'malformed' | 'base64'; readonly reason: string };

/** How the response body is to be sent. */
export interface MapOptions {
  /**
   * True when API Gateway converts a base64 body to bytes for this request: the function set
   * `isBase64Encoded` and the request's first `Accept` media type matches the API's
   * `binaryMediaTypes` (see {@link wantsBinary}). Otherwise the body is sent as the text it is.
   * @default false
   */
  readonly decodeBase64?: boolean;
}

const RESULT_KEYS = new Set([
  'statusCode',
  'headers',
  'multiValueHeaders',
  'body',
  'isBase64Encoded',
]);

// Headers API Gateway does not pass through from an integration response but renames to
// `x-amzn-Remapped-<name>` (it owns them on its side of the connection).
const REMAPPED = new Set([
  'authorization',
  'connection',
  'content-length',
  'content-md5',
  'date',
  'expect',
  'host',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'via',
  'warn',
  'www-authenticate',
]);

/** Maps the JSON payload a function returned to the HTTP response API Gateway would send. */
export function mapProxyResult(payload: string, options: MapOptions = {}): MappedResult {
  let result: unknown;
  try {
    result = JSON.parse(payload);
  } catch {
    return malformed('the result is not JSON');
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    return malformed('the result is not an object');
  }
  const fields = result as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !RESULT_KEYS.has(key));
  if (unknown.length > 0) return malformed(`unknown field(s) ${unknown.join(', ')}`);

  const { body, isBase64Encoded } = fields;
  const statusCode = statusCodeOf(fields.statusCode);
  if (
    statusCode === undefined ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return malformed(
      `statusCode must be an integer 100–599, got ${JSON.stringify(fields.statusCode)}`,
    );
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return malformed(`body must be a string, got ${typeof body}`);
  }
  if (
    isBase64Encoded !== undefined &&
    isBase64Encoded !== null &&
    typeof isBase64Encoded !== 'boolean'
  ) {
    return malformed('isBase64Encoded must be a boolean');
  }
  const headers = collectHeaders(fields.headers, fields.multiValueHeaders);
  if (typeof headers === 'string') return malformed(headers);
  if (![...headers.keys()].some((name) => name.toLowerCase() === 'content-type')) {
    headers.set('Content-Type', ['application/json']);
  }
  const text = body ?? '';
  // Without a matching binary media type API Gateway passes the body on as text, base64 or not
  // (the deployed API declares none, so a client gets the base64 text).
  const decode = isBase64Encoded === true && options.decodeBase64 === true;
  if (decode && !isBase64(text)) {
    return {
      ok: false,
      failure: 'base64',
      reason: 'Unable to base64 decode the body (isBase64Encoded is true)',
    };
  }
  return {
    ok: true,
    response: { statusCode, headers, body: Buffer.from(text, decode ? 'base64' : 'utf8') },
  };
}

/**
 * Whether API Gateway (REST) returns binary for a request: it looks only at the first media type
 * of the client's `Accept` header and converts when that matches one of the API's
 * `binaryMediaTypes` (AWS, "Content type conversions in API Gateway": "If a request contains
 * multiple media types in its Accept header, API Gateway honors only the first Accept media
 * type"; "Binary media types for REST APIs": "API Gateway uses the first Accept header from
 * clients to determine if a response should return binary media"). `*\/*` in the list matches
 * whatever the client accepts.
 */
export function wantsBinary(accept: string | undefined, binaryMediaTypes: readonly string[]) {
  if (binaryMediaTypes.length === 0) return false;
  // No Accept header accepts anything, as `*/*` does.
  const first = (accept ?? '*/*').split(',')[0]?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (first === '') return false;
  const [type, subtype] = first.split('/');
  return binaryMediaTypes.some((pattern) => {
    const [allowedType, allowedSubtype] = pattern.toLowerCase().split('/');
    return (
      (allowedType === '*' || allowedType === type) &&
      (allowedSubtype === '*' || allowedSubtype === subtype)
    );
  });
}

// Standard base64 (`+`, `/`), padding optional; Node's decoder would silently skip anything
// else and hand the client garbage.
function isBase64(text: string): boolean {
  return (
    /^[A-Za-z0-9+/]*={0,2}$/.test(text) &&
    text.length % 4 !== 1 &&
    (!text.includes('=') || text.length % 4 === 0)
  );
}

// `headers` and `multiValueHeaders` merged into one list per name; a value given in both
// appears once. Returns the problem as a string when a header is unusable.
function collectHeaders(single: unknown, multi: unknown): Map<string, string[]> | string {
  const merged = new Map<string, string[]>();
  const nameFor = new Map<string, string>();
  const add = (rawName: string, value: unknown): string | undefined => {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      return `header ${rawName} has a ${typeof value} value`;
    }
    const lower = rawName.toLowerCase();
    const name = REMAPPED.has(lower) ? `x-amzn-Remapped-${rawName}` : rawName;
    const text = String(value);
    try {
      validateHeaderName(name);
      validateHeaderValue(name, text);
    } catch (error) {
      return `header ${JSON.stringify(rawName)}: ${(error as Error).message}`;
    }
    const key = nameFor.get(name.toLowerCase()) ?? name;
    nameFor.set(name.toLowerCase(), key);
    const values = merged.get(key) ?? [];
    if (!values.includes(text)) values.push(text);
    merged.set(key, values);
    return undefined;
  };
  if (multi !== undefined && multi !== null) {
    if (typeof multi !== 'object' || Array.isArray(multi))
      return 'multiValueHeaders must be an object';
    for (const [name, values] of Object.entries(multi)) {
      if (!Array.isArray(values)) return `multiValueHeaders.${name} must be an array`;
      for (const value of values) {
        const problem = add(name, value);
        if (problem !== undefined) return problem;
      }
    }
  }
  if (single !== undefined && single !== null) {
    if (typeof single !== 'object' || Array.isArray(single)) return 'headers must be an object';
    for (const [name, value] of Object.entries(single)) {
      const problem = add(name, value);
      if (problem !== undefined) return problem;
    }
  }
  return merged;
}

// API Gateway (REST) accepts the status code as a number or as a string of digits ("201"),
// as captured responses and SAM CLI's emulator show; anything else is malformed.
function statusCodeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d{3}$/.test(value)) return Number(value);
  return undefined;
}

function malformed(reason: string): MappedResult {
  return { ok: false, failure: 'malformed', reason: `Malformed Lambda proxy response: ${reason}` };
}
