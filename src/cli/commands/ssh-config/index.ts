// `stagecraft ssh-config`: EC2 instances into ~/.ssh/config, between marker lines. Parse flags,
// read instances, plan (pure), then show and apply the plan.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AwsTarget, Ec2ClientFactory } from '../../../ssh/aws-source.ts';
import { readConfigFile, writeConfigFile } from '../../../ssh/config-file.ts';
import { unifiedDiff } from '../../../ssh/diff.ts';
import { instancesFromDocuments } from '../../../ssh/instances.ts';
import type { AddressKind, Ec2Instance } from '../../../ssh/model.ts';
import { sanitizeHostName } from '../../../ssh/names.ts';
import { parseJsonDocuments } from '../../../ssh/parse-input.ts';
import { planSshConfig } from '../../../ssh/plan.ts';
import { hostsAsJson, markerNameProblem, optionValueProblem } from '../../../ssh/render.ts';
import type { HostOptions } from '../../../ssh/render.ts';
import type { SelectOptions } from '../../../ssh/select.ts';
import { summarize } from '../../../ssh/summary.ts';
import type { CommandContext } from '../../command.ts';
import { CliError, UsageError } from '../../errors.ts';

/** The default `--marker`: the block is `### STAGECRAFT BEGIN ###` … `### STAGECRAFT END ###`. */
export const DEFAULT_MARKER = 'STAGECRAFT';

/** One option as `--help` (and docs/ssh-config.md) show it. */
interface HelpOption {
  readonly flag: string;
  readonly text: string;
}

/** Help kept as data, so `--help` and the docs say the same thing. */
export const HELP = {
  usage:
    'stagecraft ssh-config [--from-json FILE|-] [--profile NAME]... [--region NAME]... [options]',
  summary:
    'Writes EC2 instances as Host entries into ~/.ssh/config, between ' +
    `"### ${DEFAULT_MARKER} BEGIN ###" and "### ${DEFAULT_MARKER} END ###".`,
  sections: [
    {
      title: 'Input (one of)',
      options: [
        {
          flag: '--from-json FILE|-',
          text: "output of 'aws ec2 describe-instances' (- = stdin); several documents, concatenated or in an array, are fine",
        },
        {
          flag: '--profile NAME',
          text: 'AWS profile to list (repeatable); without --from-json, AWS is asked directly',
        },
        {
          flag: '--region NAME',
          text: 'AWS region to list (repeatable; every profile × every region)',
        },
        {
          flag: '--include-stopped',
          text: 'also write pending/stopping/stopped instances (default: running only)',
        },
      ],
    },
    {
      title: 'Output',
      options: [
        { flag: '--config PATH', text: 'ssh config to update (default: ~/.ssh/config)' },
        { flag: '--marker NAME', text: `block name (default: ${DEFAULT_MARKER})` },
        {
          flag: '--address private|public',
          text: 'address written as HostName (default: private)',
        },
        { flag: '--user NAME', text: 'User for every host' },
        { flag: '--identity-file PATH', text: 'IdentityFile for every host' },
        { flag: '--proxy-jump HOST', text: 'ProxyJump for every host' },
        { flag: '--prefix TEXT', text: 'prepended to every host name' },
        { flag: '--fallback-id', text: 'name instances without a usable Name tag by instance id' },
        { flag: '--dry-run', text: 'print a unified diff of the change; write nothing' },
        { flag: '--backup', text: 'keep the previous file as PATH.bak' },
        { flag: '--json', text: 'print the hosts as JSON on stdout' },
        { flag: '-h, --help', text: 'show this help' },
      ],
    },
  ] satisfies { title: string; options: HelpOption[] }[],
  exitCodes: [
    '0  done (or nothing to change)',
    '1  unreadable/invalid input, malformed markers, file or AWS errors; nothing written',
    '2  bad command line',
  ],
} as const;

function helpText(): string {
  const flags = HELP.sections.flatMap((s) => s.options.map((o) => o.flag.length));
  const width = Math.max(...flags);
  const lines = [`Usage: ${HELP.usage}`, '', HELP.summary];
  for (const section of HELP.sections) {
    lines.push('', `${section.title}:`);
    for (const option of section.options)
      lines.push(`  ${option.flag.padEnd(width)}  ${option.text}`);
  }
  lines.push('', 'Exit codes:', ...HELP.exitCodes.map((line) => `  ${line}`), '');
  return lines.join('\n');
}

