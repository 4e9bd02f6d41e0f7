// Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
// Jitter"): the delay before retry n is uniform in [0, min(cap, base · 2^n)). Full jitter
// spreads writers that collided at the same moment, which plain exponential backoff does not.

/** Backoff settings. */
export interface BackoffOptions {
  /**
   * Upper bound of the first delay, in ms.
   * @default 10
   */
  readonly baseMs?: number;
  /**
   * No delay exceeds this, in ms.
   * @default 1000
   */
  readonly capMs?: number;
}

/** Defaults for {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 10, capMs: 1000 };

/**
 * The delay before retry number `retry` (0 for the first retry).
 * @param random a source of uniform numbers in [0, 1), injectable for tests
 */
export function backoffDelay(
  retry: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const cap = options.capMs ?? DEFAULT_BACKOFF.capMs;
  // 2 ** retry overflows to Infinity for big n; Math.min still gives the cap.
  const ceiling = Math.min(cap, base * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms` milliseconds (a timer, so fake timers control it). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
