// What the user operations need from storage: the slice of VersionedRepository
// (src/dynamo/repository.ts) they call, so tests and other stores can stand in for it.
import type { UpsertOptions, UpsertResult } from '../dynamo/repository.ts';

/** A user as stored, without its version. */
export type UserRecord = {
  id: string;
  name: string;
  /** ISO-8601 UTC. */
  created_at: string;
  /** ISO-8601 UTC. */
  updated_at: string;
};

/** A stored user with its `lock_version`. */
export type VersionedUser = UserRecord & { lock_version: number };

/** The key of a user. */
export type UserKey = { id: string };

/** The versioned user table of one stage. */
export interface UserStore {
  /** The user, or undefined. */
  get(key: UserKey, options?: { consistent?: boolean }): Promise<VersionedUser | undefined>;
  /** Creates the user at version 1; VersionConflictError when it exists. */
  create(item: UserRecord): Promise<VersionedUser>;
  /** Changes fields when the version is `expectedVersion`; else VersionConflictError. */
  update(
    key: UserKey,
    changes: Partial<UserRecord>,
    options: { expectedVersion: number },
  ): Promise<VersionedUser>;
  /** Deletes; undefined when nothing existed (only without `expectedVersion`). */
  delete(key: UserKey, options?: { expectedVersion?: number }): Promise<VersionedUser | undefined>;
  /**
   * Last writer wins in one atomic UpdateItem: sets `changes` (and `onCreate` on a new user),
   * bumps the version; `mustExist` → VersionConflictError when absent.
   */
  upsert(
    key: UserKey,
    changes: Partial<UserRecord>,
    options?: UpsertOptions<UserRecord>,
  ): Promise<UpsertResult<UserRecord, 'lock_version'>>;
  /** Removes bookkeeping attributes from the user, if it exists, without a version bump. */
  forget(key: UserKey, attributes: readonly string[]): Promise<void>;
  /** Read-modify-write, retried on conflict. */
  mutate(
    key: UserKey,
    fn: (current: VersionedUser | undefined) => UserRecord,
  ): Promise<VersionedUser>;
}
