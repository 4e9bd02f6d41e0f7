// Request headers, looked up case-insensitively. API Gateway passes header names as the client
// sent them, in `headers` (last value wins) and `multiValueHeaders` (every value); the latter is
// preferred because it shows duplicates. Values of a malformed event that are not strings are
// ignored rather than trusted.
import { HttpError } from './http-error.ts';

/** Request headers by lower-case name, every value the client sent. */
export class RequestHeaders {
  private readonly values: ReadonlyMap<string, readonly string[]>;

  private constructor(values: ReadonlyMap<string, readonly string[]>) {
    this.values = values;
  }

  /** Reads the headers of a REST proxy event (either map may be null or absent). */
  static fromEvent(event: { headers?: unknown; multiValueHeaders?: unknown }): RequestHeaders {
    const values = new Map<string, string[]>();
    const add = (name: string, value: unknown) => {
      if (typeof value !== 'string') return;
      const key = name.toLowerCase();
      const list = values.get(key) ?? [];
      list.push(value.trim());
      values.set(key, list);
    };
    if (isRecord(event.multiValueHeaders)) {
      for (const [name, list] of Object.entries(event.multiValueHeaders)) {
        if (Array.isArray(list)) for (const value of list) add(name, value);
      }
    }
    // `headers` only adds names missing from multiValueHeaders: it repeats their last values.
    if (isRecord(event.headers)) {
      const seen = new Set(values.keys());
      for (const [name, value] of Object.entries(event.headers)) {
        if (!seen.has(name.toLowerCase())) add(name, value);
      }
    }
    return new RequestHeaders(values);
  }

  /**
   * The one value of a header that must not repeat, or undefined when absent.
   * @throws HttpError 400 when it was sent more than once with different values
   */
  single(name: string): string | undefined {
    const list = this.values.get(name.toLowerCase());
    if (list === undefined || list.length === 0) return undefined;
    const first = list[0] as string;
    if (list.some((value) => value !== first)) {
      throw new HttpError(400, `the ${name} header was sent more than once`);
    }
    return first;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
