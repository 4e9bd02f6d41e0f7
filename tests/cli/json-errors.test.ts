// Every command that takes --json fails the same way: exit 1 (2 for a bad command line), the
// message on stderr after the command's name, and one {"error":{"code","message"}} on stdout.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, type HeldLock, lockPathFor } from '../../src/state/release-lock.ts';
import { type BinResult, runBin } from './run-bin.ts';

let dir: string;
let lock: HeldLock;
let blocker: Server;
let busyPort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stagecraft-json-errors-'));
  await writeFile(join(dir, 'broken.json'), '{"Reservations": [');
  // A release lock held by this (live) process: deploy must refuse before any AWS call.
  lock = await acquireLock(lockPathFor(join(dir, 'locked')), { command: 'release promote 3' });
  blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  busyPort = (blocker.address() as { port: number }).port;
});
afterAll(async () => {
  await lock.release();
  blocker.close();
  await rm(dir, { recursive: true, force: true });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function expectJsonError(result: BinResult, exit: number, code: string, prefix: string) {
  expect(result.code, result.stderr).toBe(exit);
  const parsed = JSON.parse(result.stdout) as { error: { code: string; message: string } };
  expect(parsed).toEqual({ error: { code, message: expect.any(String) } });
  // The last line (dev logs its start-up before it).
  expect(result.stderr).toMatch(
    new RegExp(`(^|\n)${escape(`${prefix}: ${parsed.error.message}`)}\n$`),
  );
  expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('--json failures, through bin/stagecraft', () => {
  it.concurrent.each<[string, string[], number, string, string]>([
    [
      'deploy, bad flag value',
      ['deploy', '--target', 'aws', '--stack', 'a_b', '--json'],
      2,
      'cli.usage',
      'stagecraft deploy',
    ],
    [
      'deploy, release lock held',
      ['deploy', '--target', 'aws', '--state-dir', 'locked', '--json'],
      1,
      'lock.busy',
      'stagecraft deploy',
    ],
    ['dev, bad port', ['dev', '--port', 'abc', '--json'], 2, 'cli.usage', 'stagecraft dev'],
    [
      'release promote, bad canary',
      ['release', 'promote', '--canary', '200', '--json'],
      2,
      'cli.usage',
      'stagecraft release: promote',
    ],
    [
      'release status, no state dir',
      ['release', 'status', '--state-dir', 'missing', '--json'],
      1,
      'local.store',
      'stagecraft release: status',
    ],
    [
      'ssh-config, input not JSON',
      ['ssh-config', '--from-json', 'broken.json', '--config', 'cfg', '--json'],
      1,
      'input.json',
      'stagecraft ssh-config',
    ],
    [
      'ssh-config, unknown flag',
      ['ssh-config', '--bogus', '--json'],
      2,
      'cli.usage',
      'stagecraft ssh-config',
    ],
  ])('%s', async (_name, args, exit, code, prefix) => {
    expectJsonError(await runBin(args, { cwd: dir }), exit, code, prefix);
  });

  it('dev, port taken: exit 1 with local.start', async () => {
    const args = [
      'dev',
      '--port',
      String(busyPort),
      '--state-dir',
      'dev-state',
      '--no-watch',
      '--json',
    ];
    const result = await runBin(args, { cwd: dir });
    expectJsonError(result, 1, 'local.start', 'stagecraft dev');
    expect(result.stderr).toContain(`port ${busyPort} on 127.0.0.1 is already in use`);
  });

  it('without --json, stdout stays empty', async () => {
    const result = await runBin(['deploy', '--target', 'aws', '--stack', 'a_b'], { cwd: dir });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^stagecraft deploy: --stack 'a_b' is not a CloudFormation/);
  });
});
