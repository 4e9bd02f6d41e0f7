import type { CommandSpec } from './command.ts';

/**
 * Every `stagecraft` subcommand. Each lives in `src/cli/commands/<name>/` and is imported only
 * when it runs.
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'deploy',
    summary: 'deploy the AWS stack with cdk, keeping the prod alias where it is live',
    load: () => import('./commands/deploy/index.ts'),
  },
  {
    name: 'dev',
    summary: 'run both stages, versions and aliases locally on an embedded DynamoDB',
    load: () => import('./commands/dev/index.ts'),
  },
  {
    name: 'release',
    summary: 'verify staging, publish, promote (with canary), roll back; status and history',
    load: () => import('./commands/release/index.ts'),
  },
  {
    name: 'ssh-config',
    summary: 'write EC2 instances into ~/.ssh/config between marker lines',
    load: () => import('./commands/ssh-config/index.ts'),
  },
];
