// `stagecraft dev` as a user runs it: a child process of bin/stagecraft.
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, copyProject, spawnDev, tempDir } from './helpers.ts';

const run = promisify(execFile);

async function dev(args: string[], root = ROOT) {
  try {
    const { stdout, stderr } = await run(join(root, 'bin/stagecraft'), ['dev', ...args], {
      timeout: 30_000,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  temp = await tempDir();
});
afterAll(async () => {
  await temp.remove();
});

describe('stagecraft dev', () => {
  it('explains itself with --help and refuses bad flags with exit code 2', async () => {
    const help = await dev(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: stagecraft dev \[--port 3000\] \[--host 127\.0\.0\.1\]/);
    for (const flag of [
      '--port',
      '--host',
      '--state-dir',
      '--no-watch',
      '--timeout',
      '--integration-timeout',
      '--handler',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(await dev(['--nope'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--nope/),
    });
    expect(await dev(['--port', 'abc'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--port must be a number 0–65535, got 'abc'"),
    });
    expect(await dev(['--timeout', '0'])).toMatchObject({ code: 2 });
    expect(await dev(['--integration-timeout', '0'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        "--integration-timeout must be seconds within [0.05, 900], got '0'",
      ),
    });
    expect(await dev(['--handler', ''])).toMatchObject({ code: 2 });
  });

  it('says so and exits 1 when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const result = await dev([
        '--port',
        String(port),
        '--state-dir',
        join(temp.dir, 'busy'),
        '--no-watch',
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `port ${port} on 127.0.0.1 is already in use; choose another with --port`,
      );
      expect(result.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    } finally {
      blocker.close();
    }
  });

  it('exits 1 with the reason when the state dir is damaged or the handler does not build', async () => {
    const damaged = join(temp.dir, 'damaged');
    await mkdir(join(damaged, 'lambda/example'), { recursive: true });
    await writeFile(join(damaged, 'lambda/example/aliases.json'), '{"prod": ');
    const broken = await dev(['--port', '0', '--state-dir', damaged, '--no-watch']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/aliases\.json is not valid JSON/);
    expect(broken.stderr).not.toContain('internal error');

    const project = await copyProject();
    try {
      await writeFile(join(project.root, 'src/service/handler.ts'), 'export const handler = (;\n');
      const result = await dev(
        ['--port', '0', '--state-dir', join(project.root, 'state')],
        project.root,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /cannot build the function from .*handler\.ts:\n[\s\S]*Unexpected ";"/,
      );
      expect(result.stderr).not.toContain('internal error');
    } finally {
      await project.remove();
    }
  });

  it('prints the stages, serves, stops cleanly on SIGTERM and keeps its state', async () => {
    const stateDir = join(temp.dir, 'state');
    const first = await spawnDev(['--state-dir', stateDir, '--no-watch']);
    try {
      expect(first.output.stdout).toMatch(
        /^staging +http:\/\/127\.0\.0\.1:\d+\/staging\/user\/\{id\} +→ \$LATEST$/m,
      );
      expect(first.output.stdout).toMatch(
        /^prod +http:\/\/127\.0\.0\.1:\d+\/prod\/user\/\{id\} +→ version 1$/m,
      );
      expect(first.output.stderr).toContain('first start: published version 1');
      // A second dev on the same state dir is refused, plainly.
      const second = await dev(['--state-dir', stateDir, '--no-watch']);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/is in use by another `stagecraft dev` \(pid \d+\)/);
      // The release CLI finds the running stack through dev.lock.
      const lock = JSON.parse(await readFile(join(stateDir, 'dev.lock'), 'utf8'));
      expect(lock).toMatchObject({ pid: first.child.pid, url: `${first.url}/` });
      const response = await fetch(`${first.url}/prod/nothing`);
      expect(response.status).toBe(404);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(first.output.stderr).toMatch(/SIGTERM: stopping\n.*stopped\n$/);

    // Ctrl-C stops it as cleanly as SIGTERM.
    const again = await spawnDev(['--state-dir', stateDir, '--no-watch']);
    expect(await again.stop('SIGINT')).toBe(0);
    expect(again.output.stderr).toMatch(/SIGINT: stopping\n.*stopped\n$/);
    expect(again.output.stderr).not.toContain('first start');
    expect(again.output.stdout).toMatch(/^prod .* → version 1$/m);
    const functionDir = join(stateDir, 'lambda/example');
    expect(await readdir(join(functionDir, 'versions'))).toEqual(['1']);
    expect(JSON.parse(await readFile(join(functionDir, 'aliases.json'), 'utf8'))).toEqual({
      staging: { version: '$LATEST' },
      prod: { version: '1' },
    });
    const history = (await readFile(join(stateDir, 'history.jsonl'), 'utf8')).trim().split('\n');
    expect(history.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ command: 'dev', stage: 'staging', to: '$LATEST', forced: false }),
      expect.objectContaining({ command: 'dev', stage: 'prod', to: '1', forced: false }),
    ]);
    expect((await readdir(stateDir)).sort()).toEqual([
      'api',
      'dynamodb',
      'history.jsonl',
      'lambda',
    ]);
  });
});
