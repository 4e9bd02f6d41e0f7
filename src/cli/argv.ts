/**
 * The one argv parser: node:util `parseArgs` (strict) over the flags a {@link CommandSpec}
 * declares for its help, so a flag cannot be parsed without being documented. Anything unknown
 * or malformed is a {@link UsageError} (exit 2) that points at the command's `--help`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandSpec, ParsedArgs } from './command.ts';
import { UsageError } from './errors.ts';

type ParseOptions = NonNullable<ParseArgsConfig['options']>;

function parseOptions(spec: CommandSpec): ParseOptions {
  const options: ParseOptions = {};
  for (const flag of spec.sections.flatMap((section) => section.flags)) {
    if (flag.name === undefined) continue;
    options[flag.name] = {
      type: flag.type ?? 'boolean',
      ...(flag.short !== undefined && { short: flag.short }),
      ...(flag.multiple === true && { multiple: true }),
    };
  }
  return options;
}

/**
 * Parses `argv` (the arguments after the command's name) against `spec`.
 * @param commandLine the command as typed (`release promote`), for the pointer to its help
 */
export function parseCommandArgs(
  spec: CommandSpec,
  argv: readonly string[],
  commandLine: string,
): ParsedArgs {
  const hint = `\nSee 'stagecraft ${commandLine} --help'.`;
  const split = spec.passThrough === true ? argv.indexOf('--') : -1;
  const own = split === -1 ? argv : argv.slice(0, split);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...own],
      options: parseOptions(spec),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    // parseArgs explains unknown flags and missing values well; add where to look next.
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}${hint}`);
  }
  const max = spec.positionals ?? 0;
  const extra = parsed.positionals[max];
  if (extra !== undefined) {
    throw new UsageError(`Unexpected argument '${extra}' (usage: ${spec.usage})${hint}`);
  }
  return {
    values: parsed.values as ParsedArgs['values'],
    positionals: parsed.positionals,
    rest: split === -1 ? [] : argv.slice(split + 1),
  };
}

/** True when `argv` asks for JSON output (`--json` before any `--`). */
export function asksForJson(argv: readonly string[]): boolean {
  const split = argv.indexOf('--');
  return (split === -1 ? argv : argv.slice(0, split)).includes('--json');
}

/** Typed reads of a parsed command line's flags: `str('stack')`, `bool('json')`. */
export function flagReader(args: ParsedArgs): {
  str(name: string): string | undefined;
  bool(name: string): boolean;
} {
  const values = args.values as Readonly<Record<string, string | boolean | undefined>>;
  return {
    str: (name) => values[name] as string | undefined,
    bool: (name) => values[name] === true,
  };
}
