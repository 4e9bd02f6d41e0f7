// Idempotency-Key over HTTP against `stagecraft dev` (gateway, handler bundle, dynalite): the
// header reaches the function, answers replay byte for byte, concurrent duplicates apply once,
// malformed keys are refused, keys are scoped per stage and user, and 4xx answers are stored too.
// (409 while running and the kill -9 case: idempotency-crash.test.ts.)
import { describe, expect, it } from 'vitest';
import { devForSuite } from './helpers.ts';
import { postJson, send } from './writes-http.ts';

const dev = devForSuite();

describe('Idempotency-Key over HTTP', () => {
  it('replays the answer byte for byte with Idempotent-Replayed: true; 422 for another body', async () => {
    const path = '/staging/user/idemhttp01';
    const first = await postJson(
      dev().url,
      path,
      { name: 'Ada' },
      { 'Idempotency-Key': '"order-1"' },
    );
    expect(first.status).toBe(201);
    const again = await postJson(
      dev().url,
      path,
      { name: 'Ada' },
      { 'Idempotency-Key': 'order-1' },
    );
    expect(again.status).toBe(201);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await postJson(
      dev().url,
      path,
      { name: 'Eve' },
      { 'Idempotency-Key': 'order-1' },
    );
    expect(other.status).toBe(422);
    expect((await send(dev().url, 'GET', path)).json?.lock_version).toBe(1);
  }, 60_000);

  it('20 concurrent duplicates apply once: each answer is the write or 409 with Retry-After', async () => {
    const path = '/staging/user/idemhttp02';
    await postJson(dev().url, path, { name: 'before' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        postJson(dev().url, path, { name: 'once' }, { 'Idempotency-Key': 'dup-1' }),
      ),
    );
    for (const answer of answers) {
      expect([200, 409]).toContain(answer.status);
      if (answer.status === 409) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }
    const written = answers.filter((answer) => answer.status === 200);
    expect(written.length).toBeGreaterThanOrEqual(1);
    expect(new Set(written.map((answer) => answer.text)).size).toBe(1);
    expect((await send(dev().url, 'GET', path)).json?.lock_version).toBe(2);
  }, 60_000);

  it('DELETE with a key: 204, then the same 204 replayed; 422 with another If-Match; a bad key is 400', async () => {
    const path = '/staging/user/idemhttp03';
    await postJson(dev().url, path, { name: 'Ada' });
    const first = await send(dev().url, 'DELETE', path, {
      headers: { 'Idempotency-Key': 'del-1' },
    });
    const again = await send(dev().url, 'DELETE', path, {
      headers: { 'Idempotency-Key': 'del-1' },
    });
    expect([first.status, again.status]).toEqual([204, 204]);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const otherRequest = { 'Idempotency-Key': 'del-1', 'If-Match': '"1"' };
    expect((await send(dev().url, 'DELETE', path, { headers: otherRequest })).status).toBe(422);
    const bad = await send(dev().url, 'DELETE', path, { headers: { 'Idempotency-Key': '"' } });
    expect(bad.status).toBe(400);
  }, 60_000);

  it('answers 400 for a malformed key and writes nothing; accepts 255 characters and escapes', async () => {
    const path = '/staging/user/idemhttp05';
    const malformed = ['""', '"unterminated', 'two words', '"bad \\q escape"', 'k'.repeat(256)];
    for (const key of malformed) {
      const answer = await postJson(dev().url, path, { name: 'Ada' }, { 'Idempotency-Key': key });
      expect([key, answer.status]).toEqual([key, 400]);
      expect(String(answer.json?.error)).toContain('Idempotency-Key');
    }
    expect((await send(dev().url, 'GET', path)).status).toBe(404);
    const long = await postJson(
      dev().url,
      path,
      { name: 'Ada' },
      { 'Idempotency-Key': 'k'.repeat(255) },
    );
    expect(long.status).toBe(201);
    const escaped = { 'Idempotency-Key': '"a \\"quoted\\" key"' };
    expect((await postJson(dev().url, path, { name: 'Bob' }, escaped)).status).toBe(200);
    const again = await postJson(dev().url, path, { name: 'Bob' }, escaped);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await send(dev().url, 'GET', path)).json?.lock_version).toBe(2);
  }, 60_000);

  it('scopes a key per stage and per user: the same key elsewhere is a new request', async () => {
    const key = { 'Idempotency-Key': 'scope-1' };
    const staging = await postJson(dev().url, '/staging/user/idemhttp06', { name: 'Ada' }, key);
    const prod = await postJson(dev().url, '/prod/user/idemhttp06', { name: 'Ada' }, key);
    const otherUser = await postJson(dev().url, '/staging/user/idemhttp07', { name: 'Ada' }, key);
    for (const answer of [staging, prod, otherUser]) {
      expect(answer.status).toBe(201);
      expect(answer.headers['idempotent-replayed']).toBeUndefined();
    }
    // Each scope replays its own answer; another body on another stage is not a 422.
    const replay = await postJson(dev().url, '/prod/user/idemhttp06', { name: 'Ada' }, key);
    expect(replay.bytes.equals(prod.bytes)).toBe(true);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const elsewhere = await postJson(dev().url, '/prod/user/idemhttp07', { name: 'Eve' }, key);
    expect(elsewhere.status).toBe(201);
  }, 60_000);

  it('stores a 4xx answer too: a failed If-Match replays as the same 412, writing nothing', async () => {
    const path = '/staging/user/idemhttp08';
    await postJson(dev().url, path, { name: 'Ada' });
    const headers = { 'Idempotency-Key': 'stale-1', 'If-Match': '"3"' };
    const first = await postJson(dev().url, path, { name: 'Eve' }, headers);
    expect(first.status).toBe(412);
    const again = await postJson(dev().url, path, { name: 'Eve' }, headers);
    expect(again.status).toBe(412);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await send(dev().url, 'GET', path)).json).toMatchObject({
      name: 'Ada',
      lock_version: 1,
    });
  }, 60_000);

  it('never reaches a record through /user/{id}', async () => {
    const answer = await send(
      dev().url,
      'GET',
      `/staging/user/${encodeURIComponent('idem#')}${'0'.repeat(64)}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain('fingerprint');
  }, 60_000);

  it('refuses a JSON body whose bytes are not UTF-8 (400), storing nothing', async () => {
    const path = '/staging/user/idemhttp04';
    const answer = await postJson(dev().url, path, Buffer.from('{"name":"\xff\xfe"}', 'latin1'));
    expect(answer.status).toBe(400);
    expect(answer.json?.error).toBe('request body is not valid UTF-8');
    expect((await send(dev().url, 'GET', path)).status).toBe(404);
  }, 60_000);
});
