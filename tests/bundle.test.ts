import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildLambdaBundle } from '../src/build/bundle.ts';

const entry = fileURLToPath(new URL('./fixtures/echo-handler.ts', import.meta.url));

describe('buildLambdaBundle', () => {
  it('gives byte-identical zips and the same CodeSha256 for the same source', async () => {
    const a = await buildLambdaBundle({ entry });
    await new Promise((r) => setTimeout(r, 1100)); // a different wall-clock second
    const b = await buildLambdaBundle({ entry });
    expect(Buffer.from(a.zip).equals(Buffer.from(b.zip))).toBe(true);
    expect(a.codeSha256).toBe(b.codeSha256);
    expect(a.codeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('zips index.mjs, writes the files, and the bundle runs as an ES module', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stagecraft-bundle-'));
    try {
      const bundle = await buildLambdaBundle({ entry, outDir: dir });
      expect(Object.keys(unzipSync(bundle.zip))).toEqual(['index.mjs']);
      expect(await readFile(join(dir, 'function.zip'))).toEqual(Buffer.from(bundle.zip));
      const mod = (await import(join(dir, 'index.mjs'))) as {
        handler: (e: { path: string }) => Promise<{ statusCode: number; body: string }>;
      };
      const res = await mod.handler({ path: '/x' });
      // The fixture echoes its event.
      expect(res).toMatchObject({ statusCode: 200, body: '{"path":"/x"}' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
