import type { CommandSpec } from './command.ts';

/**
 * Every `stagecraft` subcommand. Each lives in `src/cli/commands/<name>/` and is imported only
 * when it runs.
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'ssh-config',
    summary: 'write EC2 instances into ~/.ssh/config between marker lines',
    load: () => import('./commands/ssh-config/index.ts'),
  },
];