/** Everything the command line decides. */
interface SshConfigOptions {
  readonly fromJson: string | undefined;
  readonly targets: readonly AwsTarget[];
  readonly includeStopped: boolean;
  readonly configPath: string;
  readonly marker: string;
  readonly select: SelectOptions;
  readonly hostOptions: HostOptions;
  readonly dryRun: boolean;
  readonly backup: boolean;
  readonly json: boolean;
}

/** What tests replace. */
export interface SshConfigDeps {
  /** Builds EC2 clients for the AWS path (tests pass one that aws-sdk-client-mock controls). */
  readonly createEc2Client?: Ec2ClientFactory;
}

/**
 * Runs `ssh-config`.
 *
 * @param ctx arguments, working directory, streams and environment (`HOME` locates ~/.ssh)
 */
export async function run(ctx: CommandContext): Promise<number> {
  return runSshConfig(ctx, {});
}

/**
 * Runs `ssh-config` with replaceable dependencies.
 *
 * @param ctx arguments, working directory, streams and environment
 * @param deps the EC2 client factory
 */
export async function runSshConfig(ctx: CommandContext, deps: SshConfigDeps): Promise<number> {
  const options = parseOptions(ctx);
  if (options === 'help') {
    ctx.stdout.write(helpText());
    return 0;
  }
  const instances = await loadInstances(options, ctx, deps);
  // Read the file only after the (possibly slow) listing, to keep the window for a concurrent
  // edit between read and rename as small as possible.
  const file = await readConfigFile(options.configPath);
  const plan = planSshConfig({
    instances,
    select: options.select,
    hostOptions: options.hostOptions,
    marker: options.marker,
    existing: file.content,
    label: options.configPath,
  });
  let outcome: 'written' | 'unchanged' | 'dry-run' = plan.changed ? 'written' : 'unchanged';
  let backupPath: string | undefined;
  if (options.dryRun) {
    outcome = 'dry-run';
    if (!options.json) {
      const diff = unifiedDiff(plan.before, plan.after, {
        old: plan.exists ? options.configPath : '/dev/null',
        new: options.configPath,
      });
      // The diff is in the file's own bytes (latin1 round-trips them), so it applies as a patch.
      ctx.stdout.write(Buffer.from(diff, 'latin1'));
    }
  } else if (plan.changed) {
    const content = Buffer.from(plan.after, 'latin1');
    backupPath = await writeConfigFile(file, content, { backup: options.backup });
  }
  // Printed only once the file is written, so a failed write leaves one JSON object (the error).
  if (options.json) {
    ctx.stdout.write(
      `${JSON.stringify(hostsAsJson(plan.selection.hosts, options.hostOptions), null, 2)}\n`,
    );
  }
  const summary = summarize(
    plan.selection,
    outcome,
    options.configPath,
    options.marker,
    backupPath,
  );
  ctx.stderr.write(`${summary.join('\n')}\n`);
  return 0;
}

async function loadInstances(
  options: SshConfigOptions,
  ctx: CommandContext,
  deps: SshConfigDeps,
): Promise<Ec2Instance[]> {
  if (options.fromJson !== undefined) {
    const { text, source } = await readInput(options.fromJson, ctx);
    return instancesFromDocuments(parseJsonDocuments(text, source));
  }
  // The SDK is loaded only here: it costs more start-up time than the whole --from-json path.
  const { instancesFromAws } = await import('../../../ssh/aws-source.ts');
  return instancesFromAws(options.targets, {
    includeStopped: options.includeStopped,
    ...(deps.createEc2Client !== undefined && { createClient: deps.createEc2Client }),
  });
}

