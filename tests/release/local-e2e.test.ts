// The release procedure end to end on the local target: `stagecraft release …` against the
// local stack running in a child process (as `stagecraft dev` runs it) on a free port, with a
// temp state dir and a handler entry in a temp dir, so the test never edits src/.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';
import {
  deploy as deployHandler,
  type HandlerProject,
  startHandlerProject,
  until as waitUntil,
} from './handler-project.ts';

const HOLD_LOCK = new URL('./fixtures/hold-lock.ts', import.meta.url).pathname;
const BIN = new URL('../../bin/stagecraft', import.meta.url).pathname;

let fixture: HandlerProject | undefined;
let project: string; // cwd of the release commands: holds smoke.config.ts and the entry
let stateDir: string;
let url: string;

const SMOKE_CONFIG = `
import type { SmokeCheck } from ${JSON.stringify(new URL('../../src/release/verify/types.ts', import.meta.url).pathname)};
const checks: SmokeCheck[] = [
  {
    name: 'staging does not serve a release marked broken',
    async run(ctx) {
      const answer = await ctx.request('GET', \`user/\${ctx.userId}\`);
      if (answer.headers.get('x-fixture-release') === 'broken') {
        throw new Error('staging serves the release marked broken');
      }
    },
  },
];
export default checks;
`;

function release(...args: string[]) {
  return runCli(['release', ...args, '--state-dir', stateDir], project);
}

async function get(stage: string, id = 'e2eUser0001') {
  const response = await fetch(`${url}/${stage}/user/${id}`);
  await response.arrayBuffer();
  return {
    status: response.status,
    version: response.headers.get('x-function-version'),
    release: response.headers.get('x-fixture-release'),
  };
}

function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  return waitUntil(fixture, what, probe, ms);
}

/** Saves a new handler release and waits until $LATEST is rebuilt from it. */
function deploy(releaseName: string): Promise<string> {
  return deployHandler(fixture as HandlerProject, releaseName, { ms: 15_000 });
}

/** Waits until the prod stage answers from `version` (alias changes are picked up live). */
function prodServes(version: string) {
  return until(`prod to serve version ${version}`, async () => {
    const answer = await get('prod');
    return answer.version === version ? answer : undefined;
  });
}

/** `bin/stagecraft release …` in its own process: the exit code and what it printed. */
function releaseInChild(...args: string[]) {
  const child = spawn(process.execPath, [BIN, 'release', ...args, '--state-dir', stateDir], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise<{ code: number | null; stdout: string; stderr: string; pid: number }>(
    (resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`stagecraft release ${args.join(' ')} did not exit\n${stderr}`));
      }, 30_000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, pid: child.pid ?? -1 });
      });
    },
  );
}

/** A third process that takes the state dir's release lock and keeps it until `free()`. */
async function holdLockInChild(): Promise<{ pid: number; free: () => Promise<void> }> {
  const holder = spawn(
    process.execPath,
    ['--import', 'tsx', HOLD_LOCK, join(stateDir, 'release.lock')],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('lock holder did not start')), 30_000);
    holder.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
    holder.stdout?.once('data', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    pid: holder.pid ?? -1,
    async free() {
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      holder.stdin?.end(); // the fixture releases the lock when stdin closes
      await exited;
    },
  };
}

beforeAll(async () => {
  fixture = await startHandlerProject('stagecraft-e2e-', { 'smoke.config.ts': SMOKE_CONFIG });
  ({ root: project, stateDir } = fixture);
  url = fixture.dev.url;
}, 60_000);

afterAll(() => fixture?.remove());

