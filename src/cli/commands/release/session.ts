import { resolve } from 'node:path';
import { flagReader } from '../../argv.ts';
import type { CommandContext, ParsedArgs } from '../../command.ts';
import { UsageError } from '../../errors.ts';
import type { AwsClients } from '../../../platform/aws/clients.ts';
import { DEFAULT_STACK_NAME } from '../../../config/aws-stack.ts';
import { currentUser, type ReleaseContext } from '../../../release/context.ts';
import { RELEASE_TARGETS, type ReleaseTarget } from '../../../platform/control-plane.ts';
import { LocalControlPlane } from '../../../platform/local/control-plane.ts';
import { createProgress } from '../../../release/progress.ts';

/** The default state dir. */
import { DEFAULT_STATE_DIR } from '../../../state/layout.ts';

export { DEFAULT_STATE_DIR };

// Flags that only mean something to the AWS target; with --target local they are refused
// rather than silently ignored.
const AWS_ONLY = ['stack', 'profile', 'region'] as const;

/** The options every subcommand takes, parsed and checked. */
export interface CommonOptions {
  /** Absolute state dir. */
  readonly stateDir: string;
  /** `local` or `aws`. */
  readonly target: ReleaseTarget;
  /** The CloudFormation stack (aws). */
  readonly stackName: string;
  /** `--profile` (aws): the shared-config profile; unset → the SDK's chain (AWS_PROFILE, …). */
  readonly profile?: string;
  /** `--region` (aws); unset → AWS_REGION or the profile's region. */
  readonly region?: string;
  /** One JSON object on stdout, no progress. */
  readonly json: boolean;
}

/** A release subcommand's command line: the common options checked, its own values as parsed. */
export interface ReleaseArgs {
  /** Common options. */
  readonly common: CommonOptions;
  /** The subcommand's own option values. */
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** Positional arguments. */
  readonly positionals: readonly string[];
}

/** Checks the options every subcommand takes; a bad value is a {@link UsageError} (exit 2). */
export function releaseArgs(ctx: CommandContext, args: ParsedArgs): ReleaseArgs {
  const { str, bool } = flagReader(args);
  const target = str('target') ?? 'local';
  if (!(RELEASE_TARGETS as readonly string[]).includes(target)) {
    throw new UsageError(`--target must be local or aws, got '${target}'`);
  }
  for (const flag of AWS_ONLY) {
    const value = str(flag);
    if (value !== undefined && target !== 'aws') {
      throw new UsageError(`--${flag} applies to --target aws only`);
    }
    if (value === '') throw new UsageError(`--${flag} needs a value`);
  }
  const profile = str('profile');
  const region = str('region');
  const stateDir = str('state-dir');
  if (stateDir === '') throw new UsageError('--state-dir needs a directory');
  return {
    common: {
      stateDir: resolve(ctx.cwd, stateDir ?? DEFAULT_STATE_DIR),
      target: target as ReleaseTarget,
      stackName: str('stack') ?? DEFAULT_STACK_NAME,
      ...(profile !== undefined ? { profile } : {}),
      ...(region !== undefined ? { region } : {}),
      json: bool('json'),
    },
    values: args.values as ReleaseArgs['values'],
    positionals: args.positionals,
  };
}

/** A release context and what to close when the command ends. */
export interface ReleaseSession {
  /** What the operations get. */
  readonly release: ReleaseContext;
  /** Frees the SDK clients (aws). */
  close(): void;
  /** The AWS SDK clients of an aws session (for commands that need more than the control plane). */
  readonly awsClients?: AwsClients;
}

/** Options for {@link openSession}. */
export interface SessionOptions {
  /** The subcommand name and its arguments, for history. */
  readonly commandLine: string;
  /** Local target: the running `stagecraft dev`'s base URL. */
  readonly devUrl?: string;
  /**
   * The AWS SDK clients; tests pass their own. Default: built here, once, with the SDK's
   * retry settings (`AWS_RETRY`).
   */
  readonly awsClients?: AwsClients;
}

/** Builds the control plane of the target and the release context around it. */
export async function openSession(
  ctx: CommandContext,
  common: CommonOptions,
  options: SessionOptions,
): Promise<ReleaseSession> {
  const progress = createProgress(ctx.stderr as NodeJS.WriteStream, { enabled: !common.json });
  const base = {
    stateDir: common.stateDir,
    projectDir: ctx.cwd,
    commandLine: options.commandLine,
    user: currentUser(ctx.env),
    now: () => new Date(),
    progress,
  };
  if (common.target === 'local') {
    const controlPlane = await LocalControlPlane.open({
      stateDir: common.stateDir,
      ...(options.devUrl !== undefined ? { devUrl: options.devUrl } : {}),
    });
    return { release: { ...base, controlPlane }, close: () => undefined };
  }
  // Loaded only for --target aws: the SDK is most of what a local `release status` would load.
  const { createAwsClients } = await import('../../../platform/aws/clients.ts');
  const { openAwsControlPlane } = await import('../../../platform/aws/control-plane.ts');
  const owned =
    options.awsClients === undefined
      ? createAwsClients({
          ...(common.profile !== undefined ? { profile: common.profile } : {}),
          ...(common.region !== undefined ? { region: common.region } : {}),
        })
      : undefined;
  const clients = options.awsClients ?? (owned as AwsClients);
  try {
    const controlPlane = await progress.task(`read stack ${common.stackName}`, () =>
      openAwsControlPlane({ ...clients, stackName: common.stackName }),
    );
    return {
      release: { ...base, controlPlane },
      close: () => owned?.destroy(),
      awsClients: clients,
    };
  } catch (error) {
    owned?.destroy();
    throw error;
  }
}

/** Writes one JSON object and a newline. */
export function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