async function readInput(fromJson: string, ctx: CommandContext) {
  if (fromJson === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.stdin) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
    return { text: Buffer.concat(chunks).toString('utf8'), source: 'standard input' };
  }
  const path = resolve(ctx.cwd, fromJson);
  try {
    return { text: await readFile(path, 'utf8'), source: fromJson };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot read --from-json ${fromJson}: ${reason}`, 'cli.input');
  }
}

function parseOptions(ctx: CommandContext): SshConfigOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...ctx.argv],
      strict: true,
      allowPositionals: false,
      options: {
        'from-json': { type: 'string' },
        profile: { type: 'string', multiple: true },
        region: { type: 'string', multiple: true },
        'include-stopped': { type: 'boolean' },
        config: { type: 'string' },
        marker: { type: 'string' },
        address: { type: 'string' },
        user: { type: 'string' },
        'identity-file': { type: 'string' },
        'proxy-jump': { type: 'string' },
        prefix: { type: 'string' },
        'fallback-id': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        backup: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs explains unknown flags and missing values well; add where to look next.
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${reason}\nSee 'stagecraft ssh-config --help'.`);
  }
  if (values.help === true) return 'help';

  const profiles = values.profile ?? [];
  const regions = values.region ?? [];
  if (values['from-json'] !== undefined && (profiles.length > 0 || regions.length > 0)) {
    throw new UsageError(
      '--from-json reads instances from a file; it cannot be combined with --profile or --region',
    );
  }
  for (const [flag, list] of [
    ['--profile', profiles],
    ['--region', regions],
  ] as const) {
    if (list.some((value) => value.trim() === ''))
      throw new UsageError(`${flag} must not be empty`);
  }

  const address = values.address ?? 'private';
  if (address !== 'private' && address !== 'public') {
    throw new UsageError(`--address must be 'private' or 'public', not ${JSON.stringify(address)}`);
  }
  const marker = values.marker ?? DEFAULT_MARKER;
  const markerProblem = markerNameProblem(marker);
  if (markerProblem !== undefined) throw new UsageError(`--marker: ${markerProblem}`);

  const prefix = values.prefix ?? '';
  if (sanitizeHostName(prefix) !== prefix) {
    throw new UsageError(
      `--prefix ${JSON.stringify(prefix)} contains characters ssh host names cannot have ` +
        `(whitespace, * ? ! # " \\ , or control characters)`,
    );
  }
  const hostOptions: { user?: string; identityFile?: string; proxyJump?: string } = {};
  for (const [flag, key] of [
    ['user', 'user'],
    ['identity-file', 'identityFile'],
    ['proxy-jump', 'proxyJump'],
  ] as const) {
    const value = values[flag];
    if (value === undefined) continue;
    const problem = optionValueProblem(value);
    if (problem !== undefined) throw new UsageError(`--${flag} ${problem}`);
    hostOptions[key] = value;
  }
  if (hostOptions.proxyJump !== undefined && /\s/.test(hostOptions.proxyJump)) {
    throw new UsageError('--proxy-jump must not contain whitespace (use [user@]host[:port][,…])');
  }

  return {
    fromJson: values['from-json'],
    targets: crossTargets(profiles, regions),
    includeStopped: values['include-stopped'] === true,
    configPath: configPath(values.config, ctx),
    marker,
    select: {
      address: address satisfies AddressKind,
      includeStopped: values['include-stopped'] === true,
      fallbackId: values['fallback-id'] === true,
      prefix,
    },
    hostOptions,
    dryRun: values['dry-run'] === true,
    backup: values.backup === true,
    json: values.json === true,
  };
}

/** Every profile in every region; an absent flag leaves that part to the SDK's defaults. */
function crossTargets(profiles: readonly string[], regions: readonly string[]): AwsTarget[] {
  const targets: AwsTarget[] = [];
  const seen = new Set<string>();
  for (const profile of profiles.length > 0 ? profiles : [undefined]) {
    for (const region of regions.length > 0 ? regions : [undefined]) {
      // The same pair twice would list every instance twice.
      const key = JSON.stringify([profile, region]);
      if (seen.has(key)) continue;
      seen.add(key);
      targets.push({
        ...(profile !== undefined && { profile }),
        ...(region !== undefined && { region }),
      });
    }
  }
  return targets;
}

/** `--config` against the working directory (a quoted `~/` expanded), else ~/.ssh/config. */
function configPath(flag: string | undefined, ctx: CommandContext): string {
  if (flag !== undefined && flag !== '~' && !flag.startsWith('~/')) {
    if (flag === '') throw new UsageError('--config must not be empty');
    return isAbsolute(flag) ? flag : resolve(ctx.cwd, flag);
  }
  const home = ctx.env['HOME'] || ctx.env['USERPROFILE'] || homedir();
  if (!home) throw new UsageError('cannot tell where your home directory is; pass --config PATH');
  if (flag !== undefined) return join(home, flag.slice(1));
  return join(home, '.ssh', 'config');
}
