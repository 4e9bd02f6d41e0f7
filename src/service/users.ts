// The three operations of the user API over a stage's UserStore. Each returns a Reply or
// throws an HttpError; storage conflicts become 409/412 here, with the current version.
import { THROTTLING_ERROR_NAMES, DynamoDBError, WRITE_OUTCOME_UNKNOWN } from '../dynamo/client.ts';
import { RetriesExhaustedError, VersionConflictError } from '../dynamo/errors.ts';
import { HttpError } from './http-error.ts';
import { etagFor, preconditionFailed, type IfMatch, type WritePlan } from './preconditions.ts';
import type { Reply } from './respond.ts';
import type { UserStore, VersionedUser } from './store.ts';

/** The user as the API shows it: exactly these five fields. */
export interface UserView {
  readonly id: string;
  readonly name: string;
  readonly lock_version: number;
  readonly created_at: string;
  readonly updated_at: string;
}

/** `GET /user/{id}`: 200 with the user and its ETag, 404 when absent. */
export async function getUser(store: UserStore, id: string): Promise<Reply> {
  // Strongly consistent: a GET right after a write must see it, or ETags would go backwards.
  const user = await guard(() => store.get({ id }, { consistent: true }));
  if (user === undefined) throw notFound(id);
  return userReply(200, user);
}

/**
 * `POST /user/{id}`: writes `name` as the plan says; 201 when it created the user, else 200.
 * @param now the write's timestamp (ISO-8601 UTC)
 */
export async function putUser(
  store: UserStore,
  id: string,
  name: string,
  plan: WritePlan,
  now: string,
): Promise<Reply> {
  switch (plan.kind) {
    case 'create': {
      const user = await guard(() => store.create({ id, name, created_at: now, updated_at: now }), {
        status: 412,
        expected: 'absent',
      });
      return userReply(201, user);
    }
    case 'replace-version': {
      const user = await guard(
        () => store.update({ id }, { name, updated_at: now }, { expectedVersion: plan.version }),
        { status: plan.mismatch, expected: plan.version },
      );
      return userReply(200, user);
    }
    case 'replace-existing':
    case 'upsert': {
      // One atomic UpdateItem: nothing to compare, so nothing to lose a race against.
      const mustExist = plan.kind === 'replace-existing';
      const { item, created } = await guard(
        () =>
          store.upsert(
            { id },
            { name, updated_at: now },
            { onCreate: { created_at: now }, mustExist },
          ),
        { status: 412, expected: 'present' },
      );
      return userReply(created ? 201 : 200, item);
    }
  }
}

/**
 * `DELETE /user/{id}`: 204; 404 when absent; with `If-Match`, 412 unless the version matches
 * (or, for `*`, unless the user exists).
 */
export async function deleteUser(
  store: UserStore,
  id: string,
  ifMatch: IfMatch | undefined,
): Promise<Reply> {
  if (ifMatch !== undefined && 'version' in ifMatch) {
    const expected = ifMatch.version;
    await guard(() => store.delete({ id }, { expectedVersion: expected }), {
      status: 412,
      expected,
    });
    return { status: 204 };
  }
  const deleted = await guard(() => store.delete({ id }));
  if (deleted === undefined) {
    throw ifMatch === undefined ? notFound(id) : preconditionFailed(412, 'present', undefined);
  }
  return { status: 204 };
}

/** The reply for a user: its five API fields and its ETag. */
export function userReply(status: number, user: VersionedUser): Reply {
  const view: UserView = {
    id: user.id,
    name: user.name,
    lock_version: user.lock_version,
    created_at: user.created_at,
    updated_at: user.updated_at,
  };
  return { status, body: view, headers: { ETag: etagFor(user.lock_version) } };
}

function notFound(id: string): HttpError {
  return new HttpError(404, `user ${id} not found`);
}

/** How a version conflict of a guarded write is answered. */
interface Conflict {
  readonly status: 409 | 412;
  readonly expected: number | 'absent' | 'present';
}

/**
 * Runs a storage call, translating what it throws: a version conflict → 409/412 with the
 * current version; throttling or exhausted retries → 503. Anything else passes through (500).
 */
async function guard<T>(call: () => Promise<T>, conflict?: Conflict): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof VersionConflictError && conflict !== undefined) {
      const current = versionOf(error.current);
      throw preconditionFailed(conflict.status, conflict.expected, current, error);
    }
    if (error instanceof RetriesExhaustedError) {
      throw busy(`too many concurrent writes to this user; retry`, error);
    }
    if (error instanceof DynamoDBError && THROTTLING_ERROR_NAMES.has(error.name)) {
      throw busy('the user table is busy; retry', error);
    }
    if (error instanceof DynamoDBError && error.name === WRITE_OUTCOME_UNKNOWN) {
      throw busy(
        'the write may or may not have been applied (the storage answer was lost); ' +
          'retry with an Idempotency-Key to be sure it applies once',
        error,
      );
    }
    throw error;
  }
}

function busy(message: string, cause: unknown): HttpError {
  return new HttpError(503, message, { headers: { 'Retry-After': '1' }, cause });
}

function versionOf(current: Record<string, unknown> | 'absent'): number | undefined {
  if (current === 'absent') return undefined;
  const version = current.lock_version;
  return typeof version === 'number' ? version : undefined;
}
