/**
 * What a command is to the dispatcher: its help and flags as data (one {@link CommandSpec} per
 * command, rendered by `help.ts` and parsed by `argv.ts`), and its implementation, loaded with
 * `await import` only when it runs.
 */

/** What every command receives: its arguments and where to write. */
export interface CommandContext {
  /** Arguments after the command name. */
  readonly argv: readonly string[];
  /** Working directory the command resolves relative paths against. */
  readonly cwd: string;
  /** Standard output. */
  readonly stdout: NodeJS.WritableStream;
  /** Standard error: progress and summaries go here. */
  readonly stderr: NodeJS.WritableStream;
  /** Standard input (for `-` arguments). */
  readonly stdin: NodeJS.ReadableStream;
  /** The environment. */
  readonly env: NodeJS.ProcessEnv;
}

/** A command line parsed against a {@link CommandSpec}'s flags. */
export interface ParsedArgs {
  /** Flag values by name (`multiple` flags give arrays). */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  /** Positional arguments (at most the spec's `positionals`). */
  readonly positionals: readonly string[];
  /** Arguments after `--`, for a spec with `passThrough` (else `--` is refused). */
  readonly rest: readonly string[];
}

/** A command's implementation: resolves to the exit code; throws a StagecraftError to fail. */
export type CommandRun = (ctx: CommandContext, args: ParsedArgs) => Promise<number>;

/** One flag: how `--help` shows it and how the parser reads it. */
export interface FlagSpec {
  /** As the help shows it: `--port N`, `-h, --help`, `-- CDK_ARGS…`. */
  readonly label: string;
  /** What it means, one line. */
  readonly text: string;
  /** Shown after the text as `(default: …)`. */
  readonly default?: string;
  /** The parseArgs name (`port`); absent for a row the help shows but the parser does not read. */
  readonly name?: string;
  /**
   * `string` takes a value, `boolean` does not.
   * @default 'boolean'
   */
  readonly type?: 'string' | 'boolean';
  /** A one-letter alias (`h`). */
  readonly short?: string;
  /** Repeatable (`--profile a --profile b`); the value is an array. */
  readonly multiple?: boolean;
}

/** A titled list of flags (`Options`, `Input (one of)`). */
export interface FlagSection {
  /** The heading, without the colon. */
  readonly title: string;
  /** Its flags, in help order. */
  readonly flags: readonly FlagSpec[];
}

/** A runnable command, with its help kept as data. */
export interface CommandSpec {
  /** The name as typed (`deploy`, `promote`). */
  readonly name: string;
  /** One line for the parent's command list. */
  readonly summary: string;
  /** The synopsis after `Usage: `. */
  readonly usage: string;
  /** What the command does, as lines (blank lines allowed). */
  readonly description: readonly string[];
  /** Flag sections; every flag the command takes is declared here. */
  readonly sections: readonly FlagSection[];
  /** `Exit codes:` lines (`0  done`, …). */
  readonly exitCodes?: readonly string[];
  /** `Examples:` lines, each a command line. */
  readonly examples?: readonly string[];
  /**
   * How many positional arguments it takes.
   * @default 0
   */
  readonly positionals?: number;
  /** Arguments after `--` are passed through (`deploy -- --require-approval never`). */
  readonly passThrough?: boolean;
  /** Loads the implementation; `await import` keeps start-up fast for the other commands. */
  readonly load: () => Promise<{ run: CommandRun }>;
}

/** A command with subcommands (`stagecraft` itself, `stagecraft release`). */
export interface GroupSpec {
  /** The name as typed (empty for the program itself). */
  readonly name: string;
  /** One line for the parent's command list. */
  readonly summary: string;
  /** The synopsis after `Usage: `. */
  readonly usage: string;
  /** What the group is for, as lines. */
  readonly description: readonly string[];
  /** The subcommands, in help order. */
  readonly commands: readonly (CommandSpec | GroupSpec)[];
  /** Flag sections shown after the command list. */
  readonly sections: readonly FlagSection[];
  /** Lines after everything else. */
  readonly footer?: readonly string[];
}

/** True for a group (it has subcommands). */
export function isGroup(spec: CommandSpec | GroupSpec): spec is GroupSpec {
  return 'commands' in spec;
}

/** True when the command takes `--json` (so its failures are printed as JSON too). */
export function takesJson(spec: CommandSpec): boolean {
  return spec.sections.some((section) => section.flags.some((flag) => flag.name === 'json'));
}
