// Unconditioned writes through the real stack (`stagecraft dev`: gateway, handler bundle,
// dynalite): one atomic UpdateItem each, so contention never fails them and none is lost.
import { describe, expect, it } from 'vitest';
import { devForSuite } from './helpers.ts';
import { postJson, send } from './writes-http.ts';

const dev = devForSuite();

describe('unconditioned POST under contention', () => {
  it('100 concurrent writers on an existing id: all 200, final lock_version 101', async () => {
    const id = 'contended01';
    expect((await postJson(dev().url, `/staging/user/${id}`, { name: 'first' })).status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        postJson(dev().url, `/staging/user/${id}`, { name: `writer ${i}` }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    // Every write got its own version: none was lost, none applied twice.
    const versions = answers.map((answer) => answer.json?.lock_version as number);
    expect(new Set(versions).size).toBe(100);
    expect(Math.max(...versions)).toBe(101);
    const final = await send(dev().url, 'GET', `/staging/user/${id}`);
    expect(final.json?.lock_version).toBe(101);
    expect(final.headers.etag).toBe('"101"');
  }, 120_000);

  it('100 concurrent writers on a new id: exactly one 201, the rest 200', async () => {
    const id = 'contended02';
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        postJson(dev().url, `/staging/user/${id}`, { name: `writer ${i}` }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(99);
    const final = await send(dev().url, 'GET', `/staging/user/${id}`);
    expect(final.json?.lock_version).toBe(100);
    // created_at is the creating write's, kept by every later one.
    const creator = answers.find((answer) => answer.status === 201);
    expect(final.json?.created_at).toBe(creator?.json?.created_at);
  }, 120_000);

  it('If-Match: * under contention: all 200 on an existing user, 412 on a missing one', async () => {
    const id = 'contended03';
    await postJson(dev().url, `/staging/user/${id}`, { name: 'first' });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        postJson(dev().url, `/staging/user/${id}`, { name: `w${i}` }, { 'If-Match': '*' }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect((await send(dev().url, 'GET', `/staging/user/${id}`)).json?.lock_version).toBe(31);
    const missing = await postJson(
      dev().url,
      '/staging/user/nobody0001',
      { name: 'x' },
      {
        'If-Match': '*',
      },
    );
    expect(missing.status).toBe(412);
    expect(missing.json?.current_version).toBeNull();
    // And nothing was created by the refused write.
    expect((await send(dev().url, 'GET', '/staging/user/nobody0001')).status).toBe(404);
  }, 120_000);
});
