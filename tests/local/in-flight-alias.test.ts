// Issue 4: a request in flight finishes on the version it started on when the prod alias
// moves; requests arriving after the move run the new version.
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundle } from '../../src/build/bundle.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { eventually, fixture, startTestStack, tempDir } from './helpers.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let gate: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  gate = await tempDir('stagecraft-gate-');
  // Version 1 (prod after the first start) is the gated fixture.
  stack = await startTestStack({
    entry: fixture('gated-handler'),
    environment: { STAGECRAFT_TEST_GATE: gate.dir },
  });
});
afterAll(async () => {
  await stack?.close();
  await gate?.remove();
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('moving the prod alias during a request', () => {
  it('finishes the in-flight request on the old version and routes the next to the new one', async () => {
    expect((await stack.serving()).prod).toEqual({ version: '1' });
    // Version 2 answers at once (the echo fixture), from another store instance on the same
    // state dir, as the release CLI would.
    const other = await LocalFunctionStore.open(stack.stateDir);
    await other.setLatest(await buildLambdaBundle({ entry: fixture('misbehaving-handler') }));
    const { version } = await other.publish('echo fixture');
    expect(version.version).toBe('2');

    const inFlight = fetch(`${stack.url}/prod/user/abcdefgh`);
    // The handler has started (so the alias was resolved) and is now waiting for `release`.
    await eventually(() => exists(join(gate.dir, 'started')), 10_000);
    expect(await readFile(join(gate.dir, 'started'), 'utf8')).toBe('1');

    await other.setAlias('prod', { version: '2' });
    const after = await fetch(`${stack.url}/prod/user/abcdefgh`);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-function-version')).toBe('2');
    // Still held: the new request did not wait for it, nor did it end it.
    expect(await exists(join(gate.dir, 'release'))).toBe(false);

    await writeFile(join(gate.dir, 'release'), '');
    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect(finished.headers.get('x-function-version')).toBe('1');
    expect(await finished.text()).toBe('1');
    expect(
      stack.logs.some((line) => line.includes('alias prod now serves version 2 (was version 1)')),
    ).toBe(true);
  });
});
