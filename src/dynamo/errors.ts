// Errors the versioned repository throws. Other DynamoDB failures reach the caller as the
// client's DynamoDBError, by DynamoDB's own name, never wrapped or swallowed.
import type { Item } from './client.ts';

/**
 * What the write expected to find: a version number, no item at all (`create`), or any
 * version of the item (`upsert` with `mustExist`).
 */
export type ExpectedVersion = number | 'absent' | 'present';

/**
 * A write whose version guard failed: someone else changed (or created, or deleted) the item
 * since it was read. Carries what the write expected and what is there now, so a caller can
 * merge, retry or report without another read.
 * @example
 * try { await repo.update({ id }, { name }, { expectedVersion: 3 }); }
 * catch (e) { if (e instanceof VersionConflictError) console.log(e.current); }
 */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  /** The version the write required, `'absent'` (create) or `'present'` (upsert mustExist). */
  readonly expectedVersion: ExpectedVersion;
  /** The item as it is now (with its version), or `'absent'` when there is none. */
  readonly current: Item | 'absent';
  /** The table the write went to. */
  readonly tableName: string;
  /** The key of the item. */
  readonly key: Item;

  constructor(init: {
    tableName: string;
    key: Item;
    versionAttribute: string;
    expectedVersion: ExpectedVersion;
    current: Item | 'absent';
    cause?: unknown;
  }) {
    super(conflictMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.expectedVersion = init.expectedVersion;
    this.current = init.current;
    this.tableName = init.tableName;
    this.key = init.key;
  }
}

function conflictMessage(init: {
  tableName: string;
  key: Item;
  versionAttribute: string;
  expectedVersion: ExpectedVersion;
  current: Item | 'absent';
}): string {
  const expected =
    init.expectedVersion === 'absent'
      ? 'no item'
      : init.expectedVersion === 'present'
        ? 'an item'
        : `${init.versionAttribute} ${init.expectedVersion}`;
  const found =
    init.current === 'absent'
      ? 'no item'
      : `${init.versionAttribute} ${String(init.current[init.versionAttribute] ?? 'unset')}`;
  return `version conflict on ${init.tableName} ${JSON.stringify(init.key)}: expected ${expected}, found ${found}`;
}

/**
 * `mutate` met a conflict on every try. Carries how many tries were made and the last
 * conflict (whose `current` is the item that kept winning).
 */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  /** Tries made, the first included. */
  readonly attempts: number;
  /** The conflict of the last try. */
  readonly lastConflict: VersionConflictError;

  constructor(attempts: number, lastConflict: VersionConflictError) {
    super(`gave up after ${attempts} attempts: ${lastConflict.message}`, { cause: lastConflict });
    this.attempts = attempts;
    this.lastConflict = lastConflict;
  }
}
