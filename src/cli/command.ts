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

/** A command's implementation: resolves to the exit code. */
export type CommandRun = (ctx: CommandContext) => Promise<number>;

/** A command as the entry point knows it: help kept as data, the code loaded only when run. */
export interface CommandSpec {
  /** The subcommand name, as typed. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Loads the implementation; `await import` keeps start-up fast for the other commands. */
  readonly load: () => Promise<{ run: CommandRun }>;
}
