// kill -9 of `stagecraft dev` between a keyed write and its answer, then a retry with the same
// key on a restarted server (same state dir): the write applied once and the retry gets the
// answer the first request would have sent, then the same bytes again, replayed.
//
// The hold is patched into a throwaway copy of the project (as dev-e2e.test.ts does), so the
// shipped handler carries no test hook: right after the write, before the answer is stored, the
// copy's run.ts waits far longer than the test. The restart runs the unpatched source.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, eventually, spawnDev, type DevProcess } from './helpers.ts';
import { postJson, send, type Answer } from './writes-http.ts';

// The line of run.ts that performs the write; the hold goes right after it.
const WRITE_LINE = 'reply = recovered ?? (await write.run(token, requestedAt));';
const HOLD = `\n    await new Promise((resolve) => setTimeout(resolve, 120_000)); // test-only hold`;

let project: Awaited<ReturnType<typeof copyProject>>;
let runPath: string;
let original: string;
const running = new Set<DevProcess>();

beforeAll(async () => {
  project = await copyProject();
  runPath = join(project.root, 'src/service/idempotency/run.ts');
  original = await readFile(runPath, 'utf8');
  // If run.ts changes shape, fail here rather than test nothing.
  expect(original.split(WRITE_LINE)).toHaveLength(2);
});
afterAll(async () => {
  for (const dev of running) dev.child.kill('SIGKILL');
  await project.remove();
});

async function startDev(stateDir: string, hold: boolean): Promise<DevProcess> {
  await writeFile(runPath, hold ? original.replace(WRITE_LINE, WRITE_LINE + HOLD) : original);
  const dev = await spawnDev(['--state-dir', stateDir, '--no-watch'], { root: project.root });
  running.add(dev);
  return dev;
}

async function kill9(dev: DevProcess): Promise<void> {
  dev.child.kill('SIGKILL');
  expect(await dev.exited).toBe('SIGKILL');
  running.delete(dev);
}

/**
 * Retries `attempt` while it answers 409 (the dead request's lease, function timeout + 5 s, has
 * not run out yet), waiting as Retry-After says; bounded at 40 s.
 */
async function retryPastLease(attempt: () => Promise<Answer>): Promise<Answer> {
  const until = Date.now() + 40_000;
  for (;;) {
    const answer = await attempt();
    if (answer.status !== 409 || Date.now() > until) return answer;
    const seconds = Number(answer.headers['retry-after']);
    expect(seconds).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}

describe('Idempotency-Key across kill -9 between the write and the answer', () => {
  it('POST (update and create): one write; the retry gets the answer the first would have sent, then its replay', async () => {
    const stateDir = join(project.root, 'state-post');
    const path = '/staging/user/crashidem01';
    const key = { 'Idempotency-Key': '"crash-post-1"' };
    const createPath = '/staging/user/crashidem03';
    const createKey = { 'Idempotency-Key': 'crash-create-1' };
    const first = await startDev(stateDir, true);
    expect((await postJson(first.url, path, { name: 'before' })).status).toBe(201);

    // No answer ever comes for this one: the server dies while it holds.
    const lost = postJson(first.url, path, { name: 'after' }, key).then(
      (answer) => answer,
      (error: unknown) => error,
    );
    const lostCreate = postJson(first.url, createPath, { name: 'new' }, createKey).then(
      (answer) => answer,
      (error: unknown) => error,
    );
    let written: Answer | undefined;
    let created: Answer | undefined;
    await eventually(async () => {
      written = await send(first.url, 'GET', path);
      created = await send(first.url, 'GET', createPath);
      return written.json?.lock_version === 2 && created.json?.lock_version === 1;
    }, 20_000);
    // While the first request holds its key: the same request is told to wait (409,
    // Retry-After), another request under the key is refused (422); neither writes.
    const busy = await postJson(first.url, path, { name: 'after' }, key);
    expect(busy.status).toBe(409);
    expect(Number(busy.headers['retry-after'])).toBeGreaterThan(0);
    expect((await postJson(first.url, path, { name: 'other' }, key)).status).toBe(422);
    await kill9(first);
    expect(await lost).toBeInstanceOf(Error);
    expect(await lostCreate).toBeInstanceOf(Error);

    const second = await startDev(stateDir, false);
    const retry = await retryPastLease(() => postJson(second.url, path, { name: 'after' }, key));
    // The answer of the write that applied before the crash: 200, the user at version 2 (the
    // same bytes a GET of it gave while the first request held), its ETag.
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(written?.text);
    expect(retry.json).toMatchObject({ name: 'after', lock_version: 2 });
    expect(retry.headers.etag).toBe('"2"');
    expect(retry.headers['idempotent-replayed']).toBe('true');

    const replay = await postJson(second.url, path, { name: 'after' }, key);
    expect(replay.status).toBe(200);
    expect(replay.bytes.equals(retry.bytes)).toBe(true);
    expect(replay.headers.etag).toBe(retry.headers.etag);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    // Exactly one write: version 1 → 2, nothing more; no marker leaks into the user.
    const after = await send(second.url, 'GET', path);
    expect(after.text).toBe(written?.text);
    expect(Object.keys(after.json ?? {}).sort()).toEqual(
      ['created_at', 'id', 'lock_version', 'name', 'updated_at'].sort(),
    );

    // The lost create: 201 (this key's write created the user), version 1, its bytes, once.
    const createRetry = await postJson(second.url, createPath, { name: 'new' }, createKey);
    expect(createRetry.status).toBe(201);
    expect(createRetry.text).toBe(created?.text);
    expect(createRetry.headers.etag).toBe('"1"');
    const createReplay = await postJson(second.url, createPath, { name: 'new' }, createKey);
    expect(createReplay.status).toBe(201);
    expect(createReplay.bytes.equals(createRetry.bytes)).toBe(true);
    expect(createReplay.headers['idempotent-replayed']).toBe('true');
    expect((await send(second.url, 'GET', createPath)).text).toBe(created?.text);
    expect(await second.stop()).toBe(0);
    running.delete(second);
  }, 60_000);

  it('DELETE: the retry after the crash answers 204 (not 404), then replays it', async () => {
    const stateDir = join(project.root, 'state-delete');
    const path = '/staging/user/crashidem02';
    const key = { 'Idempotency-Key': 'crash-delete-1' };
    const first = await startDev(stateDir, true);
    expect((await postJson(first.url, path, { name: 'doomed' })).status).toBe(201);

    const lost = send(first.url, 'DELETE', path, { headers: key }).then(
      (answer) => answer,
      (error: unknown) => error,
    );
    await eventually(async () => (await send(first.url, 'GET', path)).status === 404, 20_000);
    await kill9(first);
    expect(await lost).toBeInstanceOf(Error);

    const second = await startDev(stateDir, false);
    const retry = await retryPastLease(() => send(second.url, 'DELETE', path, { headers: key }));
    expect(retry.status).toBe(204);
    expect(retry.bytes.length).toBe(0);
    expect(retry.headers['idempotent-replayed']).toBe('true');

    const replay = await send(second.url, 'DELETE', path, { headers: key });
    expect(replay.status).toBe(204);
    expect(replay.bytes.length).toBe(0);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // Without the key the same DELETE is a new request, and the user is gone.
    expect((await send(second.url, 'DELETE', path)).status).toBe(404);
    expect(await second.stop()).toBe(0);
    running.delete(second);
  }, 60_000);
});