describe('release on the local target, over HTTP against the running local stack', () => {
  let v2: string;

  it('first start serves prod from version 1 and staging from $LATEST', async () => {
    expect(await get('prod')).toMatchObject({ status: 404, version: '1', release: 'v1' });
    expect(await get('staging')).toMatchObject({ status: 404, version: '$LATEST', release: 'v1' });
    const status = JSON.parse((await release('status', '--json')).stdout);
    expect(status).toMatchObject({
      aliases: { staging: { version: '$LATEST' }, prod: { version: '1' } },
      versions: [{ version: '1' }],
      verification: null,
    });
  });

  it('a code change reaches staging; prod still serves version 1', async () => {
    v2 = await deploy('v2');
    expect(await get('staging')).toMatchObject({ version: '$LATEST', release: 'v2' });
    expect(await get('prod')).toMatchObject({ version: '1', release: 'v1' });
  });

  it('promote without verify is refused (exit 1) and changes nothing', async () => {
    const result = await release('promote');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refusing to promote \$LATEST .* not verified on staging/);
    expect(result.stderr).toContain('no verification has been recorded');
    expect(await get('prod')).toMatchObject({ version: '1' });
    const status = JSON.parse((await release('status', '--json')).stdout);
    expect(status.versions).toHaveLength(1); // refused before publishing
  });

  it('verify runs the built-in and project checks against staging and records the code', async () => {
    const result = await release('verify', '--url', url);
    expect(result.stderr).toContain('verified');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✔ POST with a stale If-Match answers 412/);
    expect(result.stdout).toMatch(
      /✔ staging does not serve a release marked broken .*smoke\.config\.ts/,
    );
    const verification = JSON.parse(await readFile(join(stateDir, 'verification.json'), 'utf8'));
    expect(verification).toMatchObject({
      code_sha256: v2,
      passed: true,
      target: 'local',
      version: '$LATEST',
    });
    expect(verification.report.function_versions).toEqual(['$LATEST']);
  });

  it('verify → promote: prod serves version 2', async () => {
    const result = await release('promote');
    expect(result).toMatchObject({ code: 0, stdout: 'prod: 1 → 2\n' });
    expect(await prodServes('2')).toMatchObject({ release: 'v2' });
  });

  it('rollback: prod serves version 1 again', async () => {
    const result = await release('rollback');
    expect(result).toMatchObject({ code: 0, stdout: 'prod: 2 → 1\n' });
    expect(await prodServes('1')).toMatchObject({ release: 'v1' });
  });

  it('a failing check: readable report, exit 1, and that code cannot be promoted', async () => {
    await deploy('broken');
    const result = await release('verify', '--url', url);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ staging does not serve a release marked broken/);
    expect(result.stdout).toContain('staging serves the release marked broken');
    expect(result.stderr).toMatch(/verify: 1 of \d+ checks failed .* NOT verified/);
    const refused = await release('promote');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/FAILED/);
  });

  it('publish twice without a change makes one version', async () => {
    await deploy('v3');
    const first = await release('publish', '--description', 'release three');
    const second = await release('publish');
    expect(first).toMatchObject({ code: 0, stdout: '3\n' });
    expect(second).toMatchObject({ code: 0, stdout: '3\n' });
    expect(second.stderr).toContain('nothing published');
    const status = JSON.parse((await release('status', '--json')).stdout);
    expect(status.versions.map((v: { version: string }) => v.version)).toEqual(['1', '2', '3']);
    expect(status.versions[2]).toMatchObject({ description: 'release three' });
  });

  it('canary 50%: prod answers from both versions, then --complete moves all of it', async () => {
    expect((await release('verify', '--url', url)).code).toBe(0);
    const canary = await release('promote', '3', '--canary', '50');
    expect(canary).toMatchObject({ code: 0, stdout: 'prod: 1 → 1+3@50%\n' });
    const status = JSON.parse((await release('status', '--json')).stdout);
    expect(status.aliases.prod).toMatchObject({ version: '1', weights: { '3': 0.5 } });
    const seen = new Map<string, number>();
    for (let batch = 0; batch < 25; batch++) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => get('prod')));
      for (const answer of answers)
        seen.set(String(answer.version), (seen.get(String(answer.version)) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(['1', '3']);
    // 200 fair coin flips: fewer than 60 on one side has probability < 1e-8.
    expect(Math.min(seen.get('1') ?? 0, seen.get('3') ?? 0)).toBeGreaterThan(60);
    const complete = await release('promote', '--complete');
    expect(complete).toMatchObject({ code: 0, stdout: 'prod: 1+3@50% → 3\n' });
    // The gateway notices alias changes within its check interval (25 ms), then serves only 3.
    await prodServes('3');
    for (let i = 0; i < 20; i++) expect(await get('prod')).toMatchObject({ version: '3' });
  });

  it('two concurrent promotes: exactly one succeeds, the other names the lock holder', async () => {
    expect((await release('rollback', '--to', '1')).code).toBe(0);
    const results = await Promise.all([release('promote', '3'), release('promote', '3')]);
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 1]);
    const loser = results.find((r) => r.code === 1);
    expect(loser?.stderr).toMatch(
      /'release promote 3 --state-dir .*' \(pid \d+ .*\) holds the release lock/,
    );
    expect(await prodServes('3')).toMatchObject({ release: 'v3' });
  });

  // Across processes (the test above races two promotes inside this one process). Two
  // bin/stagecraft processes rarely overlap reliably — each spends ~1 s starting tsx and a
  // promote holds the lock for milliseconds — so a third process holds the lock: both child
  // promotes, started together, must be refused naming that holder (not themselves, not this
  // test), change nothing, and a promote started after the holder lets go must succeed. This
  // proves the lock excludes separate processes through the state dir; that of two truly
  // overlapping takers exactly one wins is lock.test.ts (O_EXCL create) and the test above.
  it('promotes in separate processes: refused while another process holds the lock, then one succeeds', async () => {
    expect((await release('rollback', '--to', '1')).code).toBe(0);
    const holder = await holdLockInChild();
    let refused;
    try {
      refused = await Promise.all([releaseInChild('promote', '3'), releaseInChild('promote', '3')]);
    } finally {
      await holder.free();
    }
    for (const result of refused) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^stagecraft release: promote: 'release promote \\(fixture\\)' \\(pid ${holder.pid} .*\\) holds the release lock`,
        ),
      );
      expect(result.stderr).not.toContain('internal error');
    }
    expect(await get('prod')).toMatchObject({ version: '1' });
    const done = await releaseInChild('promote', '3');
    expect(done).toMatchObject({ code: 0, stdout: 'prod: 1 → 3\n' });
    expect(await prodServes('3')).toMatchObject({ release: 'v3' });
  }, 90_000);

  it('history lists every step: when, who, command, from → to, code, forced', async () => {
    const { entries } = JSON.parse((await release('history', '--json')).stdout);
    const steps = entries.map((e: Record<string, unknown>) => [
      e.action ?? e.command,
      e.stage ?? null,
      e.from ?? null,
      e.to ?? null,
    ]);
    expect(steps).toEqual([
      ['dev', 'staging', null, '$LATEST'],
      ['dev', 'prod', null, '1'],
      ['verify', 'staging', null, '$LATEST'],
      ['publish', null, '$LATEST', '2'],
      ['promote', 'prod', '1', '2'],
      ['rollback', 'prod', '2', '1'],
      ['verify', 'staging', null, '$LATEST'],
      ['publish', null, '$LATEST', '3'],
      ['verify', 'staging', null, '$LATEST'],
      ['canary', 'prod', '1', '1+3@50%'],
      ['complete', 'prod', '1+3@50%', '3'],
      ['rollback', 'prod', '3', '1'],
      ['promote', 'prod', '1', '3'],
      // The cross-process test: its refused promotes left no trace.
      ['rollback', 'prod', '3', '1'],
      ['promote', 'prod', '1', '3'],
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        at: expect.any(String),
        user: expect.any(String),
        forced: false,
      });
    }
    expect(entries[4]).toMatchObject({
      code_sha256: v2,
      verified: true,
      command: expect.stringMatching(/^release promote/),
    });
    expect(entries[6]).toMatchObject({ passed: false });
    const text = (await release('history')).stdout;
    expect(text.trim().split('\n')).toHaveLength(entries.length);
    expect(text).toContain(`prod 1 → 2  ${v2}`);
  });
});
