// kill -9 at random instants of real processes writing the new state files: `release promote
// --api-only` (prod's API move through the alias-move journal) and `release rollout` (rollout.json
// rewritten every tick, rollout.lock, alias moves per step). After every kill the state dir must
// read cleanly (no state.corrupt from a torn file), the next command must settle what was left,
// and the prod alias / API stage must agree with the history. Bounded: RUNS kills each, BUDGET_MS.
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { formatRouting } from '../../src/platform/alias.ts';
import { LocalControlPlane } from '../../src/platform/local/control-plane.ts';
import { promote } from '../../src/release/operations/promote.ts';
import { rollback } from '../../src/release/operations/rollback.ts';
import { releaseStatus } from '../../src/release/operations/status.ts';
import { readApiStage } from '../../src/state/api-deployments.ts';
import { readHistory } from '../../src/state/history.ts';
import { stateLayout } from '../../src/state/layout.ts';
import { readRollout } from '../../src/state/rollout.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { runRollout } from '../fixtures/state/rollout-ticker.ts';
import { publishedStateDir, recordApiStages, releaseContext } from './fixture.ts';
import { killedAfter } from './kill-after.ts';

const BIN = new URL('../../bin/stagecraft', import.meta.url).pathname;
const TICKER = new URL('../fixtures/state/rollout-ticker.ts', import.meta.url).pathname;
const RUNS = 16;
const MIN_RUNS = 4;
const BUDGET_MS = 45_000;

let dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  dirs = [];
});

async function leftovers(stateDir: string): Promise<string[]> {
  await LocalControlPlane.open({ stateDir });
  return (await readdir(stateDir, { recursive: true }))
    .map(String)
    .filter((name) => /\.(tmp|new|stale)$/.test(name) || name.split('/').at(-1)?.startsWith('.'));
}

describe('kill -9 of API moves', () => {
  it('leaves prod API stage and history one step, and rollback --api-only right', async () => {
    const { stateDir } = await publishedStateDir(2);
    dirs.push(stateDir);
    await recordApiStages(stateDir);
    const apiEntries = async () =>
      (await readHistory(stateLayout(stateDir).history)).filter(
        (e) => e.subject === 'api' && e.stage === 'prod',
      );
    const started = Date.now();
    let runs = 0;
    let killed = 0;
    let journals = 0;
    for (; runs < RUNS && Date.now() - started < BUDGET_MS; runs++) {
      const delay = Math.random() < 0.8 ? Math.random() * 15 : 15 + Math.random() * 60;
      const args = [BIN, 'release', 'promote', '--api-only', '--force', '--state-dir', stateDir];
      if ((await killedAfter(args, stateLayout(stateDir).releaseLock, delay)) === 'killed') {
        killed++;
      }
      if (existsSync(stateLayout(stateDir).aliasMove)) journals++;
      // Whatever the kill left reads cleanly and is one of the two.
      const status = await releaseStatus(await releaseContext(stateDir, 'release status'));
      expect(['aaaa1111', 'bbbb2222']).toContain(status.api?.prod.deployment);
      // The next release command settles the journal; then stage and history agree.
      const ctx = await releaseContext(stateDir, 'release rollback --api-only');
      const moved = (await readApiStage(stateDir, 'prod')) === 'bbbb2222';
      if (moved) {
        const result = await rollback(ctx, { apiOnly: true });
        expect(result.api).toMatchObject({ from: 'bbbb2222', to: 'aaaa1111' });
      } else {
        // Nothing to roll back: promote once more, uninterrupted, to settle and move.
        await promote(ctx, { apiOnly: true, force: true });
        expect(await readApiStage(stateDir, 'prod')).toBe('bbbb2222');
        await rollback(await releaseContext(stateDir, 'release rollback'), { apiOnly: true });
      }
      expect(await readApiStage(stateDir, 'prod')).toBe('aaaa1111');
      expect((await apiEntries()).at(-1)?.to).toBe('aaaa1111');
      expect(existsSync(stateLayout(stateDir).aliasMove)).toBe(false);
      expect(existsSync(stateLayout(stateDir).releaseLock)).toBe(false);
    }
    if (process.env.KILL9_STATS) console.log({ runs, killed, journals, ms: Date.now() - started });
    expect(runs).toBeGreaterThanOrEqual(MIN_RUNS);
    expect(killed).toBeGreaterThan(0);
    // Every move in the history is a real one, alternating promote / rollback.
    const entries = await apiEntries();
    for (const [index, entry] of entries.entries()) {
      expect([entry.from, entry.to]).toEqual(
        index % 2 === 0 ? ['aaaa1111', 'bbbb2222'] : ['bbbb2222', 'aaaa1111'],
      );
    }
    expect(await leftovers(stateDir)).toEqual([]);
  }, 120_000);
});

describe('kill -9 of rollout ticks', () => {
  it('leaves a readable rollout.json that rollback ends or --resume completes', async () => {
    const started = Date.now();
    let runs = 0;
    let killed = 0;
    let interrupted = 0;
    for (; runs < RUNS && Date.now() - started < BUDGET_MS; runs++) {
      const { stateDir } = await publishedStateDir(2);
      dirs.push(stateDir);
      const store = await LocalFunctionStore.open(stateDir);
      const delay = Math.random() * 250;
      const args = ['--import', 'tsx', TICKER, stateDir];
      if ((await killedAfter(args, stateLayout(stateDir).rolloutLock, delay)) === 'killed') {
        killed++;
      }
      // Never torn: the record is absent or whole.
      const record = await readRollout(stateDir);
      const status = await releaseStatus(await releaseContext(stateDir, 'release status'));
      const prodNow = formatRouting((await store.getAliases()).prod, 'compact');
      expect(['1', '1+2@20%', '1+2@50%', '2']).toContain(prodNow);
      if (record === undefined) {
        expect(status.rollout).toBeNull();
      } else {
        interrupted++;
        expect(status.rollout).toMatchObject({ state: 'interrupted', version: '2', baseline: '1' });
      }
      if (runs % 2 === 0 && (record !== undefined || prodNow !== '1')) {
        // rollback: prod back on 1, the rollout ended
        await rollback(await releaseContext(stateDir, 'release rollback'));
        expect((await store.getAliases()).prod).toEqual({ version: '1' });
      } else if (record !== undefined) {
        // --resume: completes on 2
        const result = await runRollout(stateDir, true);
        expect(result.outcome).toBe('succeeded');
        expect((await store.getAliases()).prod).toEqual({ version: '2' });
      }
      expect(await readRollout(stateDir)).toBeUndefined();
      expect(existsSync(stateLayout(stateDir).aliasMove)).toBe(false);
      // The history's last prod move is where prod is.
      const history = await readHistory(stateLayout(stateDir).history);
      const lastMove = history.filter((e) => e.stage === 'prod' && e.action !== 'rollout').at(-1);
      expect(lastMove?.to).toBe(formatRouting((await store.getAliases()).prod, 'compact'));
      expect(await leftovers(stateDir)).toEqual([]);
    }
    if (process.env.KILL9_STATS) {
      console.log({ runs, killed, interrupted, ms: Date.now() - started });
    }
    expect(runs).toBeGreaterThanOrEqual(MIN_RUNS);
    expect(killed).toBeGreaterThan(0);
  }, 150_000);
});
