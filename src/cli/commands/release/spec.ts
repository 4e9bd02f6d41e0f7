/**
 * `stagecraft release` and its subcommands: help and flags as data, so `--help` and
 * docs/release.md say the same thing.
 */
import { DEFAULT_STATE_DIR } from '../../../state/layout.ts';
import type { CommandSpec, FlagSpec, GroupSpec } from '../../command.ts';

/** Options every release subcommand takes. */
export const COMMON_FLAGS: readonly FlagSpec[] = [
  {
    label: '--state-dir DIR',
    name: 'state-dir',
    type: 'string',
    text: `state dir: history, verification, lock (default ${DEFAULT_STATE_DIR})`,
  },
  {
    label: '--target local|aws',
    name: 'target',
    type: 'string',
    text: 'the local stack or AWS Lambda (default local)',
  },
  {
    label: '--stack NAME',
    name: 'stack',
    type: 'string',
    text: 'with --target aws: the CloudFormation stack (default Stagecraft)',
  },
  {
    label: '--profile NAME',
    name: 'profile',
    type: 'string',
    text: 'with --target aws: the AWS profile (default: AWS_PROFILE / default)',
  },
  {
    label: '--region REGION',
    name: 'region',
    type: 'string',
    text: 'with --target aws: the AWS region (default: AWS_REGION / the profile’s)',
  },
  { label: '--json', name: 'json', text: 'print one JSON object, no progress' },
  { label: '-h, --help', name: 'help', short: 'h', text: 'show help' },
];

// A subcommand (each in its own folder, imported only when it runs): its synopsis after
// `stagecraft release`, one-line summary (also its help's description, as a sentence), flags.
function subcommand(
  name: string,
  synopsis: string,
  summary: string,
  own: readonly FlagSpec[],
  load: CommandSpec['load'],
  extra: Pick<CommandSpec, 'positionals' | 'exitCodes' | 'examples'> = {},
): CommandSpec {
  return {
    name,
    summary,
    usage: `stagecraft release ${synopsis} [options]`,
    description: [`${summary[0]?.toUpperCase() ?? ''}${summary.slice(1)}.`],
    sections: [{ title: 'Options', flags: [...own, ...COMMON_FLAGS] }],
    ...extra,
    load,
  };
}

