import type { CommandSpec } from '../../command.ts';

/** The default `--marker`: the block is `### STAGECRAFT BEGIN ###` … `### STAGECRAFT END ###`. */
export const DEFAULT_MARKER = 'STAGECRAFT';

/** `stagecraft ssh-config`: help and flags, so `--help` and docs/ssh-config.md say the same. */
export const SSH_CONFIG: CommandSpec = {
  name: 'ssh-config',
  summary: 'write EC2 instances into ~/.ssh/config between marker lines',
  usage:
    'stagecraft ssh-config [--from-json FILE|-] [--profile NAME]... [--region NAME]... [options]',
  description: [
    'Writes EC2 instances as Host entries into ~/.ssh/config, between ' +
      `"### ${DEFAULT_MARKER} BEGIN ###" and "### ${DEFAULT_MARKER} END ###".`,
  ],
  sections: [
    {
      title: 'Input (one of)',
      flags: [
        {
          label: '--from-json FILE|-',
          name: 'from-json',
          type: 'string',
          text: "output of 'aws ec2 describe-instances' (- = stdin); several documents, concatenated or in an array, are fine",
        },
        {
          label: '--profile NAME',
          name: 'profile',
          type: 'string',
          multiple: true,
          text: 'AWS profile to list (repeatable); without --from-json, AWS is asked directly',
        },
        {
          label: '--region NAME',
          name: 'region',
          type: 'string',
          multiple: true,
          text: 'AWS region to list (repeatable; every profile × every region)',
        },
        {
          label: '--include-stopped',
          name: 'include-stopped',
          text: 'also write pending/stopping/stopped instances (default: running only)',
        },
      ],
    },
    {
      title: 'Output',
      flags: [
        {
          label: '--config PATH',
          name: 'config',
          type: 'string',
          text: 'ssh config to update',
          default: '~/.ssh/config',
        },
        {
          label: '--marker NAME',
          name: 'marker',
          type: 'string',
          text: 'block name',
          default: DEFAULT_MARKER,
        },
        {
          label: '--address private|public',
          name: 'address',
          type: 'string',
          text: 'address written as HostName',
          default: 'private',
        },
        { label: '--user NAME', name: 'user', type: 'string', text: 'User for every host' },
        {
          label: '--identity-file PATH',
          name: 'identity-file',
          type: 'string',
          text: 'IdentityFile for every host',
        },
        {
          label: '--proxy-jump HOST',
          name: 'proxy-jump',
          type: 'string',
          text: 'ProxyJump for every host',
        },
        {
          label: '--prefix TEXT',
          name: 'prefix',
          type: 'string',
          text: 'prepended to every host name',
        },
        {
          label: '--fallback-id',
          name: 'fallback-id',
          text: 'name instances without a usable Name tag by instance id',
        },
        {
          label: '--dry-run',
          name: 'dry-run',
          text: 'print a unified diff of the change; write nothing',
        },
        { label: '--backup', name: 'backup', text: 'keep the previous file as PATH.bak' },
        {
          label: '--json',
          name: 'json',
          text: 'print the hosts as JSON on stdout',
        },
        { label: '-h, --help', name: 'help', short: 'h', text: 'show this help' },
      ],
    },
  ],
  exitCodes: [
    '0  done (or nothing to change)',
    '1  unreadable/invalid input, malformed markers, file or AWS errors; nothing written',
    '2  bad command line',
  ],
  examples: [
    'stagecraft ssh-config --profile prod --region eu-west-1 --user ec2-user',
    'aws ec2 describe-instances | stagecraft ssh-config --from-json - --dry-run',
  ],
  load: () => import('./index.ts'),
};
