import type { CommandContext, CommandRun } from '../../command.ts';
import { UsageError } from '../../errors.ts';
import { releaseUsage, SUBCOMMANDS_HELP } from './help.ts';

// Each subcommand in its own folder, imported only when it runs.
const LOADERS: Readonly<Record<string, () => Promise<{ run: CommandRun }>>> = {
  status: () => import('./status/index.ts'),
  verify: () => import('./verify/index.ts'),
  publish: () => import('./publish/index.ts'),
  promote: () => import('./promote/index.ts'),
  rollback: () => import('./rollback/index.ts'),
  history: () => import('./history/index.ts'),
};

/** `stagecraft release <command>`: dispatches to the subcommand. */
export async function run(ctx: CommandContext): Promise<number> {
  const [name, ...rest] = ctx.argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    ctx.stdout.write(releaseUsage());
    return name === undefined ? 2 : 0;
  }
  const load = LOADERS[name];
  if (load === undefined) {
    const known = SUBCOMMANDS_HELP.map((s) => s.name).join(', ');
    throw new UsageError(`unknown release command '${name}' (one of: ${known})`);
  }
  const command = await load();
  return command.run({ ...ctx, argv: rest });
}
