import { StagecraftError } from '../errors.ts';

/** Why `stagecraft dev` could not start. */
export type LocalStackErrorCode =
  /** The local stack cannot start (port taken, state dir in use, build failed, …). */
  | 'local.start'
  /** `--handler FILE`: no such file. */
  | 'local.handler-not-found'
  /** `--handler FILE`: the module has no `handler` export. */
  | 'local.handler-export';

/** A problem starting the local stack that the user can fix (port taken, state dir in use, …). */
export class LocalStackError extends StagecraftError<LocalStackErrorCode> {
  override readonly name = 'LocalStackError';

  /**
   * @param message what went wrong and what to do about it
   * @param options `code` (default `local.start`) and the underlying error
   */
  constructor(message: string, options?: { code?: LocalStackErrorCode; cause?: unknown }) {
    super(options?.code ?? 'local.start', message, options);
  }
}
