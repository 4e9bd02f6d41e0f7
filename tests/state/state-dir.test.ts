// The state dir is private whatever the umask, cleans up after killed writers, and a state
// dir written by earlier stagecraft (no journal, lax modes, a torn history line) opens fine.
import { lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalControlPlane } from '../../src/platform/local/control-plane.ts';
import type { ReleaseContext } from '../../src/release/context.ts';
import { promote } from '../../src/release/operations/promote.ts';
import { rollback } from '../../src/release/operations/rollback.ts';
import { SILENT_PROGRESS } from '../../src/release/progress.ts';
import { acquireStateLock } from '../../src/state/dev-lock.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { appendHistory, readHistory } from '../../src/state/history.ts';
import { stateLayout } from '../../src/state/layout.ts';
import { acquireLock, lockPathFor } from '../../src/state/release-lock.ts';
import { bundle } from './fixture.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'stagecraft-sd-'));
  dirs.push(dir);
  return dir;
}

// name → mode, with folders marked `name/`.
async function modes(root: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const name of ['.', ...(await readdir(root, { recursive: true })).map(String)]) {
    const info = await lstat(join(root, name));
    found.set(info.isDirectory() ? `${name}/` : name, info.mode & 0o777);
  }
  return found;
}

function context(stateDir: string, controlPlane: LocalControlPlane): ReleaseContext {
  return {
    controlPlane,
    stateDir,
    projectDir: stateDir,
    commandLine: 'release test',
    user: 'tester',
    now: () => new Date(),
    progress: SILENT_PROGRESS,
    report: () => undefined,
  };
}

describe('state dir modes', () => {
  for (const umask of [0o000, 0o022]) {
    it(`is 0700 with 0600 files under umask ${umask.toString(8).padStart(3, '0')}`, async () => {
      const stateDir = join(await tempDir(), 'state');
      const previous = process.umask(umask);
      try {
        const store = await LocalFunctionStore.open(stateDir);
        await store.setLatest(bundle('a'));
        await store.publish();
        await store.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
        await appendHistory(stateLayout(stateDir).history, {
          at: new Date().toISOString(),
          user: 'u',
          command: 'c',
          forced: false,
        });
        const dev = await acquireStateLock(stateDir);
        const release = await acquireLock(lockPathFor(stateDir), { command: 'c' });
        const found = await modes(stateDir);
        await release.release();
        await dev.release();
        for (const [name, mode] of found) {
          expect([name, mode]).toEqual([name, name.endsWith('/') ? 0o700 : 0o600]);
        }
        expect(found.get('lambda/example/versions/1/index.mjs')).toBe(0o600);
        expect(found.get('release.lock')).toBe(0o600);
      } finally {
        process.umask(previous);
      }
    });
  }
});

describe('opening a state dir', () => {
  it('removes temp files of dead writers and keeps those of live ones', async () => {
    const stateDir = await tempDir();
    const fn = stateLayout(stateDir).fn('example');
    await mkdir(fn.versionsDir, { recursive: true });
    const dead = 2 ** 22 + 12345; // above Linux's pid_max default: no such process
    const deadTemp = join(fn.dir, `.aliases.json.${dead}.abcd1234.tmp`);
    const liveTemp = join(fn.dir, `.aliases.json.${process.pid}.abcd1234.tmp`);
    const deadPublish = join(fn.versionsDir, `.publish-${dead}-abcd1234`);
    const deadLockTemp = join(stateDir, `release.lock.${dead}.abcd1234.new`);
    for (const file of [deadTemp, liveTemp, deadLockTemp]) await writeFile(file, 'x');
    await mkdir(deadPublish);
    await LocalFunctionStore.open(stateDir);
    const left = (await readdir(stateDir, { recursive: true })).map(String);
    expect(left).toContain(join('lambda/example', `.aliases.json.${process.pid}.abcd1234.tmp`));
    expect(left.filter((name) => name.includes(String(dead)))).toEqual([]);
  });

  it('migrates nothing: a state dir written by the previous release opens and works', async () => {
    // What current main writes: world-readable modes, no alias-move journal, an empty
    // release.lock left by a kill, and a torn last history line.
    const stateDir = await tempDir();
    const fn = stateLayout(stateDir).fn('example');
    const previous = process.umask(0o022);
    try {
      for (const [n, sha] of [
        ['1', 'sha-1'],
        ['2', 'sha-2'],
      ] as const) {
        await mkdir(fn.versionDir(n), { recursive: true });
        await writeFile(fn.versionCode(n), `export const handler = async () => '${sha}';`);
        await writeFile(
          fn.versionRecord(n),
          JSON.stringify(
            {
              version: n,
              code_sha256: sha,
              published_at: '2025-01-01T00:00:00.000Z',
              description: '',
            },
            null,
            2,
          ),
        );
      }
      await mkdir(fn.latestDir, { recursive: true });
      await writeFile(fn.latestCode, "export const handler = async () => 'sha-2';");
      await writeFile(
        fn.latestRecord,
        JSON.stringify({
          code_sha256: 'sha-2',
          built_at: '2025-01-01T00:00:00.000Z',
          index_sha256: 'x',
        }),
      );
      await writeFile(
        fn.aliases,
        JSON.stringify({ staging: { version: '$LATEST' }, prod: { version: '2' } }),
      );
      const entry = (to: string, extra: object) =>
        JSON.stringify({
          at: '2025-01-01T00:00:00.000Z',
          user: 'u',
          command: 'c',
          stage: 'prod',
          to,
          forced: false,
          ...extra,
        });
      await writeFile(
        stateLayout(stateDir).history,
        `${entry('1', { first_start: true })}\n${entry('2', { action: 'promote', from: '1', target: 'local', function: 'example' })}\n{"at":"2025-01`,
      );
      await writeFile(stateLayout(stateDir).releaseLock, '');
    } finally {
      process.umask(previous);
    }
    const cp = await LocalControlPlane.open({ stateDir });
    const result = await rollback(context(stateDir, cp));
    expect(result.to).toEqual({ version: '1' });
    await promote(context(stateDir, cp), { version: '2', force: true });
    const history = await readHistory(stateLayout(stateDir).history);
    expect(history.map((e) => e.to)).toEqual(['1', '2', '1', '2']);
    expect((await lstat(stateDir)).mode & 0o777).toBe(0o700);
    expect((await lstat(fn.aliases)).mode & 0o777).toBe(0o600);
  });
});
