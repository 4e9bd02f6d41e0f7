// Where the rollout (issue 13) meets API deployments (issue 15): promote and rollback on a state
// dir where both exist, on the local control plane of a temp state dir with a fake clock.
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isReleaseError } from '../../src/errors.ts';
import { promote } from '../../src/release/operations/promote.ts';
import { rollback } from '../../src/release/operations/rollback.ts';
import { rollout, type RolloutOptions } from '../../src/release/operations/rollout.ts';
import { releaseStatus } from '../../src/release/operations/status.ts';
import { DEFAULT_JUDGEMENT } from '../../src/release/rollout/judgement.ts';
import { parseSchedule } from '../../src/release/rollout/schedule.ts';
import { readApiStage } from '../../src/state/api-deployments.ts';
import { readHistory } from '../../src/state/history.ts';
import { stateLayout } from '../../src/state/layout.ts';
import {
  acquireRolloutLock,
  readRollout,
  ROLLOUT_FORMAT,
  type RolloutRecord,
  writeRollout,
} from '../../src/state/rollout.ts';
import { publishedStateDir, recordApiStages, releaseContext } from '../state/fixture.ts';
import { runCli } from './cli-helpers.ts';
import { healthyMetrics } from './rollout/synthetic-metrics.ts';

let dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  dirs = [];
});

// Versions 1..3, prod on 1; API deployments aaaa1111 (prod) and bbbb2222 (staging).
async function setup() {
  const { stateDir, store } = await publishedStateDir(3);
  dirs.push(stateDir);
  await recordApiStages(stateDir);
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const now = () => new Date(clock);
  const ctx = (command: string) => releaseContext(stateDir, command, { now });
  return { stateDir, store, ctx, sleep: async (ms: number) => void (clock += ms) };
}

const ROLLOUT: RolloutOptions = {
  version: '3',
  force: true,
  schedule: parseSchedule({ steps: '20,100', interval: '30s' }),
  judgement: DEFAULT_JUDGEMENT,
  tickMs: 10_000,
};

// An interrupted rollout of 3 over 2 that has not moved prod yet.
function interruptedRecord(): RolloutRecord {
  return {
    format: ROLLOUT_FORMAT,
    id: 'r0110e7',
    target: 'local',
    function: 'example',
    version: '3',
    baseline: '2',
    code_sha256: 'sha-3',
    verified: false,
    forced: true,
    schedule: { name: 'steps 20,100 every 30s', steps: [{ percent: 20, duration_ms: 30_000 }] },
    options: { tick_ms: 10_000 },
    step: 0,
    started_at: '2026-01-01T00:00:00.000Z',
    command: 'release rollout 3',
  };
}

