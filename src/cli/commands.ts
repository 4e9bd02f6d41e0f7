/**
 * The command tree: every `stagecraft` command's spec (help and flags as data). Specs import
 * nothing heavy; each command's code lives in `src/cli/commands/<name>/index.ts` and is imported
 * only when that command runs.
 */
import type { GroupSpec } from './command.ts';
import { DEPLOY } from './commands/deploy/spec.ts';
import { DEV } from './commands/dev/spec.ts';
import { RELEASE } from './commands/release/spec.ts';
import { SSH_CONFIG } from './commands/ssh-config/spec.ts';

/** `stagecraft` itself. */
export const PROGRAM: GroupSpec = {
  name: '',
  summary: 'Build, run and release a serverless user API through staging and prod.',
  usage: 'stagecraft <command> [options]',
  description: ['Build, run and release a serverless user API through staging and prod.'],
  commands: [DEPLOY, DEV, RELEASE, SSH_CONFIG],
  sections: [
    {
      title: 'Options',
      flags: [
        { label: '-h, --help', text: "show this help, or a command's help after its name" },
        { label: '-v, --version', text: 'print the version' },
      ],
    },
  ],
};
