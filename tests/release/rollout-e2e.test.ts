// `stagecraft release rollout` end to end over HTTP: the local stack runs in a child process (as
// `stagecraft dev` runs it, with the handler entry in a temp dir so the test edits no source of
// the repository), the rollout runs as `bin/stagecraft` in its own process, and the test's own
// traffic goes to prod while it runs. One dev server for the whole file; short schedules.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/platform/metrics.ts';
import { runCli } from './cli-helpers.ts';
import {
  deploy,
  type HandlerProject,
  startHandlerProject,
  until as waitUntil,
} from './handler-project.ts';

const BIN = new URL('../../bin/stagecraft', import.meta.url).pathname;
// Short steps. The p99 rule is unit-tested (rollout/judgement.test.ts); here, on a 2-core machine
// shared with the rest of the suite, a freshly started canary worker's p99 over a 3 s window is
// noise (1.9× the baseline's was seen under `npm test`), so the ratio is set out of its way.
const FAST = [
  '--steps',
  '20,50,100',
  '--interval',
  '3s',
  '--tick',
  '1s',
  '--min-requests',
  '10',
  '--max-p99-ratio',
  '20',
];

// Version 3 at 20 % for a minute: long enough for a test to interrupt it at the first step.
const LONG_FIRST_STEP = [
  '3',
  '--steps',
  '20,100',
  '--interval',
  '60s',
  '--tick',
  '1s',
  '--max-p99-ratio',
  '20',
] as const;

let fixture: HandlerProject | undefined;
let project: string;
let stateDir: string;
let url: string;

function release(...args: string[]) {
  return runCli(['release', ...args, '--state-dir', stateDir], project);
}

async function prod(id = 'e2eUser0001') {
  const response = await fetch(`${url}/prod/user/${id}`);
  await response.arrayBuffer();
  return { status: response.status, version: response.headers.get('x-function-version') };
}

function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  return waitUntil(fixture, what, probe, ms);
}

/** Saves new handler code, waits for the rebuild of $LATEST, and verifies it on staging. */
async function deployAndVerify(releaseName: string, failing = false): Promise<void> {
  await deploy(fixture as HandlerProject, releaseName, { failing, ms: 20_000 });
  const verified = await release('verify', '--url', url);
  expect(verified.code, verified.stderr).toBe(0);
}

async function prodAlias(): Promise<{ version: string; weights?: Record<string, number> }> {
  const status = JSON.parse((await release('status', '--json')).stdout);
  return status.aliases.prod;
}

/**
 * The test's own traffic: GETs on prod, one at a time, until stopped (bounded by 2 minutes
 * and 20 000 requests). Every `badEvery`-th id starts with `boom`.
 */
