import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from './release-error-code.ts';
import type { LambdaBundle } from '../../src/build/bundle.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { DEFAULT_DEV_URL, LocalControlPlane } from '../../src/platform/local/control-plane.ts';

let stateDir: string;
let store: LocalFunctionStore;

function bundle(sha: string): LambdaBundle {
  const code = new TextEncoder().encode(
    `export const handler = async () => ${JSON.stringify(sha)};`,
  );
  return { code, zip: new Uint8Array(), codeSha256: sha };
}

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'stagecraft-localcp-'));
  store = await LocalFunctionStore.open(stateDir);
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

/** The local stack's first start: $LATEST built, version 1 published, aliases set. */
async function firstStart(sha = 'sha-one') {
  await store.setLatest(bundle(sha));
  await store.publish('first');
  await store.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
}

describe('LocalControlPlane', () => {
  it('refuses a state dir that does not exist, without creating it', async () => {
    const missing = join(stateDir, 'typo');
    expect(await codeOf(LocalControlPlane.open({ stateDir: missing }))).toBe('local.store');
    await expect(access(missing)).rejects.toThrow();
  });

  it('explains a state dir that the local stack has not set up yet', async () => {
    const cp = await LocalControlPlane.open({ stateDir });
    expect(await codeOf(cp.getAlias('prod'))).toBe('alias.not-found');
    expect(await codeOf(cp.latestCodeSha256())).toBe('function.empty');
  });

  it('guards alias updates with a revision: a change since the read is a conflict', async () => {
    await firstStart();
    await store.setLatest(bundle('sha-two'));
    await store.publish('second');
    const cp = await LocalControlPlane.open({ stateDir });
    const prod = await cp.getAlias('prod');
    await store.setAlias('prod', { version: '2' }); // someone else, behind our back
    expect(
      await codeOf(cp.updateAlias('prod', { version: '1', weights: { '2': 0.5 } }, prod.revision)),
    ).toBe('alias.conflict');
    const fresh = await cp.getAlias('prod');
    const after = await cp.updateAlias(
      'prod',
      { version: '1', weights: { '2': 0.5 } },
      fresh.revision,
    );
    expect(after).toMatchObject({ version: '1', weights: { '2': 0.5 } });
    expect(after.revision).not.toBe(fresh.revision);
    const written = JSON.parse(await readFile(store.aliasesPath, 'utf8'));
    expect(written.prod).toEqual({ version: '1', weights: { '2': 0.5 } });
    expect(written.staging).toEqual({ version: '$LATEST' });
  });

  it('publishes only the expected code, and returns the newest version for unchanged code', async () => {
    await firstStart('sha-one');
    const cp = await LocalControlPlane.open({ stateDir });
    expect(await cp.publishVersion({ expectedCodeSha256: 'sha-one' })).toMatchObject({
      created: false,
      version: { version: '1' },
    });
    await store.setLatest(bundle('sha-two'));
    expect(await codeOf(cp.publishVersion({ expectedCodeSha256: 'sha-one' }))).toBe(
      'publish.code-changed',
    );
    expect((await cp.listVersions()).map((v) => v.version)).toEqual(['1']);
    expect(
      await cp.publishVersion({ expectedCodeSha256: 'sha-two', description: 'd' }),
    ).toMatchObject({
      created: true,
      version: { version: '2', code_sha256: 'sha-two', description: 'd' },
    });
  });

  it('finds the dev server: --url, else a live dev.lock, else the default port', async () => {
    expect(
      await (
        await LocalControlPlane.open({ stateDir, devUrl: 'http://127.0.0.1:4567' })
      ).stageUrl('staging'),
    ).toBe('http://127.0.0.1:4567/staging/');
    const cp = await LocalControlPlane.open({ stateDir });
    expect(await cp.stageUrl('prod')).toBe(`${DEFAULT_DEV_URL}prod/`);
    await writeFile(
      join(stateDir, 'dev.lock'),
      JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:6666' }),
    );
    expect(await cp.stageUrl('staging')).toBe('http://127.0.0.1:6666/staging/');
    // A lock left by a process that is gone is not trusted.
    await writeFile(
      join(stateDir, 'dev.lock'),
      JSON.stringify({ url: 'http://127.0.0.1:5555', pid: 2 ** 22 + 7 }),
    );
    expect(await cp.stageUrl('staging')).toBe(`${DEFAULT_DEV_URL}staging/`);
    // dev.json was never written by anything: it is not read.
    await writeFile(
      join(stateDir, 'dev.json'),
      JSON.stringify({ url: 'http://127.0.0.1:5555', pid: process.pid }),
    );
    expect(await cp.stageUrl('staging')).toBe(`${DEFAULT_DEV_URL}staging/`);
  });
});
