// What the platform tests assert about a refusal: its ReleaseError code.
import { isReleaseError } from '../../src/errors.ts';

/** The code of the ReleaseError `promise` rejects with (fails the test on anything else). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (isReleaseError(error)) return error.code;
  throw new Error(`expected a ReleaseError, got ${String(error)}`);
}
