// The compiled CLI (issue 12): bin/stagecraft runs plain JavaScript built from src/, rebuilds it
// when src/ changes, and each command loads only what it needs. Which modules a process loaded
// is recorded by tests/fixtures/record-loads.mjs (an ESM load hook), not inferred from timing.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliFingerprint } from '../scripts/cli-fingerprint.mjs';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'stagecraft');
const recorder = join(root, 'tests', 'fixtures', 'record-loads.mjs');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-start-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs bin/stagecraft and returns its output and every module URL it loaded. */
async function loadsOf(args: string[], env: NodeJS.ProcessEnv = {}) {
  const record = join(dir, `loads-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(record, '');
  const result = await run(process.execPath, ['--import', recorder, bin, ...args], {
    env: { ...process.env, ...env, STAGECRAFT_RECORD_LOADS: record },
  }).catch((error: { stdout: string; stderr: string }) => error);
  const loads = readFileSync(record, 'utf8').split('\n').filter(Boolean);
  return { stdout: result.stdout, stderr: result.stderr, loads };
}

const packagesIn = (loads: string[]) =>
  [
    ...new Set(
      loads
        .filter((url) => url.includes('/node_modules/'))
        .map((url) => url.split('/node_modules/').pop()?.split('/').slice(0, 2).join('/') ?? ''),
    ),
  ].sort();

describe('bin/stagecraft start-up', () => {
  it('runs the compiled CLI, without a TypeScript loader', async () => {
    const { stdout, loads } = await loadsOf(['--help']);
    expect(stdout).toMatch(/^Usage: stagecraft <command>/);
    expect(loads.some((url) => /\/dist\/cli\/[0-9a-f]{16}\/main\.mjs$/.test(url))).toBe(true);
    expect(loads.filter((url) => url.includes('/src/') || url.includes('/tsx/'))).toEqual([]);
  });

  it('prints the same help compiled and from source', async () => {
    const compiled = await loadsOf(['release', '--help']);
    const source = await loadsOf(['release', '--help'], { STAGECRAFT_CLI_FROM_SOURCE: '1' });
    expect(source.loads.some((url) => url.endsWith('/src/cli/main.ts'))).toBe(true);
    expect(compiled.stdout).toBe(source.stdout);
    expect(compiled.stdout).toContain('stagecraft release');
  });

  it('loads no npm package for --help', async () => {
    expect(packagesIn((await loadsOf(['--help'])).loads)).toEqual([]);
  });

  it('loads neither the AWS SDK nor esbuild for a local release status', async () => {
    const { stderr, loads } = await loadsOf([
      'release',
      'status',
      '--state-dir',
      join(dir, 'none'),
    ]);
    // No state dir: the command fails after loading everything a status needs.
    expect(stderr).toContain('does not exist');
    expect(loads.some((url) => /\/status-[A-Z0-9]+\.mjs$/.test(url))).toBe(true);
    expect(packagesIn(loads)).toEqual([]);
  });
});

describe('cliFingerprint', () => {
  function project(): string {
    const project = mkdtempSync(join(dir, 'project-'));
    mkdirSync(join(project, 'src', 'cli'), { recursive: true });
    mkdirSync(join(project, 'scripts'));
    for (const file of ['scripts/build-cli.mjs', 'scripts/cli-fingerprint.mjs', 'package.json']) {
      writeFileSync(join(project, file), '');
    }
    writeFileSync(join(project, 'src', 'cli', 'main.ts'), 'export {};\n');
    return project;
  }

  it('is stable while nothing changes', () => {
    const project_ = project();
    expect(cliFingerprint(project_)).toMatch(/^[0-9a-f]{16}$/);
    expect(cliFingerprint(project_)).toBe(cliFingerprint(project_));
  });

  it('changes when a source is edited, added or touched', () => {
    const project_ = project();
    const main = join(project_, 'src', 'cli', 'main.ts');
    const seen = new Set([cliFingerprint(project_)]);
    writeFileSync(main, 'export const edited = 1;\n');
    seen.add(cliFingerprint(project_));
    writeFileSync(join(project_, 'src', 'added.ts'), '');
    seen.add(cliFingerprint(project_));
    utimesSync(main, new Date(2000, 0, 1), new Date(2000, 0, 1));
    seen.add(cliFingerprint(project_));
    expect(seen.size).toBe(4);
  });
});
