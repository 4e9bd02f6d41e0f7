// The JSON request body: Content-Type, size, encoding and syntax, each with its own 4xx.
import { HttpError } from './http-error.ts';
import type { RequestHeaders } from './headers.ts';

/** The body fields of a REST proxy event. */
export interface EventBody {
  /** The body as API Gateway passes it: text, or base64 when `isBase64Encoded`. */
  readonly body?: unknown;
  /** Whether `body` is base64 of the bytes sent. */
  readonly isBase64Encoded?: unknown;
}

/**
 * True for `application/json` and `application/<x>+json`, with no charset or utf-8.
 * @param contentType the Content-Type header value
 */
export function isJsonContentType(contentType: string): boolean {
  const [mediaType = '', ...params] = contentType.split(';');
  const type = mediaType.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[!#$&^_.+0-9a-z-]+\+json$/.test(type)) {
    return false;
  }
  for (const param of params) {
    const [key = '', value = ''] = param.split('=', 2);
    if (key.trim().toLowerCase() !== 'charset') continue;
    const charset = value
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') return false;
  }
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads a JSON body: 415 without a JSON Content-Type, 413 over `maxBytes` (decoded bytes),
 * 400 for a missing body, bytes that are not UTF-8, or malformed JSON.
 * @returns the parsed JSON value (any JSON type; the schema check comes next)
 */
export function readJsonBody(event: EventBody, headers: RequestHeaders, maxBytes: number): unknown {
  const contentType = headers.single('Content-Type');
  if (contentType === undefined) {
    throw new HttpError(415, 'Content-Type must be application/json; none was sent');
  }
  if (!isJsonContentType(contentType)) {
    throw new HttpError(415, 'Content-Type must be application/json (charset utf-8)');
  }
  const text = decodeBody(event, maxBytes);
  if (text.trim() === '') {
    throw new HttpError(400, 'request body is empty; send a JSON object such as {"name": "..."}');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}

// The text of the body, size-checked in bytes as the client sent them.
function decodeBody(event: EventBody, maxBytes: number): string {
  const { body } = event;
  if (body === undefined || body === null) return '';
  if (typeof body !== 'string') throw new HttpError(400, 'request body is not text');
  if (event.isBase64Encoded !== true) {
    // API Gateway hands text bodies over as strings; their size is their UTF-8 length.
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
    // Whoever decoded the bytes (API Gateway, the local gateway) may have replaced invalid
    // UTF-8 with U+FFFD or left lone surrogates; either way the client's bytes were not UTF-8,
    // and storing the replacement would silently change what was sent.
    if (body.includes(REPLACEMENT_CHARACTER) || LONE_SURROGATE.test(body)) throw notUtf8();
    return stripBom(body);
  }
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length > maxBytes) throw tooLarge(bytes.length, maxBytes);
  try {
    // The decoder drops a leading byte order mark itself (ignoreBOM: false).
    return utf8.decode(bytes);
  } catch {
    throw notUtf8();
  }
}

const REPLACEMENT_CHARACTER = '\uFFFD';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function notUtf8(): HttpError {
  return new HttpError(400, 'request body is not valid UTF-8');
}

function tooLarge(bytes: number, maxBytes: number): HttpError {
  return new HttpError(413, `request body is ${bytes} bytes; the limit is ${maxBytes} bytes`);
}

// RFC 8259 §8.1: a parser may ignore a byte order mark; JSON.parse does not.
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
