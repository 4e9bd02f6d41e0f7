// Damaged state files: every command names the file and how to recover, exits 1, never
// prints a stack trace, and with --json still prints one error object.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AliasResolver } from '../../src/local/alias-resolver.ts';
import { firstDeployment } from '../../src/local/seed.ts';
import { startLocalStack } from '../../src/local/stack.ts';
import { StateFileDamagedError } from '../../src/state/errors.ts';
import type { LocalFunctionStore } from '../../src/state/function-store.ts';
import { stateLayout } from '../../src/state/layout.ts';
import { runCli } from '../release/cli-helpers.ts';
import { publishedStateDir } from './fixture.ts';

let stateDir: string;
let store: LocalFunctionStore;
beforeEach(async () => {
  ({ stateDir, store } = await publishedStateDir(3));
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

async function statusFails(file: RegExp) {
  const text = await runCli(['release', 'status', '--state-dir', stateDir]);
  expect(text.code).toBe(1);
  expect(text.stderr).toMatch(file);
  expect(text.stderr).not.toMatch(/internal error|\n\s+at /);
  const json = await runCli(['release', 'status', '--json', '--state-dir', stateDir]);
  expect(json.code).toBe(1);
  const parsed = JSON.parse(json.stdout) as { error: { code: string; message: string } };
  expect(parsed.error.code).toBe('state.corrupt');
  expect(parsed.error.message).toMatch(file);
  return text.stderr;
}

describe('a damaged aliases.json', () => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /aliases\.json is empty; .*Restore it/],
    ['partial', '{"prod":{"version":"1"}}', /aliases\.json has no alias staging/],
    ['torn', '{"prod":{"ver', /aliases\.json is not valid JSON/],
    [
      'pointing at no version',
      '{"staging":{"version":"$LATEST"},"prod":{"version":"99"}}',
      /aliases\.json: alias prod version 99 does not exist/,
    ],
  ];
  for (const [name, content, message] of cases) {
    it(`${name}: status exits 1 naming it, and dev refuses to start from it`, async () => {
      await writeFile(store.aliasesPath, content);
      await statusFails(message);
      await expect(firstDeployment(store, () => undefined)).rejects.toThrow(message);
    });
  }

  it('missing in a state dir with versions is damage, never a silent first start', async () => {
    await rm(store.aliasesPath);
    await statusFails(/aliases\.json is missing, but versions were published/);
    await expect(firstDeployment(store, () => undefined)).rejects.toThrow(StateFileDamagedError);
  });

  it('at run time: the gateway keeps serving the last good aliases', async () => {
    const resolver = new AliasResolver(store);
    expect((await resolver.current()).prod.version).toBe('1');
    await writeFile(store.aliasesPath, '{"staging":{"version":"$LATEST"},"prod":{"version":"99"}}');
    resolver.invalidate();
    expect((await resolver.current()).prod.version).toBe('1');
    expect((await resolver.resolve('prod')).version).toBe('1');
  });
});

describe('other damaged files', () => {
  it('an empty latest/latest.json makes status exit 1 naming it', async () => {
    await writeFile(store.latestPath, '');
    await statusFails(/latest\.json is empty; .*stagecraft dev/);
  });

  it('a corrupt version.json of a version nobody serves does not fail status', async () => {
    await writeFile(stateLayout(stateDir).fn('example').versionRecord('3'), '{"version":');
    const result = await runCli(['release', 'status', '--json', '--state-dir', stateDir]);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as { versions: { version: string }[] };
    expect(status.versions.map((v) => v.version)).toEqual(['1', '2']);
    // Serving it is refused, naming the file.
    await writeFile(store.aliasesPath, '{"staging":{"version":"$LATEST"},"prod":{"version":"3"}}');
    await statusFails(/versions\/3\/version\.json is not valid JSON/);
  });

  it('a damaged history line makes release history exit 1 naming it', async () => {
    await writeFile(stateLayout(stateDir).history, 'garbage\n{"at":"x","command":"c"}\n');
    const result = await runCli(['release', 'history', '--state-dir', stateDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/history\.jsonl line 1 is not a history entry/);
  });

  it('a corrupt dynamodb/CURRENT stops dev naming the file, before dynalite opens it', async () => {
    const data = stateLayout(stateDir).dynamodb;
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'CURRENT'), 'garbage');
    const error = await startLocalStack({ stateDir, port: 0, watch: false, log: () => undefined })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateFileDamagedError);
    expect((error as Error).message).toMatch(
      /dynamodb\/CURRENT does not name a LevelDB manifest; .*delete it/,
    );
  });
});
