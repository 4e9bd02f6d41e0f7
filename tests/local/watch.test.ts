// Watch mode in-process, on a handler written to a temp dir (the real src/ is never edited).
import { mkdir, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchSources } from '../../src/local/source-watcher.ts';
import { eventually, startTestStack, tempDir } from './helpers.ts';

const source = (marker: string) => `
import type { Context } from 'aws-lambda';
export async function handler(_event: unknown, context: Context) {
  return {
    statusCode: 200,
    headers: { 'X-Function-Version': context.functionVersion },
    body: ${JSON.stringify(marker)},
  };
}
`;

let sources: Awaited<ReturnType<typeof tempDir>>;
let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  sources = await tempDir('stagecraft-watch-src-');
  await writeFile(join(sources.dir, 'handler.ts'), source('one'));
  stack = await startTestStack({
    entry: join(sources.dir, 'handler.ts'),
    watch: true,
    debounceMs: 50,
  });
});
afterAll(async () => {
  await stack.close();
  await sources.remove();
});

async function get(stage: string) {
  const response = await fetch(`${stack.url}/${stage}/user/abcdefgh`);
  return { version: response.headers.get('x-function-version'), body: await response.text() };
}

describe('watch mode', () => {
  it('rebuilds $LATEST on save: staging serves the change, prod stays on version 1', async () => {
    expect(await get('staging')).toEqual({ version: '$LATEST', body: 'one' });
    expect(await get('prod')).toEqual({ version: '1', body: 'one' });

    await writeFile(join(sources.dir, 'handler.ts'), source('two'));
    await eventually(async () => (await get('staging')).body === 'two');
    expect(await get('staging')).toEqual({ version: '$LATEST', body: 'two' });
    expect(await get('prod')).toEqual({ version: '1', body: 'one' });
    expect(stack.logs.some((line) => line.startsWith('built $LATEST'))).toBe(true);

    // A helper module next to the entry is watched too.
    await writeFile(join(sources.dir, 'marker.ts'), "export const marker = 'three';\n");
    await writeFile(
      join(sources.dir, 'handler.ts'),
      `import { marker } from './marker.ts';\n${source('x').replace('"x"', 'marker')}`,
    );
    await eventually(async () => (await get('staging')).body === 'three');
    await writeFile(join(sources.dir, 'marker.ts'), "export const marker = 'four';\n");
    await eventually(async () => (await get('staging')).body === 'four');
  });

  it('keeps the previous $LATEST when the build fails, and says why', async () => {
    const before = await get('staging');
    await writeFile(join(sources.dir, 'handler.ts'), 'export const handler = (;\n');
    await eventually(async () => stack.logs.some((line) => line.startsWith('build failed')));
    expect(stack.logs.find((line) => line.startsWith('build failed'))).toMatch(
      /still serving the previous \$LATEST[\s\S]*handler\.ts/,
    );
    expect(await get('staging')).toEqual(before);

    await writeFile(join(sources.dir, 'handler.ts'), source('fixed'));
    await eventually(async () => (await get('staging')).body === 'fixed');
    expect((await stack.store.listVersions()).map((v) => v.version)).toEqual(['1']);
  });
});

describe('watchSources', () => {
  it('ignores changes the caller excludes (a state dir or node_modules inside the folder)', async () => {
    const dir = await tempDir('stagecraft-watch-ignore-');
    let rebuilds = 0;
    await mkdir(join(dir.dir, 'state'));
    const watcher = watchSources({
      dir: dir.dir,
      debounceMs: 20,
      log: () => {},
      rebuild: async () => {
        rebuilds += 1;
      },
      ignore: (path) => path === 'state' || path.startsWith(`state${sep}`),
    });
    try {
      await writeFile(join(dir.dir, 'state', 'data.json'), '{}');
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(rebuilds).toBe(0);
      await writeFile(join(dir.dir, 'handler.ts'), 'export const handler = 1;\n');
      await eventually(async () => rebuilds === 1, 5000);
    } finally {
      await watcher.close();
      await dir.remove();
    }
  });
});
