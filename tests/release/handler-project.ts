// A temp project for the release e2e tests: the cwd of their release commands, with a handler
// entry (fn/handler.ts) that wraps the real handler and says which fixture release it is, served
// by the local stack in a child process (dev-child.ts). The test changes the entry, never src/.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { startDevChild, type DevChild } from './dev-child.ts';

const HANDLER = new URL('../../src/service/handler.ts', import.meta.url).pathname;

/**
 * The real handler, wrapped to say which fixture release it is (header X-Fixture-Release); with
 * `failing`, ids starting `boom` answer 500.
 */
export function handlerSource(release: string, failing = false): string {
  return [
    `import { handler as inner } from ${JSON.stringify(HANDLER)};`,
    'export async function handler(event: Parameters<typeof inner>[0], context: Parameters<typeof inner>[1]) {',
    failing
      ? "  if ((event.pathParameters?.id ?? '').startsWith('boom')) return { statusCode: 500, body: '{\"message\":\"injected\"}' };"
      : '',
    '  const result = await inner(event, context);',
    `  return { ...result, headers: { ...result.headers, 'X-Fixture-Release': ${JSON.stringify(release)} } };`,
    '}',
    '',
  ].join('\n');
}

export interface HandlerProject {
  /** The project dir: cwd of the release commands. */
  readonly root: string;
  /** `ROOT/.stagecraft`. */
  readonly stateDir: string;
  /** `ROOT/fn/handler.ts`, the entry the dev child serves. */
  readonly entry: string;
  readonly dev: DevChild;
  /** Stops the dev child and removes the project. */
  remove(): Promise<void>;
}

/** A project with the handler at release v1 and `files` (name → text), served by a dev child. */
export async function startHandlerProject(
  prefix: string,
  files: Readonly<Record<string, string>> = {},
): Promise<HandlerProject> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const stateDir = join(root, '.stagecraft');
  await mkdir(join(root, 'fn'));
  const entry = join(root, 'fn', 'handler.ts');
  await writeFile(entry, handlerSource('v1'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  let dev: DevChild;
  try {
    dev = await startDevChild(stateDir, entry);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    root,
    stateDir,
    entry,
    dev,
    async remove() {
      await dev.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` every 50 ms until it gives a value; fails after `ms` with the dev child's log. */
export async function until<T>(
  project: HandlerProject | undefined,
  what: string,
  probe: () => Promise<T | undefined>,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}\n${project?.dev.log() ?? ''}`);
}

/** The code sha of $LATEST in `stateDir`. */
export async function latestSha(stateDir: string): Promise<string | undefined> {
  const store = await LocalFunctionStore.open(stateDir);
  return (await store.latest())?.code_sha256;
}

/** Saves a new handler release and waits (`ms` at most) until $LATEST is rebuilt; its sha. */
export async function deploy(
  project: HandlerProject,
  releaseName: string,
  { failing = false, ms }: { failing?: boolean; ms: number },
): Promise<string> {
  const before = await latestSha(project.stateDir);
  await writeFile(project.entry, handlerSource(releaseName, failing));
  return until(
    project,
    `$LATEST rebuilt for ${releaseName}`,
    async () => {
      const sha = await latestSha(project.stateDir);
      return sha !== before ? sha : undefined;
    },
    ms,
  );
}
