// Decides which instances become hosts and under which names. Pure: instances and options in,
// a Selection out, so every rule is tested without files or AWS.
import type {
  AddressKind,
  Ec2Instance,
  RenamedHost,
  Selection,
  SkippedInstance,
  SshHost,
} from './model.ts';
import { hostNameKey, isIPv4, sanitizeHostName } from './names.ts';

/** How instances are turned into hosts. */
export interface SelectOptions {
  /**
   * Which address becomes `HostName`.
   * @default 'private'
   */
  readonly address: AddressKind;
  /**
   * Also write `pending`, `stopping` and `stopped` instances (those that still have an address).
   * `shutting-down` and `terminated` instances are never written.
   * @default false
   */
  readonly includeStopped: boolean;
  /**
   * Name instances without a usable `Name` tag by their instance id instead of skipping them.
   * @default false
   */
  readonly fallbackId: boolean;
  /**
   * Prepended to every host name; must already be safe (see {@link sanitizeHostName}).
   * @default ''
   * @example 'prod-'
   */
  readonly prefix: string;
}

/** States never worth an entry: the instance is going or gone. */
const GONE = new Set(['shutting-down', 'terminated']);

interface Candidate {
  readonly instance: Ec2Instance;
  readonly name: string;
  readonly address: string;
}

/**
 * Picks the instances to write, names them and sorts them by name.
 *
 * An instance is written when it is running (or `includeStopped` and not gone), has a valid IPv4
 * address of the requested kind, and has a usable `Name` tag (or `fallbackId`). Windows
 * instances are written like any other (OpenSSH runs on Windows, and an alias serves tunnels
 * too); their host carries `platform: 'windows'`.
 * Names that ssh would treat as the same (case-insensitively) are ordered by `LaunchTime`, then
 * `InstanceId`: the first keeps the name, the next get `-2`, `-3`, … (skipping any suffix that an
 * instance already carries as its own name). An `InstanceId` seen twice is written once.
 *
 * @param instances every instance read, in input order
 * @param options naming and filtering options
 */
export function selectHosts(instances: readonly Ec2Instance[], options: SelectOptions): Selection {
  const skipped: SkippedInstance[] = [];
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const instance of instances) {
    const { instanceId } = instance;
    if (seen.has(instanceId)) {
      skipped.push({ instanceId, reason: 'duplicate-instance' });
      continue;
    }
    seen.add(instanceId);
    const outcome = candidate(instance, options);
    if ('reason' in outcome) skipped.push(outcome);
    else candidates.push(outcome);
  }
  const { hosts, renamed } = assignUniqueNames(candidates);
  hosts.sort(byName);
  return { hosts, skipped, renamed };
}

function candidate(instance: Ec2Instance, options: SelectOptions): Candidate | SkippedInstance {
  const { instanceId, state } = instance;
  // No State at all (hand-written input) is taken as running: nothing says otherwise.
  if (state !== undefined && state !== 'running' && (!options.includeStopped || GONE.has(state))) {
    return { instanceId, reason: 'not-running', detail: state };
  }
  const address = options.address === 'private' ? instance.privateIp : instance.publicIp;
  if (address === undefined || address === '') {
    return { instanceId, reason: 'no-address', detail: options.address };
  }
  if (!isIPv4(address)) return { instanceId, reason: 'invalid-address', detail: address };

  // A missing or blank tag is "no name"; a tag that sanitises to nothing is "empty name". Both
  // fall back to the instance id when asked.
  const tagged = instance.name === undefined ? '' : sanitizeHostName(instance.name);
  const untagged = instance.name === undefined || instance.name.trim() === '';
  const name = tagged !== '' ? tagged : options.fallbackId ? sanitizeHostName(instanceId) : '';
  if (name === '') {
    return untagged
      ? { instanceId, reason: 'no-name' }
      : { instanceId, reason: 'empty-name', detail: instance.name };
  }
  return { instance, name: options.prefix + name, address };
}

function assignUniqueNames(candidates: readonly Candidate[]) {
  // Every name as tagged is reserved up front, so a rename never takes the name of an instance
  // that is really called that (web, web, web-2 → web, web-3, web-2).
  const taken = new Set(candidates.map((c) => hostNameKey(c.name)));
  const kept = new Set<string>();
  const nextSuffix = new Map<string, number>();
  const hosts: SshHost[] = [];
  const renamed: RenamedHost[] = [];
  for (const { instance, name, address } of [...candidates].sort(byLaunch)) {
    const key = hostNameKey(name);
    let unique = name;
    if (kept.has(key)) {
      let suffix = nextSuffix.get(key) ?? 2;
      while (taken.has(hostNameKey(`${name}-${suffix}`))) suffix++;
      unique = `${name}-${suffix}`;
      nextSuffix.set(key, suffix + 1);
      taken.add(hostNameKey(unique));
      renamed.push({ instanceId: instance.instanceId, from: name, to: unique });
    }
    kept.add(key);
    hosts.push({
      name: unique,
      address,
      instanceId: instance.instanceId,
      ...(instance.platform?.toLowerCase() === 'windows' && { platform: 'windows' as const }),
    });
  }
  return { hosts, renamed };
}

/** Earliest launch first; instances without a LaunchTime after all others; then by id. */
function byLaunch(a: Candidate, b: Candidate): number {
  const ta = a.instance.launchTime ?? Infinity;
  const tb = b.instance.launchTime ?? Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return compareCodeUnits(a.instance.instanceId, b.instance.instanceId);
}

// Numeric-aware so web-2 sorts before web-10; the fixed locale keeps output machine-independent.
// Built on first use: nothing runs at module load.
let collator: Intl.Collator | undefined;

function byName(a: SshHost, b: SshHost): number {
  collator ??= new Intl.Collator('en', { numeric: true });
  return collator.compare(a.name, b.name) || compareCodeUnits(a.name, b.name);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
