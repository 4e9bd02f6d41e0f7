// `stagecraft ssh-config`: EC2 instances into ~/.ssh/config, between marker lines. Parse flags,
// read instances, plan (pure), then show and apply the plan.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { AwsTarget, Ec2ClientFactory } from '../../../ssh/aws-source.ts';
import { readConfigFile, writeConfigFile } from '../../../ssh/config-file.ts';
import { unifiedDiff } from '../../../ssh/diff.ts';
import { instancesFromJson } from '../../../ssh/instances.ts';
import type { AddressKind, Ec2Instance } from '../../../ssh/model.ts';
import { sanitizeHostName } from '../../../ssh/names.ts';
import { planSshConfig } from '../../../ssh/plan.ts';
import { hostsAsJson, markerNameProblem, optionValueProblem } from '../../../ssh/render.ts';
import type { HostOptions } from '../../../ssh/render.ts';
import type { SelectOptions } from '../../../ssh/select.ts';
import { summarize } from '../../../ssh/summary.ts';
import { parseCommandArgs } from '../../argv.ts';
import type { CommandContext, ParsedArgs } from '../../command.ts';
import { CliError, UsageError } from '../../errors.ts';
import { DEFAULT_MARKER, SSH_CONFIG } from './spec.ts';

export { DEFAULT_MARKER } from './spec.ts';

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
 * @param args the parsed command line
 */
export async function run(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  return runSshConfig(ctx, {}, args);
}

/**
 * Runs `ssh-config` with replaceable dependencies.
 *
 * @param ctx arguments, working directory, streams and environment
 * @param deps the EC2 client factory
 * @param args the parsed command line (default: `ctx.argv` parsed)
 */
export async function runSshConfig(
  ctx: CommandContext,
  deps: SshConfigDeps,
  args: ParsedArgs = parseCommandArgs(SSH_CONFIG, ctx.argv, 'ssh-config'),
): Promise<number> {
  const options = sshConfigOptions(args, ctx);
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
    const { bytes, source } = await readInput(options.fromJson, ctx);
    return instancesFromJson(bytes, source);
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
    return { bytes: Buffer.concat(chunks), source: 'standard input' };
  }
  const path = resolve(ctx.cwd, fromJson);
  try {
    return { bytes: await readFile(path), source: fromJson };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot read --from-json ${fromJson}: ${reason}`, 'cli.input');
  }
}

type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

// The parsed flags → checked options (bad values are usage errors, exit 2).
function sshConfigOptions(args: ParsedArgs, ctx: CommandContext): SshConfigOptions {
  const values = args.values;
  const { fromJson, profiles, regions } = inputOptions(values);
  const includeStopped = values['include-stopped'] === true;
  const marker = (values.marker as string | undefined) ?? DEFAULT_MARKER;
  const markerProblem = markerNameProblem(marker);
  if (markerProblem !== undefined) throw new UsageError(`--marker: ${markerProblem}`);
  return {
    fromJson,
    targets: crossTargets(profiles, regions),
    includeStopped,
    configPath: configPath(values.config as string | undefined, ctx),
    marker,
    select: { ...selectOptions(values), includeStopped },
    hostOptions: hostOptions(values),
    dryRun: values['dry-run'] === true,
    backup: values.backup === true,
    json: values.json === true,
  };
}

// Where the instances come from: a file, or AWS profiles × regions.
function inputOptions(values: Values) {
  const fromJson = values['from-json'] as string | undefined;
  const profiles = (values.profile as string[] | undefined) ?? [];
  const regions = (values.region as string[] | undefined) ?? [];
  if (fromJson !== undefined && (profiles.length > 0 || regions.length > 0)) {
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
  return { fromJson, profiles, regions };
}

// Which instances become hosts, and under which names.
function selectOptions(values: Values): Omit<SelectOptions, 'includeStopped'> {
  const address = (values.address as string | undefined) ?? 'private';
  if (address !== 'private' && address !== 'public') {
    throw new UsageError(`--address must be 'private' or 'public', not ${JSON.stringify(address)}`);
  }
  const prefix = (values.prefix as string | undefined) ?? '';
  if (sanitizeHostName(prefix) !== prefix) {
    throw new UsageError(
      `--prefix ${JSON.stringify(prefix)} contains characters ssh host names cannot have ` +
        `(whitespace, * ? ! # " \\ , or control characters)`,
    );
  }
  return {
    address: address satisfies AddressKind,
    fallbackId: values['fallback-id'] === true,
    prefix,
  };
}

// User, IdentityFile and ProxyJump written into every host.
function hostOptions(values: Values): HostOptions {
  const options: { user?: string; identityFile?: string; proxyJump?: string } = {};
  for (const [flag, key] of [
    ['user', 'user'],
    ['identity-file', 'identityFile'],
    ['proxy-jump', 'proxyJump'],
  ] as const) {
    const value = values[flag] as string | undefined;
    if (value === undefined) continue;
    const problem = optionValueProblem(value);
    if (problem !== undefined) throw new UsageError(`--${flag} ${problem}`);
    options[key] = value;
  }
  if (options.proxyJump !== undefined && /\s/.test(options.proxyJump)) {
    throw new UsageError('--proxy-jump must not contain whitespace (use [user@]host[:port][,…])');
  }
  return options;
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
