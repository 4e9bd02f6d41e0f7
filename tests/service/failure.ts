import { HttpError } from '../../src/service/http-error.ts';

/** The HttpError a call throws; fails the test when it throws nothing or something else. */
export function httpFailure(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError, but nothing was thrown');
}
