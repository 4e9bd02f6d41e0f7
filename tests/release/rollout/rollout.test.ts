// The rollout operation on the local control plane of a temp state dir, with a fake metrics
// source and a fake clock: each sleep advances the clock, and the source answers what a given
// request rate would have produced in the window at prod's current weights.
import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isReleaseError, ReleaseError } from '../../../src/errors.ts';
import type { AliasRouting } from '../../../src/platform/alias.ts';
import type { ControlPlane } from '../../../src/platform/control-plane.ts';
import {
  rollout,
  type RolloutDeps,
  type RolloutOptions,
} from '../../../src/release/operations/rollout.ts';
import { rollback } from '../../../src/release/operations/rollback.ts';
import { releaseStatus } from '../../../src/release/operations/status.ts';
import { DEFAULT_JUDGEMENT } from '../../../src/release/rollout/judgement.ts';
import { parseSchedule } from '../../../src/release/rollout/schedule.ts';
import { readHistory } from '../../../src/state/history.ts';
import { stateLayout } from '../../../src/state/layout.ts';
import {
  acquireRolloutLock,
  readRollout,
  requestRolloutStop,
  ROLLOUT_FORMAT,
  writeRollout,
} from '../../../src/state/rollout.ts';
import { readTextIfExists } from '../../../src/state/atomic-file.ts';
import type { LocalFunctionStore } from '../../../src/state/function-store.ts';
import { publishedStateDir, releaseContext } from '../../state/fixture.ts';
import { syntheticMetrics, type TrafficBehaviour } from './synthetic-metrics.ts';

let dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  dirs = [];
});

async function setup(behaviour: TrafficBehaviour) {
  const { stateDir, store } = await publishedStateDir(3);
  dirs.push(stateDir);
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date(clock);
  const ctx = await releaseContext(stateDir, 'release rollout 2', { now });
  const metrics = syntheticMetrics(store, behaviour);
  const sleeps: number[] = [];
  const deps: RolloutDeps = {
    metrics,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
  };
  return { stateDir, store, ctx, deps, sleeps, advance: (ms: number) => (clock += ms) };
}

const OPTIONS: RolloutOptions = {
  version: '2',
  force: true,
  schedule: parseSchedule({ steps: '20,50,100', interval: '30s' }),
  judgement: DEFAULT_JUDGEMENT,
  tickMs: 10_000,
};

async function rolloutEvents(stateDir: string) {
  return (await readHistory(stateLayout(stateDir).history)).filter((e) => e.action === 'rollout');
}

async function prodOf(store: LocalFunctionStore) {
  return (await store.readAliases())?.prod;
}

async function setProd(store: LocalFunctionStore, prod: AliasRouting) {
  await store.setAliases({ staging: { version: '$LATEST' }, prod });
}

