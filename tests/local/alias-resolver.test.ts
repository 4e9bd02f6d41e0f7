// The two ways the resolver learns of an alias change made by another process: the directory
// watch (immediately: the next request after the write runs the new version) and the fallback
// check (within its interval, for file systems where watching does not work).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundle } from '../../src/build/bundle.ts';
import { AliasResolver } from '../../src/local/alias-resolver.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { eventually, fixture, tempDir } from './helpers.ts';

let temp: Awaited<ReturnType<typeof tempDir>>;
let store: LocalFunctionStore;
let writer: LocalFunctionStore; // another instance on the same dir, as the release CLI's

beforeAll(async () => {
  temp = await tempDir('stagecraft-resolver-');
  store = await LocalFunctionStore.open(temp.dir);
  writer = await LocalFunctionStore.open(temp.dir);
  await writer.setLatest(await buildLambdaBundle({ entry: fixture('misbehaving-handler') }));
  await writer.publish('one');
  await writer.setLatest(await buildLambdaBundle({ entry: fixture('callback-handler') }));
  await writer.publish('two');
  await writer.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
});
afterAll(async () => {
  await temp?.remove();
});

describe('AliasResolver', () => {
  it('sees a rename-replaced aliases.json on the next request through the watch alone', async () => {
    const resolver = new AliasResolver(store, { checkIntervalMs: 3_600_000 });
    try {
      expect((await resolver.resolve('prod')).version).toBe('1');
      for (const version of ['2', '1', '2']) {
        await writer.setAlias('prod', { version });
        expect((await resolver.resolve('prod')).version).toBe(version);
      }
    } finally {
      resolver.close();
    }
  });

  it('falls back to checking every interval when not watching', async () => {
    await writer.setAlias('prod', { version: '1' });
    const resolver = new AliasResolver(store, { watch: false, checkIntervalMs: 50 });
    try {
      expect((await resolver.resolve('prod')).version).toBe('1');
      await writer.setAlias('prod', { version: '2' });
      await eventually(async () => (await resolver.resolve('prod')).version === '2', 5_000);
    } finally {
      resolver.close();
    }
  });
});
