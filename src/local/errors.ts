/** A problem starting the local stack that the user can fix (port taken, state dir in use, …). */
export class LocalStackError extends Error {
  override readonly name = 'LocalStackError';
}
