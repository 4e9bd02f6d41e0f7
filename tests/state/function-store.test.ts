import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LambdaBundle } from '../../src/build/bundle.ts';
import { StateFileDamagedError } from '../../src/state/errors.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';

// The store only keeps bytes and hashes; a real esbuild bundle is not needed to test it.
function bundle(source: string): LambdaBundle {
  const code = Buffer.from(source);
  return { code, zip: code, codeSha256: createHash('sha256').update(code).digest('base64') };
}

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'stagecraft-store-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('LocalFunctionStore', () => {
  it('starts empty and says what is missing', async () => {
    const store = await LocalFunctionStore.open(stateDir);
    expect(await store.latest()).toBeUndefined();
    expect(await store.listVersions()).toEqual([]);
    expect(await store.readAliases()).toBeUndefined();
    await expect(store.getAliases()).rejects.toThrow(/start `stagecraft dev` once/);
    await expect(store.publish()).rejects.toThrow(/\$LATEST has not been built/);
  });

  it('keeps $LATEST, rewriting only when the code changes', async () => {
    const store = await LocalFunctionStore.open(stateDir);
    const a = bundle('export const handler = () => 1;');
    expect(await store.setLatest(a)).toEqual({ code_sha256: a.codeSha256, changed: true });
    const first = await store.latest();
    expect(first?.code_sha256).toBe(a.codeSha256);
    expect(await store.setLatest(a)).toEqual({ code_sha256: a.codeSha256, changed: false });
    expect(await store.latest()).toEqual(first);
    expect(await readFile(store.codePath('$LATEST'), 'utf8')).toBe(
      'export const handler = () => 1;',
    );
    expect(store.codePath('$LATEST')).toBe(join(stateDir, 'lambda/example/latest/index.mjs'));
  });

  it('publishes numbered versions from $LATEST, and the same code only once', async () => {
    const store = await LocalFunctionStore.open(stateDir);
    await store.setLatest(bundle('v1'));
    const one = await store.publish('first');
    expect(one.created).toBe(true);
    expect(one.version).toMatchObject({ version: '1', description: 'first' });
    expect(Date.parse(one.version.published_at)).not.toBeNaN();
    expect(await store.publish('again')).toEqual({ version: one.version, created: false });

    const b = bundle('v2');
    await store.setLatest(b);
    const two = await store.publish();
    expect(two.version).toMatchObject({ version: '2', code_sha256: b.codeSha256, description: '' });
    expect((await store.listVersions()).map((v) => v.version)).toEqual(['1', '2']);
    expect(await readFile(store.codePath('1'), 'utf8')).toBe('v1');
    expect(await readFile(store.codePath('2'), 'utf8')).toBe('v2');
    expect(await store.getVersion('2')).toEqual(two.version);
    expect(await store.getVersion('3')).toBeUndefined();
    expect(await store.getVersion('$LATEST')).toBeUndefined();
  });

  it('gives concurrent publishers of the same code one version', async () => {
    const store = await LocalFunctionStore.open(stateDir);
    const other = await LocalFunctionStore.open(stateDir);
    await store.setLatest(bundle('same'));
    const results = await Promise.all([store.publish(), other.publish(), store.publish()]);
    expect(results.map((r) => r.version.version)).toEqual(['1', '1', '1']);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await readdir(join(stateDir, 'lambda/example/versions'))).toEqual(['1']);
  });

  it('persists aliases across reopen and checks them like Lambda does', async () => {
    const store = await LocalFunctionStore.open(stateDir);
    await store.setLatest(bundle('v1'));
    await store.publish();
    await store.setLatest(bundle('v2'));
    await store.publish();
    await store.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
    await store.setAlias('prod', { version: '1', weights: { '2': 0.25 } });

    const reopened = await LocalFunctionStore.open(stateDir);
    expect(await reopened.getAliases()).toEqual({
      staging: { version: '$LATEST' },
      prod: { version: '1', weights: { '2': 0.25 } },
    });
    expect(JSON.parse(await readFile(reopened.aliasesPath, 'utf8'))).toEqual(
      await reopened.getAliases(),
    );

    const refused: [unknown, RegExp][] = [
      [{ version: '9' }, /version 9 does not exist/],
      [{ version: 'latest' }, /version must be "\$LATEST" or a published version/],
      [{ version: '$LATEST', weights: { '1': 0.1 } }, /\$LATEST cannot have weights/],
      [{ version: '1', weights: { '1': 0.1 } }, /own version 1/],
      [{ version: '1', weights: { '2': 1.5 } }, /within 0\.\.1/],
      [{ version: '1', weights: { '2': 0.1, '3': 0.1 } }, /only one additional version/],
      [{ version: '1', weights: { '7': 0.1 } }, /version 7 does not exist/],
      [{ version: '1', extra: true }, /unknown field/],
    ];
    for (const [alias, message] of refused) {
      await expect(reopened.setAlias('prod', alias as never)).rejects.toThrow(message);
    }
    // Nothing refused was written.
    expect((await reopened.getAliases()).prod).toEqual({ version: '1', weights: { '2': 0.25 } });
  });

  it('refuses a hand-broken aliases.json with the file name in the message', async () => {
    const store = await LocalFunctionStore.open(stateDir);
    await writeFile(store.aliasesPath, '{"prod": {"version": "one"}}');
    await expect(store.readAliases()).rejects.toThrow(StateFileDamagedError);
    await expect(store.readAliases()).rejects.toThrow(/aliases\.json: alias prod version must/);
    await writeFile(store.aliasesPath, '{not json');
    await expect(store.readAliases()).rejects.toThrow(/aliases\.json is not valid JSON/);
  });

  it('leaves no temp files behind and refuses paths outside the store', async () => {
    const store = await LocalFunctionStore.open(stateDir);
    await store.setLatest(bundle('x'));
    await store.publish();
    await store.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
    const dir = join(stateDir, 'lambda/example');
    expect((await readdir(dir)).sort()).toEqual(['aliases.json', 'latest', 'versions']);
    expect((await readdir(join(dir, 'latest'))).sort()).toEqual(['index.mjs', 'latest.json']);
    expect((await readdir(join(dir, 'versions/1'))).sort()).toEqual(['index.mjs', 'version.json']);
    expect(() => store.codePath('../../x')).toThrow(/not a version/);
    await expect(LocalFunctionStore.open(stateDir, '../evil')).rejects.toThrow(/invalid function/);
  });
});