describe('release rollout (fake clock, fake metrics)', () => {
  it('a healthy version passes every step and ends with prod at 100 % on it', async () => {
    const { stateDir, store, ctx, deps, sleeps } = await setup({ rps: 50, errorRate: {} });
    const result = await rollout(ctx, OPTIONS, deps);
    expect(result.outcome).toBe('succeeded');
    expect(await prodOf(store)).toEqual({ version: '2' });
    expect(result.steps.map((s) => [s.percent, s.verdict])).toEqual([
      [20, 'pass'],
      [50, 'pass'],
      [100, 'done'],
    ]);
    expect(result.steps[0]?.canary).toMatchObject({ version: '2', requests: 300, errors: 0 });
    expect(result.steps[0]?.baseline).toMatchObject({ version: '1', requests: 1200 });
    // Ticks of 10 s, waited in slices of at most a second (to notice a rollback).
    expect(sleeps.every((ms) => ms <= 1000)).toBe(true);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(60_000);
    // History: the alias moves, and the rollout's own events.
    const history = await readHistory(stateLayout(stateDir).history);
    const moves = history.filter((e) => e.action !== 'rollout' && e.stage === 'prod' && e.from);
    expect(moves.map((e) => [e.action, e.from, e.to])).toEqual([
      ['canary', '1', '1+2@20%'],
      ['canary', '1+2@20%', '1+2@50%'],
      ['complete', '1+2@50%', '2'],
    ]);
    const events = await rolloutEvents(stateDir);
    expect(events.map((e) => e.event)).toEqual(['start', 'step', 'step', 'end']);
    expect(events.at(-1)).toMatchObject({ outcome: 'succeeded', prod: '2', forced: true });
    expect(await readRollout(stateDir)).toBeUndefined();
  });

  it('a failing canary is rolled back mid-step, at the first conclusive tick', async () => {
    const { stateDir, store, ctx, deps, sleeps } = await setup({
      rps: 50,
      errorRate: { '2': 0.05, '1': 0 },
    });
    const result = await rollout(
      ctx,
      { ...OPTIONS, schedule: parseSchedule({ steps: '20,100', interval: '5m' }) },
      deps,
    );
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toMatch(/step 1\/2 \(20%\): canary error rate 5%/);
    expect(await prodOf(store)).toEqual({ version: '1' });
    // Long before the step's five minutes.
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(5 * 60_000);
    expect(result.steps[0]?.verdict).toBe('fail');
    const events = await rolloutEvents(stateDir);
    expect(events.at(-1)).toMatchObject({ event: 'end', outcome: 'aborted' });
    expect(String(events.at(-1)?.reason)).toMatch(/canary error rate/);
    const abort = (await readHistory(stateLayout(stateDir).history)).findLast(
      (e) => e.action === 'abort',
    );
    expect(abort).toMatchObject({ from: '1+2@20%', to: '1' });
  });

  it('a shared fault (both at 3 %) does not fail the canary', async () => {
    const { store, ctx, deps } = await setup({ rps: 50, errorRate: { '2': 0.03, '1': 0.03 } });
    const result = await rollout(ctx, OPTIONS, deps);
    expect(result.outcome).toBe('succeeded');
    expect(await prodOf(store)).toEqual({ version: '2' });
  });

  it('too little traffic: extensions, then --on-inconclusive fail rolls back', async () => {
    const { store, ctx, deps } = await setup({ rps: 1, errorRate: {} });
    const result = await rollout(ctx, OPTIONS, deps);
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toMatch(/inconclusive/);
    expect(result.steps[0]?.extensions).toBe(3);
    expect(await prodOf(store)).toEqual({ version: '1' });
  });

  it('a latency regression aborts', async () => {
    const { store, ctx, deps } = await setup({
      rps: 50,
      errorRate: {},
      p99Ms: { '1': 20, '2': 100 },
    });
    const result = await rollout(ctx, OPTIONS, deps);
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toMatch(/p99 100 ms is 5× the baseline's 20 ms/);
    expect(await prodOf(store)).toEqual({ version: '1' });
  });

  it('an alarm in ALARM aborts (the injected check, as on AWS)', async () => {
    const { store, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    const asked: string[][] = [];
    const result = await rollout(
      { ...ctx, controlPlane: asAws(ctx.controlPlane) },
      { ...OPTIONS, alarms: ['api-5xx'] },
      {
        ...deps,
        alarms: async (names) => {
          asked.push([...names]);
          return asked.length >= 2 ? ['api-5xx'] : [];
        },
      },
    );
    expect(result.outcome).toBe('aborted');
    expect(result.reason).toMatch(/alarm in ALARM: api-5xx/);
    expect(asked[0]).toEqual(['api-5xx']);
    expect(await prodOf(store)).toEqual({ version: '1' });
  });

  it('an alarm already in ALARM stops the rollout before any traffic moves', async () => {
    const { store, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    const moves: unknown[] = [];
    const cp = asAws(ctx.controlPlane);
    const result = await rollout(
      {
        ...ctx,
        controlPlane: {
          ...cp,
          updateAlias: (stage, routing, revision) => {
            moves.push(routing);
            return cp.updateAlias(stage, routing, revision);
          },
        },
      },
      { ...OPTIONS, alarms: ['api-5xx'] },
      { ...deps, alarms: async () => ['api-5xx'] },
    );
    expect(result).toMatchObject({ outcome: 'aborted', steps: [] });
    expect(result.reason).toMatch(/alarm in ALARM: api-5xx/);
    expect(moves).toEqual([]);
    expect(await prodOf(store)).toEqual({ version: '1' });
  });

  it('a misspelt alarm fails the rollout before any traffic moves', async () => {
    const { store, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    const missing = new ReleaseError('alarm.not-found', 'no CloudWatch alarm named api-5xxx');
    await expect(
      rollout(
        { ...ctx, controlPlane: asAws(ctx.controlPlane) },
        { ...OPTIONS, alarms: ['api-5xxx'] },
        { ...deps, alarms: () => Promise.reject(missing) },
      ),
    ).rejects.toBe(missing);
    expect(await prodOf(store)).toEqual({ version: '1' });
  });

  it('--alarm without an alarm check is refused before anything moves', async () => {
    const { store, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    await expect(rollout(ctx, { ...OPTIONS, alarms: ['x'] }, deps)).rejects.toSatisfy(
      (error) =>
        isReleaseError(error, 'rollout.metrics') &&
        /--alarm needs an alarm check/.test(error.message),
    );
    expect(await prodOf(store)).toEqual({ version: '1' });
  });

  it('Ctrl-C (the abort signal) rolls back and says so', async () => {
    const { store, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    const controller = new AbortController();
    let slept = 0;
    const result = await rollout(ctx, OPTIONS, {
      ...deps,
      signal: controller.signal,
      sleep: async (ms) => {
        await deps.sleep?.(ms);
        if (++slept === 15) controller.abort('interrupted by SIGINT');
      },
    });
    expect(result.outcome).toBe('interrupted');
    expect(result.reason).toBe('interrupted by SIGINT: rolled back');
    expect(await prodOf(store)).toEqual({ version: '1' });
  });

  it('stops within a poll when another command moves prod, and leaves prod alone', async () => {
    const { store, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    let slept = 0;
    const result = await rollout(ctx, OPTIONS, {
      ...deps,
      sleep: async (ms) => {
        await deps.sleep?.(ms);
        if (++slept === 5) await setProd(store, { version: '1' });
      },
    });
    expect(result.outcome).toBe('stopped');
    expect(slept).toBe(5); // noticed at the next check, not the next tick
    expect(result.reason).toMatch(/prod was changed by another command/);
    expect(await prodOf(store)).toEqual({ version: '1' });
    expect(await readRollout(ctx.stateDir)).toBeUndefined();
  });

  it('refuses a second rollout while one runs, and a new one over an interrupted one', async () => {
    const { stateDir, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    const lock = await acquireRolloutLock(stateDir, 'release rollout (other)');
    await expect(rollout(ctx, OPTIONS, deps)).rejects.toSatisfy((error) =>
      isReleaseError(error, 'rollout.running'),
    );
    await lock.release();
    await writeRollout(stateDir, interruptedRecord());
    await expect(rollout(ctx, OPTIONS, deps)).rejects.toThrow(/--resume/);
  });

  it('an interrupted rollout shows in status, resumes at its step and completes', async () => {
    const { stateDir, store, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    await setProd(store, { version: '1', weights: { '2': 0.5 } });
    await writeRollout(stateDir, interruptedRecord());
    const status = await releaseStatus(ctx);
    expect(status.rollout).toMatchObject({
      state: 'interrupted',
      step: 2,
      steps: 3,
      percent: 50,
      version: '2',
    });
    const result = await rollout(ctx, { ...OPTIONS, resume: true }, deps);
    expect(result).toMatchObject({ outcome: 'succeeded', resumed: true });
    expect(result.steps.map((s) => s.percent)).toEqual([50, 100]);
    expect(await prodOf(store)).toEqual({ version: '2' });
    expect((await releaseStatus(ctx)).rollout).toBeNull();
  });

  it('a `release rollback` before the first step stops the rollout; prod never moves', async () => {
    const { stateDir, store, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    const aws = { ...ctx, controlPlane: asAws(ctx.controlPlane) };
    let rolledBack: Awaited<ReturnType<typeof rollback>> | undefined;
    const result = await rollout(
      aws,
      { ...OPTIONS, alarms: ['api-5xx'] },
      {
        ...deps,
        // The alarm check runs after the rollout recorded itself, before its first alias move:
        // the moment where prod is still on the baseline and there is nothing to roll back.
        alarms: async () => {
          rolledBack ??= await rollback(aws);
          return [];
        },
      },
    );
    expect(rolledBack).toMatchObject({
      changed: false,
      rollout: { state: 'running', version: '2' },
    });
    expect(rolledBack?.reason).toMatch(/the running rollout was asked to stop/);
    expect(result).toMatchObject({ outcome: 'stopped', steps: [] });
    expect(result.reason).toMatch(/stopped by `release rollback`/);
    expect(await prodOf(store)).toEqual({ version: '1' });
    expect(await readTextIfExists(stateLayout(stateDir).rolloutStop)).toBeUndefined();
    expect((await rolloutEvents(stateDir)).at(-1)).toMatchObject({
      event: 'end',
      outcome: 'stopped',
    });
  });

  it('a stop request left for another rollout is ignored', async () => {
    const { stateDir, store, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    await requestRolloutStop(stateDir, 'some-earlier-rollout');
    const result = await rollout(ctx, OPTIONS, deps);
    expect(result.outcome).toBe('succeeded');
    expect(await prodOf(store)).toEqual({ version: '2' });
  });

  it('release rollback ends an interrupted rollout', async () => {
    const { stateDir, store, ctx } = await setup({ rps: 50, errorRate: {} });
    await setProd(store, { version: '1', weights: { '2': 0.5 } });
    await writeRollout(stateDir, interruptedRecord());
    const result = await rollback(ctx);
    expect(result).toMatchObject({
      changed: true,
      action: 'abort',
      rollout: { id: 'abc123', state: 'interrupted' },
    });
    expect(await prodOf(store)).toEqual({ version: '1' });
    expect(await readTextIfExists(stateLayout(stateDir).rollout)).toBeUndefined();
    expect((await rolloutEvents(stateDir)).at(-1)).toMatchObject({
      event: 'end',
      outcome: 'ended',
    });
  });

  it('keeps the last tick in rollout.json while a step runs; status shows it for that step', async () => {
    const { stateDir, ctx, deps } = await setup({ rps: 50, errorRate: {} });
    const seen: unknown[] = [];
    const sleep = deps.sleep as (ms: number) => Promise<void>;
    const result = await rollout(ctx, OPTIONS, {
      ...deps,
      sleep: async (ms) => {
        const status = await releaseStatus(ctx);
        if (status.rollout?.last_tick !== undefined) seen.push(status.rollout.last_tick);
        await sleep(ms);
      },
    });
    expect(result.outcome).toBe('succeeded');
    // The first tick of step 1 (10 s into its window): 20 % of 50 req/s on the canary.
    expect(seen[0]).toMatchObject({
      step: 1,
      steps: 3,
      percent: 20,
      elapsed_ms: 10_000,
      canary: { version: '2', requests: 100, errors: 0 },
      baseline: { version: '1', requests: 400, errors: 0 },
      decision: 'watch',
    });
    expect(typeof (seen[0] as { at: unknown }).at).toBe('string');
    // Step 2's ticks replace step 1's; the record is gone at the end.
    const steps = new Set(seen.map((tick) => (tick as { step: number }).step));
    expect([...steps]).toEqual([1, 2]);
    expect(await readRollout(stateDir)).toBeUndefined();
  });

  it('reads a rollout.json written before ticks were recorded, and drops a malformed tick', async () => {
    const { stateDir, store, ctx } = await setup({ rps: 50, errorRate: {} });
    await setProd(store, { version: '1', weights: { '2': 0.5 } });
    const old = JSON.stringify(interruptedRecord(), null, 2);
    expect(old).not.toContain('last_tick');
    await writeFile(stateLayout(stateDir).rollout, `${old}\n`);
    expect(await readRollout(stateDir)).toEqual(interruptedRecord());
    const status = await releaseStatus(ctx);
    expect(status.rollout).toMatchObject({ state: 'interrupted', step: 2, version: '2' });
    expect(status.rollout).not.toHaveProperty('last_tick');
    await writeFile(
      stateLayout(stateDir).rollout,
      JSON.stringify({ ...interruptedRecord(), last_tick: { step: 'two' } }),
    );
    expect(await readRollout(stateDir)).toEqual(interruptedRecord());
  });

  it('--resume without an interrupted rollout is refused', async () => {
    const { ctx, deps } = await setup({ rps: 50, errorRate: {} });
    await expect(rollout(ctx, { ...OPTIONS, resume: true }, deps)).rejects.toSatisfy((error) =>
      isReleaseError(error, 'rollout.none'),
    );
  });
});

// The local control plane posing as the AWS target (only --alarm cares which it is).
function asAws(cp: ControlPlane): ControlPlane {
  return {
    target: 'aws',
    functionName: cp.functionName,
    latestCodeSha256: () => cp.latestCodeSha256(),
    listVersions: () => cp.listVersions(),
    getAlias: (stage) => cp.getAlias(stage),
    updateAlias: (stage, routing, revision) => cp.updateAlias(stage, routing, revision),
    publishVersion: (input) => cp.publishVersion(input),
    stageUrl: (stage) => cp.stageUrl(stage),
    listApiDeployments: () => cp.listApiDeployments(),
    getApiStage: (stage) => cp.getApiStage(stage),
    updateApiStage: (stage, deployment, expected) => cp.updateApiStage(stage, deployment, expected),
  };
}

function interruptedRecord() {
  return {
    format: ROLLOUT_FORMAT,
    id: 'abc123',
    target: 'local',
    function: 'example',
    version: '2',
    baseline: '1',
    code_sha256: 'sha-2',
    verified: false,
    forced: true,
    schedule: {
      name: 'steps:20,50,100@30s',
      steps: [
        { percent: 20, duration_ms: 30_000 },
        { percent: 50, duration_ms: 30_000 },
        { percent: 100, duration_ms: 0 },
      ],
    },
    options: {
      max_error_rate: 0.01,
      confidence: 0.99,
      max_p99_ratio: 1.5,
      min_requests: 50,
      max_extensions: 3,
      on_inconclusive: 'fail',
      tick_ms: 10_000,
      alarms: [],
    },
    step: 1,
    started_at: '2026-01-01T00:00:00.000Z',
    command: 'release rollout 2',
  } as const;
}
