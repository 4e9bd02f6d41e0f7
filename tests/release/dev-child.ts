// The local stack in a child process (fixtures/dev-child.ts: startLocalStack with an injectable
// handler entry), for release tests that drive it over HTTP and the CLI. One per test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const DEV_CHILD = new URL('./fixtures/dev-child.ts', import.meta.url).pathname;

/** A running dev child. */
export interface DevChild {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Its stderr so far, for failure messages. */
  log(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Starts the stack on `stateDir` serving `entry`; resolves once it prints its URL. */
export async function startDevChild(stateDir: string, entry: string): Promise<DevChild> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', DEV_CHILD, stateDir, entry],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (chunk) => (log += String(chunk)));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev did not start\n${log}`)), 50_000);
    child.once('exit', (code) => reject(new Error(`dev exited ${code}\n${log}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  return {
    url,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