function traffic(badEvery = 0) {
  let running = true;
  let sent = 0;
  const deadline = Date.now() + 120_000;
  const done = (async () => {
    while (running && Date.now() < deadline && sent < 20_000) {
      sent++;
      const bad = badEvery > 0 && sent % badEvery === 0;
      const id = `${bad ? 'boom' : 'ok'}${String(sent).padStart(8, '0')}`;
      await prod(id).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return sent;
    },
  };
}

interface Child {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<number | string | null>;
}

/** `bin/stagecraft release rollout …` in its own process. */
function rolloutInChild(...args: string[]): Child {
  const child = spawn(
    process.execPath,
    [BIN, 'release', 'rollout', ...args, '--state-dir', stateDir],
    { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk) => (output.stdout += String(chunk)));
  child.stderr?.on('data', (chunk) => (output.stderr += String(chunk)));
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  void exited.then(() => clearTimeout(timer));
  return { child, output, exited };
}

/** Waits until prod's canary is at `weight` (the child's step has started). */
function canaryAt(version: string, weight: number) {
  return until(`prod to send ${weight} to version ${version}`, async () => {
    const alias = await prodAlias();
    return alias.weights?.[version] === weight ? alias : undefined;
  });
}

let ownTraffic: ReturnType<typeof traffic> | undefined;
afterEach(async () => {
  await ownTraffic?.stop();
  ownTraffic = undefined;
});

beforeAll(async () => {
  fixture = await startHandlerProject('stagecraft-rollout-');
  ({ root: project, stateDir } = fixture);
  url = fixture.dev.url;
}, 60_000);

afterAll(() => fixture?.remove());

describe('release rollout against the running local stack', () => {
  it('a healthy version completes, driven by --traffic alone', async () => {
    await deployAndVerify('v2');
    const run = rolloutInChild(...FAST, '--traffic', '40', '--json');
    expect(await run.exited, run.output.stderr).toBe(0);
    const result = JSON.parse(run.output.stdout);
    expect(result).toMatchObject({ outcome: 'succeeded', version: '2', baseline: '1', prod: '2' });
    expect(
      result.steps.map((s: { percent: number; verdict: string }) => [s.percent, s.verdict]),
    ).toEqual([
      [20, 'pass'],
      [50, 'pass'],
      [100, 'done'],
    ]);
    expect(result.steps[0].canary.requests).toBeGreaterThanOrEqual(10);
    expect(result.steps[0].baseline.requests).toBeGreaterThan(0);
    expect(await prod()).toMatchObject({ version: '2' });
    // The metrics endpoint saw both versions on prod.
    const snapshot = (await (await fetch(`${url}/_stagecraft/metrics`)).json()) as MetricsSnapshot;
    expect(Object.keys(snapshot.stages.prod ?? {}).sort()).toEqual(['1', '2']);
  }, 90_000);

  it('a version answering 500 for some ids is rolled back while traffic runs; history says why', async () => {
    await deployAndVerify('v3', true);
    ownTraffic = traffic(3);
    const run = rolloutInChild(...FAST);
    expect(await run.exited, run.output.stderr).toBe(3);
    await ownTraffic.stop();
    ownTraffic = undefined;
    expect(run.output.stdout).toMatch(/rollout aborted: step 1\/3 \(20%\): canary error rate/);
    expect(run.output.stdout).toMatch(/back on version 2/);
    // Not a terminal: the start, step changes and deciding ticks only, no "ok so far" lines.
    expect(run.output.stderr).toMatch(
      /^rolling out version 3 over version 2 \(steps:20,50,100@3s\)$/m,
    );
    expect(run.output.stderr).toMatch(/^step 1\/3: 20% of prod to the new version$/m);
    expect(run.output.stderr).toMatch(/^ {2}step 1\/3 20% · \d+s · canary v3 .* · fail: /m);
    expect(run.output.stderr).not.toMatch(/ok so far/);
    expect(run.output.stdout).toMatch(/last window: canary v3 \d+ req/);
    expect(await prodAlias()).toEqual(expect.objectContaining({ version: '2' }));
    expect((await prodAlias()).weights).toBeUndefined();
    for (let i = 0; i < 20; i++) {
      expect(await prod(`boom${String(i).padStart(8, '0')}`)).toMatchObject({ version: '2' });
    }
    const history = await release('history');
    expect(history.stdout).toMatch(/rollout start: version 3 over 2/);
    expect(history.stdout).toMatch(/rollout step 1\/3 20%: fail .*canary error rate/);
    expect(history.stdout).toMatch(/rollout aborted — step 1\/3 \(20%\): canary error rate/);
  }, 90_000);

  it('Ctrl-C rolls back and says so', async () => {
    ownTraffic = traffic();
    const run = rolloutInChild(...LONG_FIRST_STEP);
    await canaryAt('3', 0.2);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(3);
    expect(run.output.stdout).toMatch(/rollout interrupted: interrupted by SIGINT: rolled back/);
    expect(await prodAlias()).toMatchObject({ version: '2' });
    expect((await prodAlias()).weights).toBeUndefined();
  }, 60_000);

  it('a concurrent `release rollback` stops a running rollout within about a second', async () => {
    ownTraffic = traffic();
    const run = rolloutInChild(...LONG_FIRST_STEP);
    await canaryAt('3', 0.2);
    const rolledBack = await release('rollback');
    expect(rolledBack).toMatchObject({ code: 0, stdout: 'prod: 2+3@20% → 2\n' });
    const at = Date.now();
    expect(await run.exited).toBe(3);
    const ms = Date.now() - at;
    // ≤ 1 s of polling, plus the process's own exit on a loaded 2-core machine.
    expect(ms).toBeLessThan(3000);
    expect(run.output.stdout).toMatch(/rollout stopped: prod was changed by another command/);
    expect((await prodAlias()).version).toBe('2');
    expect((await prodAlias()).weights).toBeUndefined();
  }, 60_000);

  it('kill -9 leaves an interrupted rollout; --resume completes it', async () => {
    ownTraffic = traffic();
    const run = rolloutInChild('3', ...FAST);
    await canaryAt('3', 0.5);
    run.child.kill('SIGKILL');
    await run.exited;
    const status = await release('status');
    expect(status.stdout).toMatch(/rollout interrupted at step 2 of 3/);
    const json = JSON.parse((await release('status', '--json')).stdout);
    expect(json.rollout).toMatchObject({ state: 'interrupted', step: 2, steps: 3, version: '3' });
    const resumed = rolloutInChild('--resume');
    expect(await resumed.exited, resumed.output.stderr).toBe(0);
    expect(resumed.output.stdout).toMatch(/rollout succeeded: prod serves version 3/);
    expect(await prodAlias()).toMatchObject({ version: '3' });
    expect(JSON.parse((await release('status', '--json')).stdout).rollout).toBeNull();
  }, 90_000);
});
