// The alias move and its history entry are one step: a journal left by a command killed
// between the two is completed or undone by the next release command, which says so.
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReleaseContext } from '../../src/release/context.ts';
import { promote } from '../../src/release/operations/promote.ts';
import { rollback } from '../../src/release/operations/rollback.ts';
import { beginAliasMove, readAliasMove } from '../../src/state/alias-move.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { readHistory } from '../../src/state/history.ts';
import { stateLayout } from '../../src/state/layout.ts';
import { bundle, releaseContext } from './fixture.ts';

let stateDir: string;
let store: LocalFunctionStore;
let reported: string[];

function context(command: string): Promise<ReleaseContext> {
  return releaseContext(stateDir, command, {
    now: () => new Date('2026-01-01T00:00:00.000Z'),
    report: (line) => reported.push(line),
  });
}
const history = () => readHistory(stateLayout(stateDir).history);
const prodVersions = async () =>
  (await history()).filter((e) => e.stage === 'prod').map((e) => `${e.from}→${e.to}`);

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'stagecraft-move-'));
  store = await LocalFunctionStore.open(stateDir);
  reported = [];
  // Three published versions, prod on 1.
  for (const sha of ['a', 'b', 'c']) {
    await store.setLatest(bundle(sha));
    await store.publish(sha);
  }
  await store.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

// What a kill between "alias moved" and "history appended" leaves: the journal and the alias.
async function killedAfterMove(from: string, to: string) {
  const ctx = await context(`release promote ${to} --force`);
  await beginAliasMove(stateDir, {
    stage: 'prod',
    target: 'local',
    function: ctx.controlPlane.functionName,
    from,
    to,
    entry: {
      at: '2026-01-01T00:00:00.000Z',
      user: 'tester',
      command: `release promote ${to} --force`,
      target: 'local',
      function: ctx.controlPlane.functionName,
      action: 'promote',
      stage: 'prod',
      from,
      to,
      forced: true,
    },
  });
}

describe('alias move journal', () => {
  it('moves prod and records it, leaving no journal', async () => {
    await promote(await context('release promote 2 --force'), { version: '2', force: true });
    expect(await prodVersions()).toEqual(['1→2']);
    await expect(access(stateLayout(stateDir).aliasMove)).rejects.toThrow();
  });

  it('completes a move whose history entry was lost, so rollback picks the right version', async () => {
    await promote(await context('release promote 2 --force'), { version: '2', force: true });
    await killedAfterMove('2', '3');
    await store.setAlias('prod', { version: '3' }); // the move happened, the entry did not
    const result = await rollback(await context('release rollback'));
    expect(reported.join('\n')).toMatch(/completed an interrupted `release promote 3 --force`/);
    expect(result.to).toEqual({ version: '2' }); // 3 → 2, not 3 → 1
    expect(await prodVersions()).toEqual(['1→2', '2→3', '3→2']);
    expect(await readAliasMove(stateDir)).toBeUndefined();
  });

  it('undoes an intent whose alias never moved, recording nothing', async () => {
    await killedAfterMove('1', '3');
    await promote(await context('release promote 2 --force'), { version: '2', force: true });
    expect(reported.join('\n')).toMatch(/undid an interrupted .* never moved \(still 1\)/);
    expect(await prodVersions()).toEqual(['1→2']);
  });

  it('does not record twice when the kill came after the append', async () => {
    await killedAfterMove('1', '3');
    await store.setAlias('prod', { version: '3' });
    const journal = await readAliasMove(stateDir);
    await writeFile(stateLayout(stateDir).history, `${JSON.stringify(journal?.entry)}\n`);
    await rollback(await context('release rollback --to 1'), { to: '1' });
    expect(await prodVersions()).toEqual(['1→3', '3→1']);
  });

  it('leaves a refused move without a journal', async () => {
    const ctx = await context('release promote 2 --force');
    await store.setAlias('prod', { version: '3' }); // behind the command's back
    const prod = await ctx.controlPlane.getAlias('prod');
    await store.setAlias('prod', { version: '1' });
    const { moveProd } = await import('../../src/release/operations/move-prod.ts');
    await expect(
      moveProd(
        ctx,
        prod,
        { kind: 'change', action: 'promote', from: prod, to: { version: '2' } },
        {
          forced: true,
        },
      ),
    ).rejects.toThrow(/changed while this command ran/);
    expect(await readAliasMove(stateDir)).toBeUndefined();
    expect(await prodVersions()).toEqual([]);
  });

  it('names a damaged journal and how to recover', async () => {
    await writeFile(stateLayout(stateDir).aliasMove, '{"stage":');
    await expect(
      promote(await context('release promote 2'), { version: '2', force: true }),
    ).rejects.toThrow(/alias-move\.json is not an alias-move record; .*then delete the file/);
    expect(JSON.parse(await readFile(store.aliasesPath, 'utf8')).prod).toEqual({ version: '1' });
  });
});
