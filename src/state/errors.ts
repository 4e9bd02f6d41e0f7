import { StagecraftError } from '../errors.ts';

/** Why the state dir refused to be read. */
export type StateErrorCode =
  /** A state file is missing, empty, truncated or not what it should hold. */
  'state.corrupt';

/**
 * A state file that cannot be trusted. The message names the file, what is wrong with it,
 * and how to recover; nothing is repaired silently.
 */
export class StateFileDamagedError extends StagecraftError<StateErrorCode> {
  override readonly name = 'StateFileDamagedError';

  /**
   * @param path the damaged file
   * @param problem what is wrong, e.g. `is empty`
   * @param recovery what the user should do, as a sentence
   */
  constructor(
    readonly path: string,
    problem: string,
    recovery: string,
    options?: { cause?: unknown },
  ) {
    // A problem may start with ':' to read as "file: detail".
    const sep = problem.startsWith(':') ? '' : ' ';
    super('state.corrupt', `state file ${path}${sep}${problem}; ${recovery}`, options);
  }
}
