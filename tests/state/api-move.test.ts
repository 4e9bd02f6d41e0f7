// A move of prod's API deployment and its history entry are one journalled step (the alias-move
// journal with `subject: 'api'`): what a kill between the stage write and the history append
// leaves is completed by the next release command, and a move that never happened is undone.
import { rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { releaseStatus } from '../../src/release/operations/status.ts';
import { beginAliasMove, readAliasMove } from '../../src/state/alias-move.ts';
import {
  readApiStage,
  recordApiDeployment,
  writeApiStage,
} from '../../src/state/api-deployments.ts';
import { readHistory } from '../../src/state/history.ts';
import { stateLayout } from '../../src/state/layout.ts';
import { FUNCTION_NAME } from '../../src/config/stages.ts';
import { publishedStateDir, recordApiStages, releaseContext } from './fixture.ts';

let stateDir: string;
let reported: string[];

beforeEach(async () => {
  ({ stateDir } = await publishedStateDir(2));
  reported = [];
  await recordApiStages(stateDir);
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

async function journal(): Promise<void> {
  await beginAliasMove(stateDir, {
    stage: 'prod',
    subject: 'api',
    target: 'local',
    function: FUNCTION_NAME,
    from: 'aaaa1111',
    to: 'bbbb2222',
    entry: {
      at: '2026-01-01T00:00:00.000Z',
      user: 'tester',
      command: 'release promote --api-only',
      target: 'local',
      action: 'promote',
      subject: 'api',
      stage: 'prod',
      from: 'aaaa1111',
      to: 'bbbb2222',
      forced: false,
    },
  });
}

const apiEntries = async () =>
  (await readHistory(stateLayout(stateDir).history)).filter((e) => e.subject === 'api');

describe('journalled API moves', () => {
  it('completes a move whose stage write happened before the kill', async () => {
    await journal();
    await writeApiStage(stateDir, 'prod', 'bbbb2222'); // killed right after this
    const ctx = await releaseContext(stateDir, 'release status', {
      report: (line) => reported.push(line),
    });
    // Any release command holding the lock settles it; status only reads, so settle directly.
    const { settlePendingMove } = await import('../../src/release/context.ts');
    await settlePendingMove(ctx);
    expect(reported.join('\n')).toMatch(/completed an interrupted .*prod API aaaa1111 → bbbb2222/);
    expect((await apiEntries()).map((e) => [e.from, e.to])).toEqual([['aaaa1111', 'bbbb2222']]);
    expect(await readAliasMove(stateDir)).toBeUndefined();
  });

  it('undoes a move that never happened, recording nothing', async () => {
    await journal();
    const ctx = await releaseContext(stateDir, 'release status', {
      report: (line) => reported.push(line),
    });
    const { settlePendingMove } = await import('../../src/release/context.ts');
    await settlePendingMove(ctx);
    expect(reported.join('\n')).toMatch(/undid an interrupted .*never moved \(still aaaa1111\)/);
    expect(await apiEntries()).toEqual([]);
    expect(await readApiStage(stateDir, 'prod')).toBe('aaaa1111');
    expect(await readAliasMove(stateDir)).toBeUndefined();
  });
});

describe('a state dir from before API deployments', () => {
  it('opens in release commands with no API (status api: null) until dev records one', async () => {
    const old = await publishedStateDir(1);
    try {
      const status = await releaseStatus(await releaseContext(old.stateDir, 'release status'));
      expect(status.api).toBeNull();
      expect(status.aliases.prod.version).toBe('1');
    } finally {
      await rm(old.stateDir, { recursive: true, force: true });
    }
  });
});

describe("dev's API set-up, interrupted", () => {
  it('a start killed between the deployment file and the stage records completes on the next start', async () => {
    const { recordApi } = await import('../../src/local/api-stages.ts');
    const { apiDefinition, apiDefinitionId } = await import('../../src/service/api-definition.ts');
    const fresh = await publishedStateDir(1);
    try {
      const definition = apiDefinition();
      const id = apiDefinitionId(definition);
      // Killed after the deployment file: no stage records yet.
      await recordApiDeployment(fresh.stateDir, {
        id,
        created_at: '2026-01-01T00:00:00.000Z',
        description: 'interrupted',
        definition,
      });
      expect(await readApiStage(fresh.stateDir, 'prod')).toBeUndefined();
      await recordApi(fresh.stateDir, definition, () => undefined);
      expect(await readApiStage(fresh.stateDir, 'prod')).toBe(id);
      expect(await readApiStage(fresh.stateDir, 'staging')).toBe(id);
      // Killed after prod's record, before staging's: staging is completed, prod kept.
      await rm(stateLayout(fresh.stateDir).api.stage('staging'));
      await recordApi(fresh.stateDir, definition, () => undefined);
      expect(await readApiStage(fresh.stateDir, 'staging')).toBe(id);
      expect(await readApiStage(fresh.stateDir, 'prod')).toBe(id);
    } finally {
      await rm(fresh.stateDir, { recursive: true, force: true });
    }
  });
});
