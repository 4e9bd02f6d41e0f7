import { randomBytes } from 'node:crypto';
import type {
  SmokeCheck,
  SmokeCheckResult,
  SmokeContext,
  SmokeReport,
  SmokeRequestInit,
  SmokeResponse,
} from './types.ts';

/** A check and where it came from. */
export interface SourcedCheck {
  /** The check. */
  readonly check: SmokeCheck;
  /** `built-in`, or the config file that defined it. */
  readonly source: string;
}

/** Options for {@link runSmokeSuite}. */
export interface SmokeRunOptions {
  /** The stage's base URL; a missing trailing `/` is added. */
  readonly baseUrl: string;
  /** The checks, run one after the other in this order. */
  readonly checks: readonly SourcedCheck[];
  /**
   * Timeout of one HTTP request, in ms.
   * @default 10_000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Timeout of one whole check, in ms.
   * @default 60_000
   */
  readonly checkTimeoutMs?: number;
  /** Called before each check starts (for progress display). */
  readonly onCheckStart?: (check: SourcedCheck) => void;
  /** Called after each check (for progress display). */
  readonly onCheckEnd?: (result: SmokeCheckResult) => void;
  /**
   * Makes the throw-away user id of one check.
   * @default `smoke` + 24 random hex characters
   */
  readonly newUserId?: () => string;
}

/**
 * Runs the checks against a stage over HTTP and reports every outcome; a failing check does
 * not stop the others. Never throws for a failing check or an unreachable server: both are
 * failures in the report.
 */
export async function runSmokeSuite(options: SmokeRunOptions): Promise<SmokeReport> {
  const baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const versions = new Set<string>();
  const results: SmokeCheckResult[] = [];
  const newUserId = options.newUserId ?? (() => `smoke${randomBytes(12).toString('hex')}`);
  for (const sourced of options.checks) {
    options.onCheckStart?.(sourced);
    const ctx: SmokeContext = {
      baseUrl,
      userId: newUserId(),
      request: (method, path, init) =>
        send(baseUrl, method, path, init, options.requestTimeoutMs ?? 10_000, versions),
    };
    const started = performance.now();
    let error: string | undefined;
    try {
      await withTimeout(sourced.check.run(ctx), options.checkTimeoutMs ?? 60_000);
    } catch (failure) {
      error = describe(failure);
    }
    const result: SmokeCheckResult = {
      name: sourced.check.name,
      source: sourced.source,
      passed: error === undefined,
      duration_ms: Math.round(performance.now() - started),
      ...(error !== undefined ? { error } : {}),
    };
    results.push(result);
    options.onCheckEnd?.(result);
  }
  return {
    url: baseUrl,
    passed: results.length > 0 && results.every((r) => r.passed),
    checks: results,
    function_versions: [...versions].sort(),
  };
}

async function send(
  baseUrl: string,
  method: string,
  path: string,
  init: SmokeRequestInit | undefined,
  timeoutMs: number,
  versions: Set<string>,
): Promise<SmokeResponse> {
  const url = new URL(path.replace(/^\/+/, ''), baseUrl);
  const headers: Record<string, string> = { ...init?.headers };
  let body = init?.body;
  if (init?.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // The message carries the cause already; keeping `cause` too would print it twice.
    throw new Error(`${method} ${url.href} failed: ${describe(error)}`);
  }
  const text = await response.text();
  const version = response.headers.get('x-function-version');
  if (version !== null) versions.add(version);
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the check did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch() hides the useful part (ECONNREFUSED, timeout) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  if (error.name === 'TimeoutError') return `no answer within the timeout${cause}`;
  return `${error.message}${cause}`;
}

/**
 * Whether anything answers HTTP at `baseUrl`: the reason it cannot be reached, or undefined.
 * Any HTTP status counts as an answer; only a connection failure or a timeout does not.
 */
export async function probeStage(baseUrl: string, timeoutMs = 5_000): Promise<string | undefined> {
  try {
    const response = await fetch(baseUrl, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return undefined;
  } catch (error) {
    return describe(error);
  }
}
