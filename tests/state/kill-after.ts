// kill -9 of a real process at an instant chosen by the test: for the kill9 tests of release
// commands, which must leave a state dir the next command can settle.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Spawns `node args…`, kills it with SIGKILL `delayMs` after `file` appears (or lets it finish,
 * waiting at most 15 s for the file), and says which happened.
 */
export async function killedAfter(
  args: string[],
  file: string,
  delayMs: number,
): Promise<'killed' | 'finished'> {
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let done = false;
  void exited.then(() => (done = true));
  const started = Date.now();
  while (!done && !existsSync(file) && Date.now() - started < 15_000) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (!done) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    child.kill('SIGKILL');
  }
  await exited;
  return child.signalCode === 'SIGKILL' ? 'killed' : 'finished';
}
