// The user API's writes as idempotent writes (run.ts): how each one leaves its marker, and how a
// retry after a crash tells whether it was applied.
// - Unconditioned and `If-Match: *` POSTs leave a marker in the user item in the same atomic
//   UpdateItem: `idem_<token>_v` (the version this write produced) and `idem_<token>_c` (the
//   item's created_at after it), under the condition that the marker is not there yet, so even
//   two runs of the same token cannot both apply.
// - Versioned and create-only POSTs cannot apply twice (their version condition refuses it);
//   their own write is recognised by its timestamp (updated_at = the first request's clock).
// - DELETE leaves no item to mark: a retry that finds the user gone answers 204.
import { VersionConflictError } from '../../dynamo/errors.ts';
import type { WritePlan, IfMatch } from '../preconditions.ts';
import type { Reply } from '../respond.ts';
import type { UserStore, VersionedUser } from '../store.ts';
import { deleteUser, putUser, userReply } from '../users.ts';
import type { IdempotentWrite } from './run.ts';

/** The marker attributes of a token. */
export function markerNames(token: string): { version: string; created: string } {
  return { version: `idem_${token}_v`, created: `idem_${token}_c` };
}

const MARKER = /^idem_(\d+)_[0-9a-f]+_[vc]$/;
// Markers older than this belong to answers that are stored (or to keys that expired).
const STALE_MARKER_SECONDS = 25 * 60 * 60;

/** `POST /user/{id}` under a key. */
export function idempotentPut(
  store: UserStore,
  id: string,
  name: string,
  plan: WritePlan,
): IdempotentWrite {
  let written: Record<string, unknown> | undefined;
  return {
    async run(token, requestedAt) {
      if (plan.kind !== 'upsert' && plan.kind !== 'replace-existing') {
        return putUser(store, id, name, plan, requestedAt);
      }
      const marker = markerNames(token);
      try {
        const { item, created } = await store.upsert(
          { id },
          { name, updated_at: requestedAt },
          {
            onCreate: { created_at: requestedAt },
            mustExist: plan.kind === 'replace-existing',
            also: [
              { set: marker.version, increment: 1, start: 0, from: 'lock_version' },
              { set: marker.created, ifNotExists: requestedAt, from: 'created_at' },
            ],
            condition: { attr: marker.version, exists: false },
          },
        );
        written = item;
        return userReply(created ? 201 : 200, item);
      } catch (error) {
        // Our own marker is there: an earlier run of this token applied.
        if (error instanceof VersionConflictError && error.current !== 'absent') {
          const reply = fromMarker(error.current, id, name, token, requestedAt);
          if (reply !== undefined) return reply;
        }
        // Otherwise the usual answers (412 for If-Match: * on a missing user).
        return putUser(store, id, name, plan, requestedAt);
      }
    },
    async recover(token, requestedAt) {
      const current = await store.get({ id }, { consistent: true });
      if (current === undefined) return undefined;
      const marked = fromMarker(current, id, name, token, requestedAt);
      if (marked !== undefined) return marked;
      if (current.name !== name || current.updated_at !== requestedAt) return undefined;
      if (plan.kind === 'create' && current.lock_version === 1) return userReply(201, current);
      if (plan.kind === 'replace-version' && current.lock_version === plan.version + 1) {
        return userReply(200, current);
      }
      return undefined;
    },
    async cleanup(token) {
      const marker = markerNames(token);
      const now = Math.floor(Date.now() / 1000);
      const stale = Object.keys(written ?? {}).filter((attribute) => {
        const seconds = MARKER.exec(attribute)?.[1];
        return seconds !== undefined && now - Number(seconds) > STALE_MARKER_SECONDS;
      });
      await store.forget({ id }, [marker.version, marker.created, ...stale]);
    },
  };
}

/** `DELETE /user/{id}` under a key. */
export function idempotentDelete(
  store: UserStore,
  id: string,
  ifMatch: IfMatch | undefined,
): IdempotentWrite {
  return {
    run: () => deleteUser(store, id, ifMatch),
    async recover() {
      const current = await store.get({ id }, { consistent: true });
      return current === undefined ? { status: 204 } : undefined;
    },
  };
}

// The answer the marked write gave, rebuilt from its marker; undefined without the marker.
function fromMarker(
  item: Record<string, unknown>,
  id: string,
  name: string,
  token: string,
  requestedAt: string,
): Reply | undefined {
  const marker = markerNames(token);
  const version = item[marker.version];
  const created = item[marker.created];
  if (typeof version !== 'number' || typeof created !== 'string') return undefined;
  const user: VersionedUser = {
    id,
    name,
    lock_version: version,
    created_at: created,
    updated_at: requestedAt,
  };
  return userReply(version === 1 ? 201 : 200, user);
}
