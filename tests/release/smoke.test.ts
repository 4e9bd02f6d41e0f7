import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isReleaseError } from '../../src/errors.ts';
import { CONTRACT_CHECKS } from '../../src/release/verify/contract-checks.ts';
import { loadProjectChecks } from '../../src/release/verify/project-checks.ts';
import { formatSmokeReport } from '../../src/release/verify/report.ts';
import { probeStage, runSmokeSuite } from '../../src/release/verify/runner.ts';
import { type Breakage, startFakeUserApi } from './fixtures/fake-user-api.ts';

const builtIn = CONTRACT_CHECKS.map((check) => ({ check, source: 'built-in' }));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function api(broken: Breakage = 'none') {
  const fake = await startFakeUserApi({ broken });
  cleanups.push(fake.stop);
  return fake.url;
}

describe('the built-in smoke suite', () => {
  it('passes against an API that keeps the contract, and records the versions seen', async () => {
    const report = await runSmokeSuite({ baseUrl: await api(), checks: builtIn });
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report).toMatchObject({ passed: true, function_versions: ['$LATEST'] });
    expect(report.checks).toHaveLength(CONTRACT_CHECKS.length);
  });

  it.each([
    ['ignore-if-match', 'stale If-Match', /answered 200, expected 412/],
    ['accept-empty-name', 'invalid input', /empty name .*answered 201, expected 400/],
    ['no-delete', 'DELETE removes', /GET after DELETE .*answered 200, expected 404/],
  ] as const)('catches an API that breaks a rule (%s)', async (broken, check, message) => {
    const report = await runSmokeSuite({ baseUrl: await api(broken), checks: builtIn });
    expect(report.passed).toBe(false);
    const failed = report.checks.filter((c) => !c.passed);
    expect(failed.map((c) => c.name)).toEqual([expect.stringContaining(check)]);
    expect(failed[0]?.error).toMatch(message);
    const text = formatSmokeReport(report);
    expect(text).toContain(`✖ ${failed[0]?.name}`);
    expect(text).toMatch(/checks: \d+ passed, 1 failed/);
  });

  it('reports an unreachable server as failures, and probeStage says why', async () => {
    const url = await api();
    await cleanups.pop()?.();
    const report = await runSmokeSuite({ baseUrl: url, checks: builtIn.slice(0, 1) });
    expect(report.passed).toBe(false);
    expect(report.checks[0]?.error).toMatch(/ECONNREFUSED/);
    expect(await probeStage(url)).toMatch(/ECONNREFUSED/);
  });

  it('gives every check its own throw-away user id', async () => {
    const ids: string[] = [];
    await runSmokeSuite({
      baseUrl: await api(),
      checks: [1, 2, 3].map((n) => ({
        source: 'test',
        check: { name: `c${n}`, run: async (ctx) => void ids.push(ctx.userId) },
      })),
    });
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{8,64}$/);
  });
});

describe('project checks (smoke.config)', () => {
  async function projectWith(file: string, text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'stagecraft-smoke-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, file), text);
    return dir;
  }

  it('loads the default export and runs it after the built-in checks', async () => {
    const dir = await projectWith(
      'smoke.config.mjs',
      `export default [{ name: 'unknown path answers 404', async run(ctx) {
         const r = await ctx.request('GET', 'nowhere');
         if (r.status !== 404) throw new Error('got ' + r.status);
       } }, { name: 'always fails', async run() { throw new Error('as designed'); } }];`,
    );
    const checks = await loadProjectChecks(dir);
    expect(checks.map((c) => c.check.name)).toEqual(['unknown path answers 404', 'always fails']);
    const report = await runSmokeSuite({ baseUrl: await api(), checks });
    expect(report.checks.map((c) => [c.passed, c.error])).toEqual([
      [true, undefined],
      [false, 'as designed'],
    ]);
    expect(report.checks[0]?.source).toBe(join(dir, 'smoke.config.mjs'));
  });

  it('finds nothing when there is no config', async () => {
    const dir = await projectWith('README', '');
    expect(await loadProjectChecks(dir)).toEqual([]);
  });

  it.each([
    ['export default { name: "x" }', /must export an array/],
    ['export default [{ name: "x" }]', /check #1 must be an object/],
    ['export default [;', /failed to load/],
  ])('refuses a malformed config: %s', async (text, message) => {
    const dir = await projectWith('smoke.config.mjs', text);
    const error = await loadProjectChecks(dir).catch((e: unknown) => e);
    expect(isReleaseError(error, 'config.invalid')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
