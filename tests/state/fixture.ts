// A state dir as `stagecraft dev` leaves it after its first start, plus further versions.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LambdaBundle } from '../../src/config/bundle-layout.ts';
import { LocalControlPlane } from '../../src/platform/local/control-plane.ts';
import type { ReleaseContext } from '../../src/release/context.ts';
import { SILENT_PROGRESS } from '../../src/release/progress.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
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
