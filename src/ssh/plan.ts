// Plan, then apply: everything `ssh-config` will do is computed here from the instances and the
// current file, without touching the disk, so `--dry-run` shows exactly what a real run writes.
import type { Ec2Instance, Selection } from './model.ts';
import { markersFor, renderBlock } from './render.ts';
import type { HostOptions } from './render.ts';
import { selectHosts } from './select.ts';
import type { SelectOptions } from './select.ts';
import { spliceBlock } from './splice.ts';

/** What to plan from. */
export interface PlanInput {
  /** Every instance read, in input order. */
  readonly instances: readonly Ec2Instance[];
  /** Filtering and naming. */
  readonly select: SelectOptions;
  /** Options written into every host. */
  readonly hostOptions: HostOptions;
  /** The marker name, e.g. `STAGECRAFT`. */
  readonly marker: string;
  /** The config file's current bytes; `undefined` when it does not exist. */
  readonly existing: Buffer | undefined;
  /** The config file's name, for messages. */
  readonly label: string;
}

/** The computed outcome: which hosts, and the file before and after. */
export interface SshConfigPlan {
  /** Hosts, skipped instances and renames. */
  readonly selection: Selection;
  /** Current content, one character per byte (latin1); `''` when the file does not exist. */
  readonly before: string;
  /** New content, one character per byte (latin1). */
  readonly after: string;
  /** Whether the file exists now. */
  readonly exists: boolean;
  /** Whether applying the plan changes anything; a second identical run plans no change. */
  readonly changed: boolean;
}

/**
 * Computes the new config file. Throws {@link import('./errors.ts').SshConfigError} when the
 * current file's markers are malformed.
 *
 * @param input instances, options and the current file
 */
export function planSshConfig(input: PlanInput): SshConfigPlan {
  const selection = selectHosts(input.instances, input.select);
  const markers = markersFor(input.marker);
  // The file is handled byte for byte (latin1: one character per byte); the block's own text is
  // UTF-8 (tag values may be any language), so its lines are re-expressed as their UTF-8 bytes.
  const lines = renderBlock(markers, selection.hosts, input.hostOptions).map(asBytes);
  const before = input.existing?.toString('latin1') ?? '';
  const after = spliceBlock(before, lines, markers, input.label);
  const exists = input.existing !== undefined;
  return { selection, before, after, exists, changed: !exists || before !== after };
}

/** A JS string's UTF-8 bytes as a latin1 string; ASCII (the usual case) is already that. */
function asBytes(line: string): string {
  // eslint-disable-next-line no-control-regex -- checks for any non-ASCII character
  return /[^\u0000-\u007f]/.test(line) ? Buffer.from(line, 'utf8').toString('latin1') : line;
}
