import type { CommandSpec } from './command.ts';

/**
 * Every `stagecraft` subcommand. Each lives in `src/cli/commands/<name>/` and is imported only
 * when it runs.
 */
export const COMMANDS: readonly CommandSpec[] = [];
