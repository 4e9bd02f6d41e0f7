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

/** The response, or why the result is malformed. */
export type MappedResult =
  | { readonly ok: true; readonly response: HttpResponse }
  | { readonly ok: false; readonly reason: string };

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
export function mapProxyResult(payload: string): MappedResult {
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
  return {
    ok: true,
    response: {
      statusCode,
      headers,
      body: Buffer.from(body ?? '', isBase64Encoded === true ? 'base64' : 'utf8'),
    },
  };
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
  return { ok: false, reason: `Malformed Lambda proxy response: ${reason}` };
}
