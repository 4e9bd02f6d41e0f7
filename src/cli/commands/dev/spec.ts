import { DEFAULT_STATE_DIR } from '../../../state/layout.ts';
import type { CommandSpec } from '../../command.ts';

/** `stagecraft dev`: help and flags, so `--help` and docs/local.md say the same thing. */
export const DEV: CommandSpec = {
  name: 'dev',
  summary: 'run both stages, versions and aliases locally on an embedded DynamoDB',
  usage: `stagecraft dev [--port 3000] [--host 127.0.0.1] [--state-dir ${DEFAULT_STATE_DIR}] [--no-watch] [--timeout 10]`,
  description: [
    'Runs the user API locally: API Gateway stages staging and prod, each calling its Lambda ' +
      'alias (staging → $LATEST, prod → a published version), on an embedded DynamoDB.',
  ],
  sections: [
    {
      title: 'Options',
      flags: [
        {
          label: '--port N',
          name: 'port',
          type: 'string',
          text: 'port of the local API Gateway; 0 picks a free one',
          default: '3000',
        },
        {
          label: '--host ADDR',
          name: 'host',
          type: 'string',
          text: 'address to bind',
          default: '127.0.0.1, this machine only',
        },
        {
          label: '--state-dir DIR',
          name: 'state-dir',
          type: 'string',
          text: 'DynamoDB data, versions, aliases and release history',
          default: DEFAULT_STATE_DIR,
        },
        {
          label: '--no-watch',
          name: 'no-watch',
          text: 'do not rebuild $LATEST when a file under src/ changes',
        },
        {
          label: '--timeout S',
          name: 'timeout',
          type: 'string',
          text: 'function timeout in seconds; slower requests get 504',
          default: '10, as deployed',
        },
        {
          label: '--json',
          name: 'json',
          text: 'print the stages as one JSON object once serving; function logs go to stderr',
        },
        { label: '-h, --help', name: 'help', short: 'h', text: 'show this help' },
      ],
    },
  ],
  examples: ['stagecraft dev', 'stagecraft dev --port 0 --no-watch --state-dir /tmp/sc'],
  load: () => import('./index.ts'),
};
