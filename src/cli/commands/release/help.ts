/**
 * `stagecraft release` help, kept as data beside the commands so `--help` and docs/release.md
 * say the same thing.
 */

/** One release subcommand as the help shows it. */
export interface SubcommandHelp {
  /** The subcommand name. */
  readonly name: string;
  /** Its synopsis after `stagecraft release`. */
  readonly usage: string;
  /** One line. */
  readonly summary: string;
  /** Its own options: flag → meaning. */
  readonly options: readonly (readonly [string, string])[];
}

/** Options every release subcommand takes. */
export const COMMON_OPTIONS_HELP: readonly (readonly [string, string])[] = [
  ['--state-dir DIR', 'state dir: history, verification, lock (default .stagecraft)'],
  ['--target local|aws', 'the local stack or AWS Lambda (default local)'],
  ['--stack NAME', 'with --target aws: the CloudFormation stack (default Stagecraft)'],
  ['--profile NAME', 'with --target aws: the AWS profile (default: AWS_PROFILE / default)'],
  ['--region REGION', 'with --target aws: the AWS region (default: AWS_REGION / the profile’s)'],
  ['--json', 'print one JSON object, no progress'],
  ['-h, --help', 'show help'],
];

/** Every subcommand, in workflow order. */
export const SUBCOMMANDS_HELP: readonly SubcommandHelp[] = [
  {
    name: 'status',
    usage: 'status',
    summary: 'each stage → alias → version, code sha256, canary weights, last verification',
    options: [],
  },
  {
    name: 'verify',
    usage: 'verify [--url URL]',
    summary: 'run the smoke suite against staging and record which code passed',
    options: [
      [
        '--url URL',
        'local: base URL of the running `stagecraft dev` (default: its dev.lock, else http://127.0.0.1:3000/)',
      ],
    ],
  },
  {
    name: 'publish',
    usage: 'publish [--description TEXT]',
    summary: 'publish $LATEST as the next version (unchanged code → the newest version)',
    options: [['--description TEXT', 'the version description']],
  },
  {
    name: 'promote',
    usage: 'promote [VERSION] [--canary PERCENT] [--complete] [--force]',
    summary: 'point prod at VERSION (default: publish the verified $LATEST first)',
    options: [
      ['--canary PERCENT', 'send PERCENT (0 < P < 100) of prod traffic to the version'],
      ['--complete', 'finish the running canary: all traffic to its version'],
      ['--force', 'promote code that was not verified on staging (recorded in history)'],
    ],
  },
  {
    name: 'rollback',
    usage: 'rollback [--to VERSION]',
    summary: 'abort a canary, or point prod back at the previous prod version',
    options: [['--to VERSION', 'the version to go back to (default: previous, from history)']],
  },
  {
    name: 'history',
    usage: 'history',
    summary: 'every release action: when, who, command, from → to, code sha256, forced',
    options: [],
  },
];

function table(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...rows.map(([flag]) => flag.length));
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join('\n');
}

/** `stagecraft release --help`. */
export function releaseUsage(): string {
  const width = Math.max(...SUBCOMMANDS_HELP.map((s) => s.name.length));
  return [
    'Usage: stagecraft release <command> [options]',
    '',
    'Release control: verify staging → publish → promote → rollback, with canary and history.',
    '',
    'Commands:',
    ...SUBCOMMANDS_HELP.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`),
    '',
    'Options (every command):',
    table(COMMON_OPTIONS_HELP),
    '',
    "Run 'stagecraft release <command> --help' for a command's own options.",
    'Exit codes: 0 done, 1 refused or failed, 2 bad command line.',
    '',
  ].join('\n');
}

/** `stagecraft release <name> --help`. */
export function subcommandUsage(help: SubcommandHelp): string {
  return [
    `Usage: stagecraft release ${help.usage} [options]`,
    '',
    `${help.summary[0]?.toUpperCase() ?? ''}${help.summary.slice(1)}.`,
    '',
    'Options:',
    table([...help.options, ...COMMON_OPTIONS_HELP]),
    '',
  ].join('\n');
}
