import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReleaseError } from '../../src/errors.ts';
import { ownerIsGone } from '../../src/state/pid-lock.ts';
import { acquireLock, withLock } from '../../src/state/release-lock.ts';

let dir: string;
let path: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stagecraft-lock-'));
  path = join(dir, 'release.lock');
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function busyMessage(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isReleaseError(error, 'lock.busy')) return error.message;
    throw error;
  }
  throw new Error('expected lock.busy');
}

function holdInChild(): Promise<ChildProcess> {
  const fixture = new URL('../release/fixtures/hold-lock.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fixture exited ${code}`)));
    child.stdout?.once('data', () => resolve(child));
  });
}

describe('release lock', () => {
  it('lets exactly one of many concurrent takers in, and names the holder to the others', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () => acquireLock(path, { command: 'release promote' })),
    );
    const held = attempts.filter((a) => a.status === 'fulfilled');
    expect(held).toHaveLength(1);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected') {
        expect(isReleaseError(attempt.reason, 'lock.busy')).toBe(true);
      }
    }
    const holder = JSON.parse(await readFile(path, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, command: 'release promote' });
    await (
      held[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>
    ).value.release();
    const again = await acquireLock(path, { command: 'release rollback' });
    await again.release();
  });

  it('refuses while another process holds it, and breaks it once that process is dead', async () => {
    const child = await holdInChild();
    const message = await busyMessage(acquireLock(path, { command: 'release promote' }));
    expect(message).toContain(`pid ${child.pid}`);
    expect(message).toContain('release promote (fixture)');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL'); // dies holding the lock: the file stays behind
    await exited;
    const lock = await acquireLock(path, { command: 'release promote' });
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('never breaks a lock from another host', async () => {
    await writeFile(
      path,
      JSON.stringify({ pid: 1, host: `not-${hostname()}`, command: 'x', since: 's', token: 't' }),
    );
    await busyMessage(acquireLock(path, { command: 'c', isAlive: () => false }));
  });

  it('takes over an empty or garbage lock: locks are created with their content', async () => {
    for (const junk of ['', '{"pid":', 'garbage']) {
      await writeFile(path, junk);
      const lock = await acquireLock(path, { command: 'c' });
      expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
      await lock.release();
    }
  });

  it('takes over a lock whose pid was reused by a process started after the lock', async () => {
    const owner = (since: string) =>
      JSON.stringify({ pid: 1, host: hostname(), command: 'x', since, token: 't' });
    // pid 1 runs and started before a lock written now: a live holder.
    await writeFile(path, owner(new Date().toISOString()));
    await busyMessage(acquireLock(path, { command: 'c' }));
    // pid 1 started long after a lock written in 2000: the writer is gone, its pid reused.
    await writeFile(path, owner('2000-01-01T00:00:00Z'));
    const lock = await acquireLock(path, { command: 'c' });
    expect(JSON.parse(await readFile(path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await ownerIsGone(process.pid, new Date().toISOString())).toBe(false);
  });

  it('release() leaves a lock that is no longer its own alone', async () => {
    const lock = await acquireLock(path, { command: 'c' });
    const foreign = { pid: 42, host: hostname(), command: 'other', since: 's', token: 'theirs' };
    await writeFile(path, JSON.stringify(foreign));
    await lock.release();
    expect(JSON.parse(await readFile(path, 'utf8')).token).toBe('theirs');
  });

  it('withLock releases after a failure', async () => {
    await expect(
      withLock(path, { command: 'c' }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const lock = await acquireLock(path, { command: 'c' });
    await lock.release();
  });
});
