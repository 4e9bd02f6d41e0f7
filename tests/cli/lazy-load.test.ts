// Start-up cost: the dispatcher imports only the specs; a command's code (and esbuild, aws-cdk-lib
// or the AWS SDK behind it) is imported only when that command runs and needs it. A resolve hook
// (fixtures/record-imports.mjs) logs every module the process resolves, with its importer.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from './run-bin.ts';

const HOOK = new URL('./fixtures/record-imports.mjs', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).href;
const HEAVY = /\/node_modules\/(esbuild|aws-cdk-lib|@aws-sdk\/[^/]+)\//;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stagecraft-lazy-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a command and returns the [importer, resolved] pairs it resolved. */
async function imports(name: string, args: string[]): Promise<[string, string][]> {
  const log = join(dir, `${name}.log`);
  const result = await runBin(args, {
    cwd: dir,
    nodeArgs: ['--import', HOOK],
    // From source, so each module is its own file (the compiled build is checked by
    // tests/cli-start.test.ts); the dispatcher's laziness is the same either way.
    env: { ...process.env, STAGECRAFT_CLI_FROM_SOURCE: '1', STAGECRAFT_IMPORT_LOG: log },
  });
  expect(result.stderr).not.toContain('internal error');
  const lines = (await readFile(log, 'utf8')).trimEnd().split('\n');
  return lines.map((line) => line.split(' ', 2) as [string, string]);
}

// Our own code (src/, bin/) importing a heavy package; tsx's own use of esbuild (it compiles the
// TypeScript) is the entry point's business, not the commands'.
function heavyFromOurCode(pairs: [string, string][]): string[] {
  return pairs
    .filter(([parent, url]) => parent.startsWith(`${ROOT}src/`) && HEAVY.test(url))
    .map(([parent, url]) => `${parent.slice(ROOT.length)} → ${url.slice(ROOT.length)}`);
}

describe('lazy loading', () => {
  it.each([
    ['help', ['--help']],
    ['release-help', ['release', '--help']],
    ['deploy-help', ['deploy', '--help']],
    ['dev-help', ['dev', '--help']],
    ['ssh-help', ['ssh-config', '--help']],
  ])('%s loads no command implementation and no heavy package', async (name, args) => {
    const pairs = await imports(name, args);
    expect(pairs.some(([, url]) => url.endsWith('/src/cli/main.ts'))).toBe(true);
    expect(pairs.filter(([, url]) => /\/src\/cli\/commands\/.*\/index\.ts$/.test(url))).toEqual([]);
    expect(pairs.filter(([, url]) => /aws-cdk-lib|@aws-sdk/.test(url))).toEqual([]);
    expect(heavyFromOurCode(pairs)).toEqual([]);
  });

  it('release status (local) loads its own command but not esbuild, aws-cdk-lib or the SDK', async () => {
    const pairs = await imports('status', ['release', 'status', '--state-dir', 'none']);
    expect(pairs.some(([, url]) => url.endsWith('/src/cli/commands/release/status/index.ts'))).toBe(
      true,
    );
    expect(pairs.filter(([, url]) => /aws-cdk-lib|@aws-sdk/.test(url))).toEqual([]);
    expect(heavyFromOurCode(pairs)).toEqual([]);
  });
});