/** Every subcommand, in workflow order. */
export const RELEASE_COMMANDS: readonly CommandSpec[] = [
  subcommand(
    'status',
    'status',
    'each stage → alias → version, code sha256, canary weights, last verification',
    [],
    () => import('./status/index.ts'),
  ),
  subcommand(
    'verify',
    'verify [--url URL]',
    'run the smoke suite against staging and record which code passed',
    [
      {
        label: '--url URL',
        name: 'url',
        type: 'string',
        text: 'local: base URL of the running `stagecraft dev` (default: its dev.lock, else http://127.0.0.1:3000/)',
      },
    ],
    () => import('./verify/index.ts'),
  ),
  subcommand(
    'publish',
    'publish [--description TEXT]',
    'publish $LATEST as the next version (unchanged code → the newest version)',
    [
      {
        label: '--description TEXT',
        name: 'description',
        type: 'string',
        text: 'the version description',
      },
    ],
    () => import('./publish/index.ts'),
  ),
  subcommand(
    'promote',
    'promote [VERSION] [--canary PERCENT] [--complete] [--force] [--code-only | --api-only]',
    "point prod at VERSION (default: publish the verified $LATEST first) and prod's API at staging's API deployment",
    [
      {
        label: '--canary PERCENT',
        name: 'canary',
        type: 'string',
        text: 'send PERCENT (0 < P < 100) of prod traffic to the version',
      },
      {
        label: '--complete',
        name: 'complete',
        text: 'finish the running canary: all traffic to its version',
      },
      {
        label: '--force',
        name: 'force',
        text: 'promote code or an API deployment that was not verified on staging (recorded in history)',
      },
      {
        label: '--code-only',
        name: 'code-only',
        text: "move prod's alias only, not its API deployment (canary steps are always code only)",
      },
      {
        label: '--api-only',
        name: 'api-only',
        text: "move prod's API deployment only (to staging's), not its alias",
      },
    ],
    () => import('./promote/index.ts'),
    { positionals: 1 },
  ),
  subcommand(
    'rollout',
    'rollout [VERSION] [--strategy S | --steps P,P,… --interval D] [--resume]',
    'shift prod to VERSION step by step, judging it against the baseline; roll back by itself',
    [
      {
        label: '--strategy S',
        name: 'strategy',
        type: 'string',
        text: 'canary:PERCENT:DURATION, linear:PERCENT:DURATION or all-at-once (durations s/m/h)',
        default: 'canary:10:5m',
      },
      {
        label: '--steps P,P,…',
        name: 'steps',
        type: 'string',
        text: 'explicit shares in %, e.g. 5,25,50,100 (100 is added when missing)',
      },
      {
        label: '--interval D',
        name: 'interval',
        type: 'string',
        text: 'with --steps: how long each step is watched, e.g. 2m',
      },
      {
        label: '--tick D',
        name: 'tick',
        type: 'string',
        text: 'time between two judgements',
        default: '10s local, 60s aws',
      },
      {
        label: '--max-error-rate PERCENT',
        name: 'max-error-rate',
        type: 'string',
        text: 'the canary fails only above this error rate (and significantly above the baseline)',
        default: '1%',
      },
      {
        label: '--confidence C',
        name: 'confidence',
        type: 'string',
        text: 'confidence of the one-sided Fisher exact test, in (0, 1)',
        default: '0.99',
      },
      {
        label: '--max-p99-ratio R',
        name: 'max-p99-ratio',
        type: 'string',
        text: 'canary p99 may be at most R × baseline p99 (judged from 100 requests each)',
        default: '1.5',
      },
      {
        label: '--min-requests N',
        name: 'min-requests',
        type: 'string',
        text: 'fewer canary requests in a step make it inconclusive',
        default: '50',
      },
      {
        label: '--max-extensions N',
        name: 'max-extensions',
        type: 'string',
        text: 'an inconclusive step is extended by its duration up to N times',
        default: '3',
      },
      {
        label: '--on-inconclusive fail|continue',
        name: 'on-inconclusive',
        type: 'string',
        text: 'what a step still inconclusive after its extensions does',
        default: 'fail',
      },
      {
        label: '--alarm NAME',
        name: 'alarm',
        type: 'string',
        multiple: true,
        text: 'aws: abort when this CloudWatch alarm is in ALARM (repeatable)',
      },
      {
        label: '--traffic RPS',
        name: 'traffic',
        type: 'string',
        text: 'local: drive the verify suite’s requests against prod at up to RPS per second',
      },
      {
        label: '--resume',
        name: 'resume',
        text: 'continue the interrupted rollout of this state dir (see `release status`)',
      },
      {
        label: '--force',
        name: 'force',
        text: 'roll out code that was not verified on staging (recorded in history)',
      },
    ],
    () => import('./rollout/index.ts'),
    {
      positionals: 1,
      exitCodes: [
        '0  prod serves the new version at 100 %',
        '1  refused or failed before or outside the judgement',
        '2  bad command line',
        '3  aborted: the judgement, an alarm, Ctrl-C/SIGTERM or `release rollback` stopped it; prod is back on the baseline (or where that rollback put it)',
      ],
      examples: [
        'stagecraft release rollout',
        'stagecraft release rollout 4 --strategy linear:20:1m',
        'stagecraft release rollout --steps 20,50,100 --interval 3s --tick 1s --traffic 20',
        'stagecraft release rollout --resume',
      ],
    },
  ),
  subcommand(
    'rollback',
    'rollback [--to VERSION] [--code-only | --api-only]',
    'abort a canary, or point prod back at the previous prod version (and API deployment, when the last promote moved it)',
    [
      {
        label: '--to VERSION',
        name: 'to',
        type: 'string',
        text: 'the version to go back to (default: previous, from history)',
      },
      {
        label: '--code-only',
        name: 'code-only',
        text: "roll back prod's alias only (so does --to)",
      },
      {
        label: '--api-only',
        name: 'api-only',
        text: "roll back prod's API deployment only",
      },
    ],
    () => import('./rollback/index.ts'),
  ),
  subcommand(
    'history',
    'history',
    'every release action: when, who, command, from → to, code sha256, forced',
    [],
    () => import('./history/index.ts'),
  ),
];

/** `stagecraft release`. */
export const RELEASE: GroupSpec = {
  name: 'release',
  summary: 'verify staging, publish, promote (with canary), roll back; status and history',
  usage: 'stagecraft release <command> [options]',
  description: [
    'Release control: verify staging → publish → promote → rollback, with canary and history.',
  ],
  commands: RELEASE_COMMANDS,
  sections: [{ title: 'Options (every command)', flags: COMMON_FLAGS }],
  footer: [
    "Run 'stagecraft release <command> --help' for a command's own options.",
    'Exit codes: 0 done, 1 refused or failed, 2 bad command line, 3 rollout aborted.',
  ],
};
