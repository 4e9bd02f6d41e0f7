// Shared by the local-stack tests: in-process stacks on fixture handlers, `stagecraft dev` as a
// child process, and a throwaway copy of the project for tests that edit sources.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '../../src/local/stack.ts';
import { afterAll, beforeAll, expect } from 'vitest';
import type { LocalStack, LocalStackOptions } from '../../src/local/stack.ts';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A fixture handler's path. */
export const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/local/${name}.ts`, import.meta.url));

/** A temp directory removed by the returned function. */
export async function tempDir(prefix = 'stagecraft-local-') {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** An in-process stack on a fresh state dir, quiet, on a free port. */
export async function startTestStack(
  options: LocalStackOptions = {},
): Promise<LocalStack & { logs: string[]; close(): Promise<void> }> {
  const temp = await tempDir();
  const logs: string[] = [];
  const stack = await startLocalStack({
    port: 0,
    stateDir: join(temp.dir, 'state'),
    watch: false,
    functionLogs: null,
    log: (line) => logs.push(line),
    entry: fixture('misbehaving-handler'),
    ...options,
  });
  return Object.assign(stack, {
    logs,
    async close() {
      await stack.stop();
      await temp.remove();
    },
  });
}

/** `stagecraft dev` running as a child process. */
export interface DevProcess {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The process. */
  readonly child: ChildProcess;
  /** Everything printed so far. */
  readonly output: { stdout: string; stderr: string };
  /** Sends SIGTERM (or the given signal) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string | null>;
}

/**
 * Spawns `bin/stagecraft dev --port 0 <args>` (from `root`, default this repository) and
 * resolves once it printed its stage URLs; rejects with its output if it exits first.
 */
export function spawnDev(
  args: readonly string[],
  options: { root?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<DevProcess> {
  const root = options.root ?? ROOT;
  const child = spawn(join(root, 'bin/stagecraft'), ['dev', '--port', '0', ...args], {
    cwd: options.cwd ?? root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stagecraft dev did not start in time:\n${output.stderr}`));
    }, options.timeoutMs ?? 30_000);
    const onData = () => {
      const url = /http:\/\/127\.0\.0\.1:(\d+)\/prod\//.exec(output.stdout);
      if (url === null || !output.stderr.includes('ready')) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      resolve({
        url: `http://127.0.0.1:${url[1]}`,
        child,
        output,
        exited,
        async stop(signal: NodeJS.Signals = 'SIGTERM') {
          child.kill(signal);
          const code = await exited;
          return typeof code === 'number' ? code : null;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`stagecraft dev exited (${code}) before it was ready:\n${output.stderr}`));
    });
  });
}

/**
 * A throwaway copy of the project (bin, scripts, src, package.json, tsconfig.json; node_modules linked)
 * whose sources a test may edit; `bin/stagecraft` in it builds and watches the copy.
 */
export async function copyProject(): Promise<{ root: string; remove(): Promise<void> }> {
  const temp = await tempDir('stagecraft-project-');
  for (const entry of ['bin', 'scripts', 'src', 'package.json', 'tsconfig.json']) {
    await cp(join(ROOT, entry), join(temp.dir, entry), { recursive: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(temp.dir, 'node_modules'), 'dir');
  return { root: temp.dir, remove: temp.remove };
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

/**
 * `stagecraft dev` on a fresh state dir for one test file: started before its tests, stopped
 * after them (a clean exit asserted). Returns an accessor, valid inside the tests.
 */
export function devForSuite(): () => DevProcess {
  let temp: Awaited<ReturnType<typeof tempDir>> | undefined;
  let dev: DevProcess | undefined;
  beforeAll(async () => {
    temp = await tempDir();
    dev = await spawnDev(['--state-dir', join(temp.dir, 'state'), '--no-watch']);
  }, 120_000);
  afterAll(async () => {
    if (dev !== undefined) expect(await dev.stop()).toBe(0);
    await temp?.remove();
  });
  return () => {
    if (dev === undefined) throw new Error('stagecraft dev is not running (beforeAll failed?)');
    return dev;
  };
}
