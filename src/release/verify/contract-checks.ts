import type { SmokeCheck, SmokeContext, SmokeResponse } from './types.ts';

/**
 * The built-in smoke checks: the user API's contract (docs/api.md), exercised on throw-away
 * users so that a run leaves nothing behind in the staging table. Each check creates its own
 * user and deletes it afterwards, so checks are independent and a failure explains itself.
 */
export const CONTRACT_CHECKS: readonly SmokeCheck[] = [
  {
    name: 'GET of an unknown user answers 404',
    async run(ctx) {
      expectStatus(await ctx.request('GET', userPath(ctx)), 404, 'GET', userPath(ctx));
    },
  },
  {
    name: 'POST creates a user (201, lock_version 1, ETag) and GET returns it',
    async run(ctx) {
      await withUser(ctx, async (path) => {
        const created = await ctx.request('POST', path, { json: { name: 'Smoke Test' } });
        expectStatus(created, 201, 'POST', path);
        const user = expectUser(created, { id: ctx.userId, name: 'Smoke Test', lock_version: 1 });
        const read = await ctx.request('GET', path);
        expectStatus(read, 200, 'GET', path);
        expectUser(read, { id: ctx.userId, name: 'Smoke Test', lock_version: 1 });
        const again = read.json as Record<string, unknown>;
        assert(
          again.created_at === user.created_at,
          `GET ${path} returned created_at ${String(again.created_at)}, POST said ${String(user.created_at)}`,
        );
      });
    },
  },
  {
    name: 'POST with a matching If-Match updates and bumps lock_version',
    async run(ctx) {
      await withUser(ctx, async (path) => {
        expectStatus(await create(ctx, path), 201, 'POST', path);
        const updated = await ctx.request('POST', path, {
          headers: { 'If-Match': '"1"' },
          json: { name: 'Smoke Test 2' },
        });
        expectStatus(updated, 200, 'POST (If-Match "1")', path);
        expectUser(updated, { id: ctx.userId, name: 'Smoke Test 2', lock_version: 2 });
      });
    },
  },
  {
    name: 'POST with a stale If-Match answers 412 and changes nothing',
    async run(ctx) {
      await withUser(ctx, async (path) => {
        expectStatus(await create(ctx, path), 201, 'POST', path);
        const stale = await ctx.request('POST', path, {
          headers: { 'If-Match': '"7"' },
          json: { name: 'Lost Update' },
        });
        expectStatus(stale, 412, 'POST (If-Match "7")', path);
        const read = await ctx.request('GET', path);
        expectUser(read, { id: ctx.userId, name: 'Smoke Test', lock_version: 1 });
      });
    },
  },
  {
    name: 'POST with a stale body lock_version answers 409',
    async run(ctx) {
      await withUser(ctx, async (path) => {
        expectStatus(await create(ctx, path), 201, 'POST', path);
        const stale = await ctx.request('POST', path, {
          json: { name: 'Lost Update', lock_version: 7 },
        });
        expectStatus(stale, 409, 'POST (lock_version 7)', path);
      });
    },
  },
  {
    name: 'If-None-Match: * refuses to overwrite an existing user (412)',
    async run(ctx) {
      await withUser(ctx, async (path) => {
        expectStatus(await create(ctx, path), 201, 'POST', path);
        const again = await ctx.request('POST', path, {
          headers: { 'If-None-Match': '*' },
          json: { name: 'Duplicate' },
        });
        expectStatus(again, 412, 'POST (If-None-Match *)', path);
      });
    },
  },
  {
    name: 'invalid input answers 400 with an error message',
    async run(ctx) {
      const path = userPath(ctx);
      const cases: { what: string; path: string; json: unknown }[] = [
        { what: 'an empty name', path, json: { name: '' } },
        { what: 'a missing name', path, json: {} },
        { what: 'an unknown field', path, json: { name: 'Smoke Test', admin: true } },
        { what: 'an invalid id', path: 'user/bad-id!', json: { name: 'Smoke Test' } },
      ];
      try {
        for (const c of cases) {
          const answer = await ctx.request('POST', c.path, { json: c.json });
          expectStatus(answer, 400, `POST with ${c.what}`, c.path);
          expectErrorBody(answer, `POST with ${c.what}`);
        }
      } finally {
        await cleanUp(ctx, path); // a broken validator may have created the user
      }
    },
  },
  {
    name: 'DELETE removes the user (204, then GET answers 404)',
    async run(ctx) {
      await withUser(ctx, async (path) => {
        expectStatus(await create(ctx, path), 201, 'POST', path);
        expectStatus(await ctx.request('DELETE', path), 204, 'DELETE', path);
        expectStatus(await ctx.request('GET', path), 404, 'GET after DELETE', path);
      });
    },
  },
];

function userPath(ctx: SmokeContext): string {
  return `user/${ctx.userId}`;
}

function create(ctx: SmokeContext, path: string): Promise<SmokeResponse> {
  return ctx.request('POST', path, { json: { name: 'Smoke Test' } });
}

/** Runs `fn` on the check's user path and deletes the user afterwards, whatever happened. */
async function withUser(ctx: SmokeContext, fn: (path: string) => Promise<void>): Promise<void> {
  const path = userPath(ctx);
  try {
    await fn(path);
  } finally {
    await cleanUp(ctx, path);
  }
}

async function cleanUp(ctx: SmokeContext, path: string): Promise<void> {
  try {
    await ctx.request('DELETE', path);
  } catch {
    // Best effort: the check's own failure is the one worth reporting.
  }
}

/** Throws a readable failure unless `response` has `status`. */
export function expectStatus(
  response: SmokeResponse,
  status: number,
  what: string,
  path: string,
): void {
  if (response.status === status) return;
  throw new Error(
    `${what} /${path} answered ${response.status}, expected ${status}: ${excerpt(response.text)}`,
  );
}

function expectUser(
  response: SmokeResponse,
  expected: { id: string; name: string; lock_version: number },
): Record<string, unknown> {
  const body = response.json;
  assert(
    typeof body === 'object' && body !== null && !Array.isArray(body),
    `expected a user object, got: ${excerpt(response.text)}`,
  );
  const user = body as Record<string, unknown>;
  for (const [field, value] of Object.entries(expected)) {
    assert(
      user[field] === value,
      `expected ${field} ${JSON.stringify(value)}, got ${JSON.stringify(user[field])}`,
    );
  }
  for (const field of ['created_at', 'updated_at']) {
    const stamp = user[field];
    assert(
      typeof stamp === 'string' && !Number.isNaN(Date.parse(stamp)),
      `expected ${field} to be an ISO-8601 timestamp, got ${JSON.stringify(stamp)}`,
    );
  }
  const etag = response.headers.get('etag');
  assert(
    etag === `"${expected.lock_version}"`,
    `expected ETag "${expected.lock_version}", got ${etag === null ? 'none' : etag}`,
  );
  return user;
}

function expectErrorBody(response: SmokeResponse, what: string): void {
  const body = response.json as { error?: unknown } | undefined;
  assert(
    typeof body?.error === 'string' && body.error !== '',
    `${what}: expected a body {"error": "<message>"}, got: ${excerpt(response.text)}`,
  );
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return '(empty body)';
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
