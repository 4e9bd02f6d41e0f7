// A state dir as `stagecraft dev` leaves it after its first start, plus further versions (and,
// for tests of API deployments, two recorded deployments on prod and staging).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LambdaBundle } from '../../src/config/bundle-layout.ts';
import { LocalControlPlane } from '../../src/platform/local/control-plane.ts';
import type { ReleaseContext } from '../../src/release/context.ts';
import { SILENT_PROGRESS } from '../../src/release/progress.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { recordApiDeployment, writeApiStage } from '../../src/state/api-deployments.ts';
import { appendHistory } from '../../src/state/history.ts';
import { stateLayout } from '../../src/state/layout.ts';

export function bundle(sha: string): LambdaBundle {
  const code = new TextEncoder().encode(`export const handler = async () => '${sha}';`);
  return { code, zip: new Uint8Array(), codeSha256: sha };
}

/** A release context on the local control plane of `stateDir`, as a command line would open it. */
export async function releaseContext(
  stateDir: string,
  command: string,
  options: { now?: () => Date; report?: (line: string) => void } = {},
): Promise<ReleaseContext> {
  return {
    controlPlane: await LocalControlPlane.open({ stateDir }),
    stateDir,
    projectDir: stateDir,
    commandLine: command,
    user: 'tester',
    now: options.now ?? (() => new Date()),
    progress: SILENT_PROGRESS,
    report: options.report ?? (() => undefined),
  };
}

/** A state dir with `versions` published versions, staging → $LATEST, prod → 1. */
export async function publishedStateDir(versions = 3): Promise<{
  stateDir: string;
  store: LocalFunctionStore;
}> {
  const stateDir = await mkdtemp(join(tmpdir(), 'stagecraft-statedir-'));
  const store = await LocalFunctionStore.open(stateDir);
  for (let n = 1; n <= versions; n++) {
    await store.setLatest(bundle(`sha-${n}`));
    await store.publish(`v${n}`);
  }
  await appendHistory(stateLayout(stateDir).history, {
    at: new Date().toISOString(),
    user: 'tester',
    command: 'dev',
    stage: 'prod',
    to: '1',
    forced: false,
    first_start: true,
  });
  await store.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
  return { stateDir, store };
}

/** Records API deployments aaaa1111 (on prod) and bbbb2222 (on staging) in `stateDir`. */
export async function recordApiStages(stateDir: string): Promise<void> {
  for (const id of ['aaaa1111', 'bbbb2222']) {
    await recordApiDeployment(stateDir, {
      id,
      created_at: '2026-01-01T00:00:00.000Z',
      description: id,
      definition: { format: 1, routes: [], gateway_responses: {}, binary_media_types: [] },
    });
  }
  await writeApiStage(stateDir, 'prod', 'aaaa1111');
  await writeApiStage(stateDir, 'staging', 'bbbb2222');
}
