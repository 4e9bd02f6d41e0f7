/** Runs the project's own aws-cdk CLI as a child process (injected, so tests never spawn it). */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** The project root: where cdk.json is, so the child runs the stagecraft app. */
export { PROJECT_ROOT } from '../config/project-paths.ts';

/** Runs a command to completion and resolves to its exit code. */
export type ProcessRunner = (
  command: string,
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    /** `stderr`: the child's stdout goes to our stderr (our stdout holds a JSON document). */
    readonly stdout?: 'inherit' | 'stderr';
  },
) => Promise<number>;

/** The aws-cdk CLI script installed with the project. */
export function cdkCliPath(): string {
  return createRequire(import.meta.url).resolve('aws-cdk/bin/cdk');
}

/**
 * Spawns with the terminal attached (stdio inherited), so cdk's progress and its approval
 * prompt for IAM changes reach the user.
 */
export const spawnProcess: ProcessRunner = (command, args, options) =>
  new Promise((resolve, reject) => {
    const stdout = options.stdout === 'stderr' ? 2 : 'inherit';
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['inherit', stdout, 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
