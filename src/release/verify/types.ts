/**
 * The smoke suite's vocabulary. A project adds its own checks in `smoke.config.ts` (or `.mts`,
 * `.mjs`, `.js`) at its root: `export default [{ name: 'lists users', async run(ctx) { … } }]`, each
 * check a {@link SmokeCheck} that throws to fail.
 */

/** An HTTP answer as a check sees it: the body read once, as text and (when it parses) JSON. */
export interface SmokeResponse {
  /** HTTP status code. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Headers;
  /** The body as text. */
  readonly text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
}

/** Options for {@link SmokeContext.request}. */
export interface SmokeRequestInit {
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A value sent as a JSON body with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** A raw body (used as is; set the Content-Type yourself). */
  readonly body?: string;
}

/** What a check gets to work with. */
export interface SmokeContext {
  /** The stage's base URL, ending in `/` (e.g. `http://127.0.0.1:3000/staging/`). */
  readonly baseUrl: string;
  /** A fresh throw-away user id (`[0-9A-Za-z]{8,64}`), unique to this check. */
  readonly userId: string;
  /**
   * Sends a request to `baseUrl` + `path` (`path` without a leading slash, e.g.
   * `user/abc12345`) with a timeout, and reads the whole answer.
   */
  request(method: string, path: string, init?: SmokeRequestInit): Promise<SmokeResponse>;
}

/** One check: a name people read in the report, and a function that throws to fail. */
export interface SmokeCheck {
  /** What the check proves, as a sentence. */
  readonly name: string;
  /** Runs the check; an exception (its message) is the failure. */
  run(ctx: SmokeContext): Promise<void>;
}

/** The outcome of one check. */
export interface SmokeCheckResult {
  /** The check's name. */
  readonly name: string;
  /** `built-in`, or the config file the check came from. */
  readonly source: string;
  /** True when it did not throw. */
  readonly passed: boolean;
  /** Wall time in ms. */
  readonly duration_ms: number;
  /** The failure message. */
  readonly error?: string;
}

/** The outcome of a run of the suite. */
export interface SmokeReport {
  /** The stage base URL the suite ran against. */
  readonly url: string;
  /** True when every check passed (and there was at least one). */
  readonly passed: boolean;
  /** Every check, in run order. */
  readonly checks: readonly SmokeCheckResult[];
  /** Every distinct `X-Function-Version` seen in the answers. */
  readonly function_versions: readonly string[];
}
