// Renders hosts as ssh_config text. Lines are returned without line endings: the splice step
// joins them with whatever the existing file uses.
import type { SshHost } from './model.ts';

/** Options written into every host entry. */
export interface HostOptions {
  /** `User` for every host, e.g. `ec2-user`. */
  readonly user?: string;
  /** `IdentityFile` for every host, e.g. `~/.ssh/prod.pem`. */
  readonly identityFile?: string;
  /** `ProxyJump` for every host, e.g. `bastion` or `admin@bastion:2222`. */
  readonly proxyJump?: string;
}

/** The two marker lines that delimit the generated block. */
export interface Markers {
  /** `### NAME BEGIN ###` */
  readonly begin: string;
  /** `### NAME END ###` */
  readonly end: string;
}

/**
 * The marker lines for a block name.
 *
 * @param name the marker name, e.g. `STAGECRAFT`
 */
export function markersFor(name: string): Markers {
  return { begin: `### ${name} BEGIN ###`, end: `### ${name} END ###` };
}

/**
 * Why a marker name cannot be used, or `undefined` when it can. Names are restricted to
 * letters, digits, `_`, `.` and `-` so that a marker line can never be mistaken for, or contain,
 * anything else.
 *
 * @param name the proposed marker name
 */
export function markerNameProblem(name: string): string | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) return undefined;
  return `marker name ${JSON.stringify(name)} must be letters, digits, '_', '.' or '-' (e.g. STAGECRAFT)`;
}

/**
 * Why a value cannot be written as an ssh option argument, or `undefined` when it can. ssh has
 * no escape for `"` inside a quoted argument, and a line break would start a new directive.
 *
 * @param value a `--user`, `--identity-file` or `--proxy-jump` value
 */
export function optionValueProblem(value: string): string | undefined {
  if (value === '') return 'must not be empty';
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value))
    return 'must not contain line breaks or control characters';
  if (value.includes('"')) return `must not contain '"' (ssh_config cannot quote it)`;
  return undefined;
}

/**
 * The block's lines: BEGIN marker, one entry per host (an instance-id comment, with the platform
 * when there is one, e.g. `# i-0abc (windows)`; `Host`,
 * `HostName` and the shared options), END marker. Entries are separated by a blank line.
 *
 * @param markers the marker lines
 * @param hosts hosts in the order to write them
 * @param options options added to every host
 */
export function renderBlock(
  markers: Markers,
  hosts: readonly SshHost[],
  options: HostOptions,
): string[] {
  const shared: string[] = [];
  if (options.user !== undefined) shared.push(`  User ${quote(options.user)}`);
  if (options.identityFile !== undefined) {
    shared.push(`  IdentityFile ${quote(options.identityFile)}`);
  }
  if (options.proxyJump !== undefined) shared.push(`  ProxyJump ${quote(options.proxyJump)}`);

  const lines = [markers.begin];
  hosts.forEach((host, index) => {
    if (index > 0) lines.push('');
    const comment =
      host.platform === undefined ? host.instanceId : `${host.instanceId} (${host.platform})`;
    lines.push(`# ${comment}`, `Host ${host.name}`, `  HostName ${host.address}`);
    lines.push(...shared);
  });
  lines.push(markers.end);
  return lines;
}

/** ssh splits arguments on whitespace unless they are double-quoted. */
function quote(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}

/** A host as `--json` prints it: the fields of its entry, named after the ssh keywords. */
export interface HostJson {
  /** `Host` */
  readonly host: string;
  /** `HostName` */
  readonly hostName: string;
  /** The EC2 instance. */
  readonly instanceId: string;
  /** `windows` for Windows instances; absent otherwise. */
  readonly platform?: 'windows';
  /** `User`, when `--user` was given. */
  readonly user?: string;
  /** `IdentityFile`, when `--identity-file` was given. */
  readonly identityFile?: string;
  /** `ProxyJump`, when `--proxy-jump` was given. */
  readonly proxyJump?: string;
}

/**
 * The hosts as `--json` prints them, in the same order as the block.
 *
 * @param hosts hosts in block order
 * @param options options added to every host
 */
export function hostsAsJson(hosts: readonly SshHost[], options: HostOptions): HostJson[] {
  return hosts.map((host) => ({
    host: host.name,
    hostName: host.address,
    instanceId: host.instanceId,
    ...(host.platform !== undefined && { platform: host.platform }),
    ...(options.user !== undefined && { user: options.user }),
    ...(options.identityFile !== undefined && { identityFile: options.identityFile }),
    ...(options.proxyJump !== undefined && { proxyJump: options.proxyJump }),
  }));
}
