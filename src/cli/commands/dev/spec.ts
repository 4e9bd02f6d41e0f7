import { DEFAULT_STATE_DIR } from '../../../state/layout.ts';
import type { CommandSpec } from '../../command.ts';

/** `stagecraft dev`: help and flags, so `--help` and docs/local.md say the same thing. */
export const DEV: CommandSpec = {
  name: 'dev',
  summary: 'run both stages, versions and aliases locally on an embedded DynamoDB',
  usage: `stagecraft dev [--port 3000] [--host 127.0.0.1] [--state-dir ${DEFAULT_STATE_DIR}] [--no-watch] [--timeout 10] [--integration-timeout 29] [--handler FILE]`,
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
          text: 'function timeout in seconds; an invocation over it fails and gets 502, as on AWS',
          default: '10, as deployed',
        },
        {
          label: '--integration-timeout S',
          name: 'integration-timeout',
          type: 'string',
          text: "API Gateway's integration timeout in seconds; a request not answered by then gets 504",
          default: "29, API Gateway's",
        },
        {
          label: '--handler FILE',
          name: 'handler',
          type: 'string',
          text:
            'run the `handler` export of this TypeScript or JavaScript module instead of the ' +
            "user API's, behind the same stages, aliases and routes; watch mode watches its folder",
          default: 'src/service/handler.ts',
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
  examples: [
    'stagecraft dev',
    'stagecraft dev --port 0 --no-watch --state-dir /tmp/sc',
    'stagecraft dev --handler tests/fixtures/echo-handler.ts --state-dir /tmp/echo',
  ],
  load: () => import('./index.ts'),
};
