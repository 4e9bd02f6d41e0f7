import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/project-paths.ts';
import type { CommandContext } from './command.ts';
import { COMMANDS } from './commands.ts';
import { StagecraftError } from '../errors.ts';
import { UsageError } from './errors.ts';

function packageVersion(): string {
  const manifest = join(PROJECT_ROOT, 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return pkg.version;
}

function usage(): string {
  const width = Math.max(0, ...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return [
    'Usage: stagecraft <command> [options]',
    '',
    'Build, run and release a serverless user API through staging and prod.',
    '',
    'Commands:',
    list === '' ? '  (none yet)' : list,
    '',
    'Options:',
    "  -h, --help     show this help, or a command's help after its name",
    '  -v, --version  print the version',
    '',
  ].join('\n');
}

/**
 * Runs the command line and resolves to the exit code. The only place that prints fatal
 * errors; commands throw {@link CliError} for problems a user can fix.
 */
export async function main(ctx: CommandContext): Promise<number> {
  const [first, ...rest] = ctx.argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    ctx.stdout.write(usage());
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    ctx.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const spec = COMMANDS.find((c) => c.name === first);
  if (spec === undefined) {
    ctx.stderr.write(`stagecraft: unknown command '${first}'\n\n${usage()}`);
    return 2;
  }
  try {
    const command = await spec.load();
    return await command.run({ ...ctx, argv: rest });
  } catch (error) {
    if (error instanceof StagecraftError) {
      ctx.stderr.write(`stagecraft ${spec.name}: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}
