// Spawns bin/stagecraft as a user would and collects its exit code and output.
import { execFile } from 'node:child_process';

export const BIN = new URL('../../bin/stagecraft', import.meta.url).pathname;

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node [nodeArgs…] bin/stagecraft args…`, bounded by a timeout. */
export function runBin(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; nodeArgs?: readonly string[] } = {},
): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), BIN, ...args],
      { cwd: options.cwd, env: options.env ?? process.env, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}
