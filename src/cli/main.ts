/**
 * The one dispatcher: argv → the command's spec → its parsed options → its implementation
 * (imported only now). Help comes from the spec without loading the command; every failure
 * goes through the one error mapper.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/project-paths.ts';
import { asksForJson, parseCommandArgs } from './argv.ts';
import {
  type CommandContext,
  type CommandSpec,
  type GroupSpec,
  isGroup,
  takesJson,
} from './command.ts';
import { PROGRAM } from './commands.ts';
import { UsageError } from './errors.ts';
import { renderCommandHelp, renderGroupHelp } from './help.ts';
import { reportError } from './report-error.ts';

function packageVersion(): string {
  const manifest = join(PROJECT_ROOT, 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return pkg.version;
}

const HELP_WORDS = new Set(['-h', '--help', 'help']);

// Walks the group tree to a runnable command; prints a group's help where one is asked for.
type Resolved =
  | {
      readonly kind: 'command';
      readonly spec: CommandSpec;
      readonly path: string[];
      readonly argv: readonly string[];
    }
  | { readonly kind: 'done'; readonly code: number };

function resolveCommand(ctx: CommandContext, path: string[]): Resolved {
  let group: GroupSpec = PROGRAM;
  let argv = ctx.argv;
  for (;;) {
    const [name, ...rest] = argv;
    if (name === undefined || HELP_WORDS.has(name)) {
      ctx.stdout.write(renderGroupHelp(group));
      // Nothing asked for is a misuse (exit 2), but the help is what the user needs.
      return { kind: 'done', code: name === undefined ? 2 : 0 };
    }
    if (group === PROGRAM && (name === '-v' || name === '--version')) {
      ctx.stdout.write(`${packageVersion()}\n`);
      return { kind: 'done', code: 0 };
    }
    const spec = group.commands.find((command) => command.name === name);
    if (spec === undefined) {
      const known = group.commands.map((command) => command.name).join(', ');
      throw new UsageError(`unknown command '${name}' (one of: ${known})`);
    }
    path.push(name);
    if (!isGroup(spec)) return { kind: 'command', spec, path, argv: rest };
    group = spec;
    argv = rest;
  }
}

/**
 * Runs the command line and resolves to the exit code. The only place that reports errors;
 * commands throw a StagecraftError for problems a user can fix.
 */
export async function main(ctx: CommandContext): Promise<number> {
  const path: string[] = [];
  let json = false;
  try {
    const resolved = resolveCommand(ctx, path);
    if (resolved.kind === 'done') return resolved.code;
    const { spec, argv } = resolved;
    json = takesJson(spec) && asksForJson(argv);
    const args = parseCommandArgs(spec, argv, path.join(' '));
    if (args.values.help === true) {
      ctx.stdout.write(renderCommandHelp(spec));
      return 0;
    }
    const command = await spec.load();
    return await command.run({ ...ctx, argv }, args);
  } catch (error) {
    return reportError(ctx, error, { path, json });
  }
}
