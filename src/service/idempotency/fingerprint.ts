// What makes two requests "the same" for an idempotency key: method, user id, the
// preconditions, and the body normalised (parsed JSON, keys sorted), so whitespace and key order
// do not matter but any value does.
import { createHash } from 'node:crypto';

/** The parts of a request the fingerprint covers. */
export interface FingerprintInput {
  readonly method: string;
  readonly id: string;
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
  /** The parsed JSON body; undefined for a request without one (DELETE). */
  readonly body: unknown;
}

/** A hex SHA-256 of the request's normalised parts. */
export function fingerprint(input: FingerprintInput): string {
  const canonical = JSON.stringify([
    input.method,
    input.id,
    input.ifMatch ?? null,
    input.ifNoneMatch ?? null,
    normalise(input.body),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

// Object keys sorted at every level; arrays and scalars as they are.
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, normalise((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
