/**
 * `release rollout --traffic RPS`: drives the verify suite's requests (the built-in contract
 * checks and the project's smoke.config checks) against prod while a local rollout runs, so a
 * rehearsal has traffic to judge with nobody clicking. Bounded: one request at a time, at most
 * RPS per second, and it stops (within one request's timeout) when told to.
 */
import { randomBytes } from 'node:crypto';
import type { SmokeContext, SmokeResponse } from '../verify/types.ts';
import type { SourcedCheck } from '../verify/runner.ts';

/** A running traffic driver. */
export interface Traffic {
  /** Stops sending; resolves once the last request has ended, with the number sent. */
  stop(): Promise<number>;
}

/** Options for {@link startTraffic}. */
export interface TrafficOptions {
  /** The stage's base URL (`…/prod/`). */
  readonly baseUrl: string;
  /** Requests per second, at most. */
  readonly rps: number;
  /** The checks whose requests are replayed, in a loop. */
  readonly checks: readonly SourcedCheck[];
  /**
   * Timeout of one request (ms).
   * @default 5000
   */
  readonly requestTimeoutMs?: number;
}

class Stopped extends Error {}

/** Starts sending; failures of the checks are ignored (the rollout's judgement sees them). */
export function startTraffic(options: TrafficOptions): Traffic {
  const baseUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const gapMs = 1000 / options.rps;
  let stopped = false;
  let sent = 0;
  let next = performance.now();
  let wake: (() => void) | undefined;

  const pace = async () => {
    const wait = next - performance.now();
    if (wait > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    if (stopped) throw new Stopped();
    next = Math.max(next, performance.now() - gapMs) + gapMs;
  };

  const ctxFor = (): SmokeContext => ({
    baseUrl,
    userId: `traffic${randomBytes(12).toString('hex')}`,
    async request(method, path, init): Promise<SmokeResponse> {
      await pace();
      sent++;
      const headers: Record<string, string> = { ...init?.headers };
      let body = init?.body;
      if (init?.json !== undefined) {
        body = JSON.stringify(init.json);
        headers['content-type'] ??= 'application/json; charset=utf-8';
      }
      const response = await fetch(new URL(path.replace(/^\/+/, ''), baseUrl), {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(options.requestTimeoutMs ?? 5000),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  });

  const loop = (async () => {
    while (!stopped && options.checks.length > 0) {
      for (const { check } of options.checks) {
        if (stopped) break;
        try {
          await check.run(ctxFor());
        } catch {
          // a failed check or request is data for the judgement, not a reason to stop
        }
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      return sent;
    },
  };
}
