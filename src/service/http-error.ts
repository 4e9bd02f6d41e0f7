/**
 * The one error the user API throws on purpose. It carries the status and the message the
 * client sees; it becomes an HTTP response only at the edge (respond.ts), so the code that
 * throws it never builds responses.
 */

/** Options for {@link HttpError}. */
export interface HttpErrorOptions {
  /**
   * Extra response headers, e.g. `Allow` on a 405.
   * @default {}
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Extra JSON fields next to `error`, e.g. `current_version` on a 412.
   * @example { current_version: 3 }
   */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The error that led to this one, kept for the log. */
  readonly cause?: unknown;
}

/**
 * A failure with a meaning for the client: the status and a message naming the field or the
 * problem. Anything else thrown inside the handler is a bug and answers 500.
 * @example
 * throw new HttpError(400, '`name` is required');
 */
export class HttpError extends Error {
  /** HTTP status code (4xx, or 503 for a transient server-side condition). */
  readonly status: number;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Extra JSON fields of the error body. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(status: number, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.headers = options.headers ?? {};
    this.details = options.details ?? {};
  }
}
