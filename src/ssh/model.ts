// The data that flows through `ssh-config`: instances in, hosts (and the reasons for the rest) out.

/** One EC2 instance, reduced to what naming and addressing need. */
export interface Ec2Instance {
  /** `InstanceId`, e.g. `i-0123456789abcdef0`. */
  readonly instanceId: string;
  /** The `Name` tag's value as tagged; `undefined` when there is no `Name` tag. */
  readonly name: string | undefined;
  /** `State.Name` (`running`, `stopped`, …); `undefined` when the document has no `State`. */
  readonly state: string | undefined;
  /** `PrivateIpAddress`, unchecked. */
  readonly privateIp: string | undefined;
  /** `PublicIpAddress`, unchecked. */
  readonly publicIp: string | undefined;
  /** `LaunchTime` in milliseconds since the epoch; orders duplicate names. */
  readonly launchTime: number | undefined;
  /** `Platform`: `windows` for Windows instances, absent for everything else. */
  readonly platform: string | undefined;
}

/** Which of an instance's addresses goes into `HostName`. */
export type AddressKind = 'private' | 'public';

/** One `Host` entry of the generated block. */
export interface SshHost {
  /** The `Host` name: sanitised, prefixed, unique. */
  readonly name: string;
  /** The IPv4 address written as `HostName`. */
  readonly address: string;
  /** The instance it stands for; written as a comment line. */
  readonly instanceId: string;
  /**
   * `windows` for Windows instances (noted in the comment line, e.g. `# i-0abc (windows)`);
   * absent for everything else. Only this known value is kept, so input text never reaches it.
   */
  readonly platform?: 'windows';
}

/**
 * Why an instance got no entry.
 *
 * - `duplicate-instance`: the same `InstanceId` was already read (e.g. a file given twice).
 * - `not-running`: its state is not `running` (and `--include-stopped` is off), or it is
 *   `shutting-down`/`terminated`, which are never written.
 * - `no-address`: it has no address of the requested kind (e.g. stopped, or no public IP).
 * - `invalid-address`: the address is not a valid IPv4 address.
 * - `no-name`: no `Name` tag, or an empty one (and `--fallback-id` is off).
 * - `empty-name`: the `Name` tag is left empty by sanitising (and `--fallback-id` is off).
 */
export type SkipReason =
  | 'duplicate-instance'
  | 'not-running'
  | 'no-address'
  | 'invalid-address'
  | 'no-name'
  | 'empty-name';

/** An instance that got no entry, and why. */
export interface SkippedInstance {
  /** The instance. */
  readonly instanceId: string;
  /** Why it was skipped. */
  readonly reason: SkipReason;
  /** The value behind the reason (the state, the bad address, the raw name), when there is one. */
  readonly detail?: string;
}

/** A host whose name was taken by an earlier-launched instance, and the name it got instead. */
export interface RenamedHost {
  /** The instance that was renamed. */
  readonly instanceId: string;
  /** The name it would have had. */
  readonly from: string;
  /** The name it got (`from-2`, `from-3`, …). */
  readonly to: string;
}

/** The outcome of host selection. */
export interface Selection {
  /** Hosts to write, sorted by name. */
  readonly hosts: readonly SshHost[];
  /** Instances that got no entry, in input order. */
  readonly skipped: readonly SkippedInstance[];
  /** Duplicate names and what they became, in the order they were renamed. */
  readonly renamed: readonly RenamedHost[];
}
