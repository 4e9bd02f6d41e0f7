// Issue 15 end to end: an API change is staged like code. `stagecraft dev` runs on a copy of
// the project (watch mode on), the test edits the copy's src/service/routes.ts, and the
// release commands run against it over HTTP.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, type DevProcess, eventually, spawnDev, tempDir } from '../local/helpers.ts';
import { runCli } from './cli-helpers.ts';

let project: Awaited<ReturnType<typeof copyProject>>;
let state: Awaited<ReturnType<typeof tempDir>>;
let dev: DevProcess;
let stateDir: string;

beforeAll(async () => {
  project = await copyProject();
  state = await tempDir();
  stateDir = join(state.dir, 'state');
  dev = await spawnDev(['--state-dir', stateDir], { root: project.root, timeoutMs: 120_000 });
}, 180_000);

afterAll(async () => {
  if (dev !== undefined) expect(await dev.stop()).toBe(0);
  await project?.remove();
  await state?.remove();
});

interface ApiStatus {
  readonly deployment: string;
  readonly created_at: string;
  readonly description: string;
  readonly verified: boolean;
}

async function release(...args: string[]) {
  return runCli(['release', ...args, '--state-dir', stateDir, '--json'], project.root);
}

async function apiStatus(): Promise<{ staging: ApiStatus; prod: ApiStatus }> {
  const result = await release('status');
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { api: { staging: ApiStatus; prod: ApiStatus } }).api;
}

async function post(stage: string, name: string, id = 'apiE2eUser01') {
  const response = await fetch(`${dev.url}/${stage}/user/${id}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return {
    status: response.status,
    errorType: response.headers.get('x-amzn-errortype'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

const INVALID_BODY = { error: 'Invalid request body', message: 'Invalid request body' };

describe('API deployments on the local target (issue 15)', () => {
  let initial: string;
  let changed: string;

  it('starts both stages on one deployment, enforcing its request model', async () => {
    const api = await apiStatus();
    initial = api.prod.deployment;
    expect(api.staging.deployment).toBe(initial);
    expect(api.prod.description).toMatch(/^stagecraft dev: 3 routes/);
    expect((await post('staging', 'A')).status).toBe(201);
    // Not JSON: the gateway's own answer, before the function (which would name the field).
    const notJson = await fetch(`${dev.url}/staging/user/apiE2eUser01`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":',
    });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(await notJson.json()).toEqual(INVALID_BODY);
  });

  it('a model change in routes.ts is a new staging deployment; prod keeps the old one', async () => {
    const routes = join(project.root, 'src/service/routes.ts');
    const source = await readFile(routes, 'utf8');
    const edited = source.replace(
      "name: { type: 'string', required: true, minLength: 1, maxLength: 256 }",
      "name: { type: 'string', required: true, minLength: 2, maxLength: 256 }",
    );
    expect(edited).not.toBe(source);
    await writeFile(routes, edited);
    await eventually(async () => (await apiStatus()).staging.deployment !== initial, 60_000);
    const api = await apiStatus();
    changed = api.staging.deployment;
    expect(api.prod.deployment).toBe(initial);
    expect(api.staging.verified).toBe(false);

    // Each stage enforces its own snapshot's model: staging refuses a 1-character name at the
    // gateway (API Gateway's BAD_REQUEST_BODY, as customised), prod still accepts it.
    await eventually(async () => (await post('staging', 'B')).status === 400, 20_000);
    const staging = await post('staging', 'B');
    expect(staging).toEqual({ status: 400, errorType: 'BadRequestException', body: INVALID_BODY });
    const prod = await post('prod', 'B', 'apiE2eUser02');
    expect(prod.status).toBe(201);
    expect(prod.body).toMatchObject({ name: 'B' });
  }, 120_000);

  it('refuses to promote the unverified API deployment without --force', async () => {
    const apiOnly = await release('promote', '--api-only');
    expect(apiOnly.code).toBe(1);
    expect(JSON.parse(apiOnly.stdout)).toMatchObject({
      error: { code: 'promote.unverified-api' },
    });
    expect((await apiStatus()).prod.deployment).toBe(initial);
  });

  it('verify → promote moves both stages onto the new deployment', async () => {
    const verified = await release('verify');
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect((await apiStatus()).staging.verified).toBe(true);

    const promoted = await release('promote');
    expect(promoted.code, promoted.stdout + promoted.stderr).toBe(0);
    expect(JSON.parse(promoted.stdout)).toMatchObject({
      changed: true,
      api: { changed: true, from: initial, to: changed, verified: true, forced: false },
    });
    const api = await apiStatus();
    expect(api.prod.deployment).toBe(changed);
    expect(api.staging.deployment).toBe(changed);
    const human = await runCli(['release', 'status', '--state-dir', stateDir], project.root);
    expect(human.stdout).toMatch(new RegExp(`staging +→ ${changed} .* verified`));
    expect(human.stdout).toMatch(new RegExp(`prod +→ ${changed} .* verified`));
    await eventually(async () => (await post('prod', 'C', 'apiE2eUser03')).status === 400, 10_000);
    expect(await post('prod', 'C', 'apiE2eUser03')).toEqual({
      status: 400,
      errorType: 'BadRequestException',
      body: INVALID_BODY,
    });
  }, 180_000);

  it('rollback puts prod back on the old deployment (and the old code), recorded in history', async () => {
    const rolled = await release('rollback');
    expect(rolled.code, rolled.stdout + rolled.stderr).toBe(0);
    expect(JSON.parse(rolled.stdout)).toMatchObject({
      changed: true,
      to: { version: '1' },
      api: { from: changed, to: initial },
    });
    expect((await apiStatus()).prod.deployment).toBe(initial);
    await eventually(async () => (await post('prod', 'D', 'apiE2eUser04')).status === 201, 10_000);

    const history = JSON.parse((await release('history')).stdout) as {
      entries: Record<string, unknown>[];
    };
    const apiMoves = history.entries.filter((entry) => entry.subject === 'api');
    expect(apiMoves.map((e) => [e.action, e.from, e.to])).toEqual([
      ['promote', initial, changed],
      ['rollback', changed, initial],
    ]);
  }, 60_000);
});