describe('rollout × API deployments', () => {
  it('rollback after a completed rollout moves the code back and leaves the API a promote moved', async () => {
    const { store, ctx, sleep, stateDir } = await setup();
    // promote moves both: code 1 → 2, API aaaa1111 → bbbb2222 (one release_id)
    const promoted = await promote(await ctx('release promote 2 --force'), {
      version: '2',
      force: true,
    });
    expect(promoted.api).toMatchObject({ changed: true, to: 'bbbb2222' });
    const result = await rollout(await ctx('release rollout 3'), ROLLOUT, {
      metrics: healthyMetrics(store),
      sleep,
    });
    expect(result.outcome).toBe('succeeded');
    expect((await store.readAliases())?.prod).toEqual({ version: '3' });
    // The rollout moved code only, so rolling it back moves code only.
    const back = await rollback(await ctx('release rollback'));
    expect(back.to).toEqual({ version: '2' });
    expect(back.api).toBeUndefined();
    expect(await readApiStage(stateDir, 'prod')).toBe('bbbb2222');
  });

  it('rollback during a canary of a rollout aborts it and leaves the API', async () => {
    const { store, ctx, stateDir } = await setup();
    await promote(await ctx('release promote 2 --force'), { version: '2', force: true });
    // A rollout killed mid-step: prod 2 + 3@20 %, its record left behind.
    await store.setAliases({
      staging: { version: '$LATEST' },
      prod: { version: '2', weights: { '3': 0.2 } },
    });
    await writeRollout(stateDir, interruptedRecord());
    const back = await rollback(await ctx('release rollback'));
    expect(back.action).toBe('abort');
    expect(back.to).toEqual({ version: '2' });
    expect(back.rollout).toMatchObject({ state: 'interrupted' });
    expect(back.api).toBeUndefined();
    expect(await readApiStage(stateDir, 'prod')).toBe('bbbb2222');
    expect(await readRollout(stateDir)).toBeUndefined();
  });

  it('promote --api-only is refused while a rollout is interrupted, and changes nothing', async () => {
    const { store, ctx, stateDir } = await setup();
    await promote(await ctx('release promote 2 --code-only --force'), {
      version: '2',
      force: true,
      codeOnly: true,
    });
    await writeRollout(stateDir, interruptedRecord());
    const error = await promote(await ctx('release promote --api-only --force'), {
      apiOnly: true,
      force: true,
    }).catch((e: unknown) => e);
    expect(isReleaseError(error, 'rollout.running')).toBe(true);
    expect((error as Error).message).toMatch(/rollout --resume|release rollback/);
    expect(await readApiStage(stateDir, 'prod')).toBe('aaaa1111');
    expect((await store.readAliases())?.prod).toEqual({ version: '2' });
  });

  it('promote (code and API) is refused while a rollout runs, even before its first move', async () => {
    const { store, ctx, stateDir } = await setup();
    await promote(await ctx('release promote 2 --code-only --force'), {
      version: '2',
      force: true,
      codeOnly: true,
    });
    // This process holds rollout.lock: the rollout is running, prod not moved yet.
    const lock = await acquireRolloutLock(stateDir, 'release rollout 3');
    try {
      await writeRollout(stateDir, interruptedRecord());
      for (const options of [
        { version: '3', force: true },
        { apiOnly: true, force: true },
      ]) {
        const error = await promote(await ctx('release promote'), options).catch((e: unknown) => e);
        expect(isReleaseError(error, 'rollout.running')).toBe(true);
      }
    } finally {
      await lock.release();
    }
    expect((await store.readAliases())?.prod).toEqual({ version: '2' });
    expect(await readApiStage(stateDir, 'prod')).toBe('aaaa1111');
  });

  it('rollback --api-only with an interrupted rollout that never moved prod rolls the API back', async () => {
    const { store, ctx, stateDir } = await setup();
    await promote(await ctx('release promote 2 --force'), { version: '2', force: true });
    expect(await readApiStage(stateDir, 'prod')).toBe('bbbb2222');
    await writeRollout(stateDir, interruptedRecord());
    const back = await rollback(await ctx('release rollback --api-only'), { apiOnly: true });
    expect(back.api).toEqual({ changed: true, from: 'bbbb2222', to: 'aaaa1111' });
    expect(await readApiStage(stateDir, 'prod')).toBe('aaaa1111');
    // --api-only touches neither the code nor the rollout.
    expect((await store.readAliases())?.prod).toEqual({ version: '2' });
    expect(await readRollout(stateDir)).toMatchObject({ id: 'r0110e7' });
  });

  it('status shows both the API deployments and the rollout', async () => {
    const { ctx, stateDir, store } = await setup();
    await promote(await ctx('release promote 2 --code-only --force'), {
      version: '2',
      force: true,
      codeOnly: true,
    });
    await store.setAliases({
      staging: { version: '$LATEST' },
      prod: { version: '2', weights: { '3': 0.2 } },
    });
    await writeRollout(stateDir, interruptedRecord());
    const status = await releaseStatus(await ctx('release status'));
    expect(status.api?.prod.deployment).toBe('aaaa1111');
    expect(status.api?.staging.deployment).toBe('bbbb2222');
    expect(status.rollout).toMatchObject({ state: 'interrupted', version: '3', step: 1 });
    const history = await readHistory(stateLayout(stateDir).history);
    expect(history.some((e) => e.subject === 'api')).toBe(false);
    // The human answer lists each stage's API deployment and the interrupted rollout.
    const text = await runCli(['release', 'status', '--state-dir', stateDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/prod\s+→ aaaa1111 .*not verified/);
    expect(text.stdout).toMatch(/staging\s+→ bbbb2222/);
    expect(text.stdout).toMatch(/rollout interrupted at step 1 of 1: .*version 3 over 2/);
    // --json carries both.
    const json = await runCli(['release', 'status', '--json', '--state-dir', stateDir]);
    const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(parsed.api).toMatchObject({ prod: { deployment: 'aaaa1111' } });
    expect(parsed.rollout).toMatchObject({ state: 'interrupted', id: 'r0110e7', percent: 20 });
  });

  it('a rollout whose prod was changed behind its back before its first step stops, leaving it', async () => {
    const { store, ctx, sleep } = await setup();
    await promote(await ctx('release promote 2 --code-only --force'), {
      version: '2',
      force: true,
      codeOnly: true,
    });
    // Another machine (its own state dir, so no shared lock) promotes 1 on prod between the
    // rollout's start (baseline 2 read) and its first alias move.
    const base = await ctx('release rollout 3');
    const cp = base.controlPlane;
    let reads = 0;
    const getAlias: typeof cp.getAlias = async (stage) => {
      if (stage === 'prod' && ++reads === 2) {
        await store.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
      }
      return cp.getAlias(stage);
    };
    // The local control plane keeps private fields: every other method is bound to it.
    const controlPlane = new Proxy(cp, {
      get(target, key) {
        if (key === 'getAlias') return getAlias;
        const value: unknown = Reflect.get(target, key);
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const result = await rollout({ ...base, controlPlane }, ROLLOUT, {
      metrics: healthyMetrics(store),
      sleep,
    });
    expect(result.outcome).toBe('stopped');
    expect((await store.readAliases())?.prod).toEqual({ version: '1' });
  });

  it("a rollout recorded for the other target is neither ended by this target's rollback nor blocks its promote", async () => {
    const { store, ctx, stateDir } = await setup();
    await promote(await ctx('release promote 2 --code-only --force'), {
      version: '2',
      force: true,
      codeOnly: true,
    });
    // An interrupted rollout on AWS (prod there mid-canary), recorded in the same state dir.
    await writeRollout(stateDir, { ...interruptedRecord(), target: 'aws', baseline: '7' });
    const back = await rollback(await ctx('release rollback --code-only'), { codeOnly: true });
    expect(back.to).toEqual({ version: '1' });
    expect(back.rollout).toBeUndefined();
    expect(await readRollout(stateDir)).toMatchObject({ id: 'r0110e7', target: 'aws' });
    const history = await readHistory(stateLayout(stateDir).history);
    expect(history.filter((e) => e.action === 'rollout')).toEqual([]);
    const promoted = await promote(await ctx('release promote 2 --code-only --force'), {
      version: '2',
      force: true,
      codeOnly: true,
    });
    expect(promoted.changed).toBe(true);
    expect((await store.readAliases())?.prod).toEqual({ version: '2' });
  });
});
