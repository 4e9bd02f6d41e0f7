// kill -9 of real `stagecraft release promote … --force` processes at random instants around
// their alias move; after each kill the next release command must find a usable lock, settle
// the interrupted move, and leave alias and history agreeing — so rollback picks the right
// version. Bounded: at most RUNS kills and BUDGET_MS in all.
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalControlPlane } from '../../src/platform/local/control-plane.ts';
import type { ReleaseContext } from '../../src/release/context.ts';
import { publishLatest } from '../../src/release/operations/publish.ts';
import { rollback } from '../../src/release/operations/rollback.ts';
import type { LocalFunctionStore } from '../../src/state/function-store.ts';
import { readHistory } from '../../src/state/history.ts';
import { stateLayout } from '../../src/state/layout.ts';
import { publishedStateDir, releaseContext } from './fixture.ts';
import { killedAfter } from './kill-after.ts';

const BIN = new URL('../../bin/stagecraft', import.meta.url).pathname;
const RUNS = 24;
const MIN_RUNS = 4;
const BUDGET_MS = 40_000;

let stateDir: string;
let store: LocalFunctionStore;
beforeAll(async () => {
  ({ stateDir, store } = await publishedStateDir(3));
});
afterAll(() => rm(stateDir, { recursive: true, force: true }));

/** Runs promote and kills it `delayMs` after its release lock appears (or lets it finish). */
function promoteKilled(version: string, delayMs: number): Promise<'killed' | 'finished'> {
  return killedAfter(
    [BIN, 'release', 'promote', version, '--force', '--state-dir', stateDir],
    stateLayout(stateDir).releaseLock,
    delayMs,
  );
}

function context(command: string): Promise<ReleaseContext> {
  return releaseContext(stateDir, command);
}
const prodOf = async () => (await store.getAliases()).prod.version;
const lastProdEntry = async () =>
  (await readHistory(stateLayout(stateDir).history)).filter((e) => e.stage === 'prod').at(-1);

describe('kill -9 of release commands', () => {
  it('keeps alias and history one step, locks usable, and rollback right', async () => {
    const started = Date.now();
    // The model: prod now, and the stack of versions rollback returns to.
    let prod = '1';
    const stack: string[] = [];
    let runs = 0;
    let killed = 0;
    let journals = 0; // kills that landed inside a move (for KILL9_STATS)
    for (; runs < RUNS && Date.now() - started < BUDGET_MS; runs++) {
      const target = ['1', '2', '3'].filter((v) => v !== prod)[runs % 2] as string;
      // Mostly within the first 40 ms after the lock appears (the move is in there); some later.
      const delay = Math.random() < 0.8 ? Math.random() * 40 : 40 + Math.random() * 200;
      if ((await promoteKilled(target, delay)) === 'killed') killed++;
      if (existsSync(stateLayout(stateDir).aliasMove)) journals++;
      const actual = await prodOf();
      expect([prod, target]).toContain(actual);
      if (actual === target) {
        stack.push(prod);
        prod = target;
      }
      // The next command: rollback when the model knows where to go, else a no-op publish.
      if (stack.length > 0) {
        const result = await rollback(await context('release rollback'));
        prod = stack.pop() as string;
        expect(result.to.version).toBe(prod);
      } else {
        await publishLatest(await context('release publish'));
      }
      expect(await prodOf()).toBe(prod);
      expect((await lastProdEntry())?.to).toBe(prod);
      expect(existsSync(stateLayout(stateDir).aliasMove)).toBe(false);
      expect(existsSync(stateLayout(stateDir).releaseLock)).toBe(false);
    }
    if (process.env.KILL9_STATS) console.log({ runs, killed, journals, ms: Date.now() - started });
    expect(runs).toBeGreaterThanOrEqual(MIN_RUNS);
    expect(killed).toBeGreaterThan(0);
    // Killed writers' temp files are gone once the state dir is opened again.
    await LocalControlPlane.open({ stateDir });
    const leftovers = (await readdir(stateDir, { recursive: true })).filter((name) =>
      /\.(tmp|new|stale)$/.test(String(name)),
    );
    expect(leftovers).toEqual([]);
  }, 120_000);
});
