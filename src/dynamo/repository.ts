// Optimistic locking on DynamoDB. Every item carries a version number (`lock_version`); a write
// names the version it read and DynamoDB applies it only if that is still the stored version,
// bumping it in the same request. The seed's guard (`attribute_not_exists(lock_version) OR
// lock_version = :v`) also let an UpdateItem on a missing key create a half item; every guard
// here requires the key to exist, except create's, which requires it not to.
import {
  type BackoffOptions,
  DEFAULT_BACKOFF,
  backoffDelay,
  sleep as timerSleep,
} from './backoff.ts';
import { type Item, type ItemClient, isDynamoDBError } from './client.ts';
import { RetriesExhaustedError, VersionConflictError, type ExpectedVersion } from './errors.ts';
import { type Condition, type UpdateAction, buildExpression } from './expression/index.ts';

/** An item as stored: T plus its version attribute (`lock_version` unless configured). */
export type Versioned<T, V extends string = 'lock_version'> = T & { [P in V]: number };

/**
 * The key argument of get/update/delete/mutate: `{ id: 'abc' }`. When the key attribute's type
 * parameter K is left at its default, any part of T is accepted and the key attribute is checked
 * at run time (so `new VersionedRepository<User>({ key: 'id', … })` needs no second parameter).
 */
export type KeyInput<T, K extends keyof T> = [keyof T] extends [K] ? Partial<T> : Pick<T, K>;

/** Options for {@link VersionedRepository}. */
export interface VersionedRepositoryOptions<T, V extends string> {
  /** Where items are read and written. */
  readonly client: ItemClient;
  /** The table. */
  readonly tableName: string;
  /** The table's partition key attribute. */
  readonly key: keyof T & string;
  /**
   * The version attribute.
   * @default 'lock_version'
   */
  readonly versionAttribute?: V;
  /** Waits between `mutate` tries; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1) source for the backoff jitter; injectable for tests. */
  readonly random?: () => number;
}

/** Options for {@link VersionedRepository.mutate}. */
export interface MutateOptions {
  /**
   * Retries after the first try; `mutate` gives up after `retries + 1` conflicts.
   * @default 10
   */
  readonly retries?: number;
  /**
   * Backoff between tries: capped exponential with full jitter.
   * @default { baseMs: 10, capMs: 1000 }
   */
  readonly backoff?: BackoffOptions;
}

/** Options for {@link VersionedRepository.upsert}. */
export interface UpsertOptions<T> {
  /** Attributes written only when the item is created (kept as they are otherwise). */
  readonly onCreate?: Partial<T>;
  /** Refuse to create: a conflict (expected `'present'`) when the item is absent. */
  readonly mustExist?: boolean;
  /**
   * More actions for the same atomic UpdateItem, on attributes `changes` and `onCreate` do not
   * name (e.g. a marker recording which request made this write).
   */
  readonly also?: readonly UpdateAction[];
  /** A further condition the write needs (ANDed with `mustExist`); a conflict when it fails. */
  readonly condition?: Condition;
}

/** What {@link VersionedRepository.upsert} wrote. */
export interface UpsertResult<T, V extends string> {
  /** The item as it is after the write. */
  readonly item: Versioned<T, V>;
  /** True when this write created the item (its version is 1). */
  readonly created: boolean;
}

/** The default number of `mutate` retries. */
export const DEFAULT_MUTATE_RETRIES = 10;

// An unversioned item (written before versioning, e.g. by the seed's code) reads as version 0;
// a write expecting 0 requires the attribute to be absent. Created items start at 1.
const UNVERSIONED = 0;

/**
 * A table of versioned items. Reads return the version; every write names the version it
 * expects and fails with {@link VersionConflictError} (carrying the current item) when another
 * writer got there first. Other DynamoDB errors propagate by name.
 * @example
 * const users = new VersionedRepository<User>({ client, tableName: 'example_user', key: 'id' });
 * const user = await users.create({ id: 'abc', name: 'Ada' });        // lock_version 1
 * await users.update({ id: 'abc' }, { name: 'Ann' }, { expectedVersion: user.lock_version });
 * await users.mutate({ id: 'abc' }, (u) => ({ ...u!, visits: (u?.visits ?? 0) + 1 }));
 */
export class VersionedRepository<
  T extends Item,
  K extends keyof T & string = keyof T & string,
  V extends string = 'lock_version',
> {
  readonly #client: ItemClient;
  readonly #table: string;
  readonly #key: string;
  readonly #version: string;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(options: VersionedRepositoryOptions<T, V>) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#key = checkedName(options.key, 'key');
    this.#version = checkedName(options.versionAttribute ?? 'lock_version', 'versionAttribute');
    if (this.#key === this.#version) {
      throw new TypeError(`key and versionAttribute must differ (both are "${this.#key}")`);
    }
    this.#sleep = options.sleep ?? timerSleep;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Reads an item with its version; undefined when absent. An item without the version
   * attribute reads as version 0.
   */
  async get(
    key: KeyInput<T, K>,
    options: { consistent?: boolean } = {},
  ): Promise<Versioned<T, V> | undefined> {
    const { Item: item } = await this.#client.getItem({
      TableName: this.#table,
      Key: this.#keyOf(key),
      ConsistentRead: options.consistent ?? false,
    });
    return item === undefined ? undefined : this.#withVersion(item);
  }

  /** Creates an item at version 1; a conflict (expected `'absent'`) when the key exists. */
  async create(item: T): Promise<Versioned<T, V>> {
    return this.#guardedPut(item, 'absent');
  }

  /**
   * Sets the given attributes and bumps the version, if the item exists at `expectedVersion`.
   * Attributes not in `changes` (or given as undefined) are left as they are, whoever wrote
   * them. The key and the version attribute in `changes` are ignored (the key must match).
   */
  async update(
    key: KeyInput<T, K>,
    changes: Partial<T>,
    options: { expectedVersion: number },
  ): Promise<Versioned<T, V>> {
    const keyItem = this.#keyOf(key);
    const expected = checkedVersion(options.expectedVersion);
    const actions = this.#setActions(
      keyItem,
      changes,
      (name, value) => ({ set: name, value }),
      'update',
    );
    actions.push(
      expected === UNVERSIONED
        ? { set: this.#version, increment: 1, start: 0 }
        : { set: this.#version, increment: 1 },
    );
    const expression = buildExpression({ condition: this.#guard(expected), update: actions });
    return this.#withVersion(await this.#updateReturningNew(keyItem, expected, expression));
  }

  /**
   * Last writer wins, in one atomic UpdateItem and without a read: sets `changes` (and
   * `onCreate` when the item is new) and bumps the version, creating the item at version 1
   * when it is absent. Nothing to compare, so no conflict and no retry (except `mustExist` on a
   * missing item). An existing item without the version attribute becomes version 1 and so
   * also reports `created`.
   */
  async upsert(
    key: KeyInput<T, K>,
    changes: Partial<T>,
    options: UpsertOptions<T> = {},
  ): Promise<UpsertResult<T, V>> {
    const keyItem = this.#keyOf(key);
    const actions: UpdateAction[] = [
      ...this.#setActions(keyItem, changes, (name, value) => ({ set: name, value })),
      ...this.#setActions(keyItem, options.onCreate ?? {}, (name, value) => ({
        set: name,
        ifNotExists: value,
      })),
      ...(options.also ?? []),
      { set: this.#version, increment: 1, start: UNVERSIONED },
    ];
    const conditions: Condition[] = [
      ...(options.mustExist === true ? [{ attr: this.#key, exists: true } as const] : []),
      ...(options.condition === undefined ? [] : [options.condition]),
    ];
    const expression = buildExpression({
      update: actions,
      ...(conditions.length === 0
        ? {}
        : { condition: conditions.length === 1 ? conditions[0] : { and: conditions } }),
    });
    const item = this.#withVersion(await this.#updateReturningNew(keyItem, 'present', expression));
    return { item, created: item[this.#version] === 1 };
  }

  /**
   * Removes bookkeeping attributes (never the key or the version) from an item if it exists,
   * without bumping its version: they were never part of what a reader sees.
   */
  async forget(key: KeyInput<T, K>, attributes: readonly string[]): Promise<void> {
    const keyItem = this.#keyOf(key);
    const names = attributes.filter((name) => name !== this.#key && name !== this.#version);
    if (names.length === 0) return;
    const { UpdateExpression, ...expression } = buildExpression({
      update: names.map((name) => ({ remove: literalName(name) })),
      condition: { attr: this.#key, exists: true },
    });
    if (UpdateExpression === undefined) throw new Error('expression builder gave no update');
    try {
      await this.#client.updateItem({
        TableName: this.#table,
        Key: keyItem,
        UpdateExpression,
        ...expression,
      });
    } catch (error) {
      // The item is gone: nothing left to forget.
      if (!isDynamoDBError(error, 'ConditionalCheckFailedException')) throw error;
    }
  }

  /**
   * Replaces the whole item, if it exists at `expectedVersion`; attributes `item` lacks are
   * removed. Its version becomes `expectedVersion + 1` (any version in `item` is ignored).
   */
  async put(item: T, options: { expectedVersion: number }): Promise<Versioned<T, V>> {
    return this.#guardedPut(item, options.expectedVersion);
  }

  /**
   * Deletes an item. With `expectedVersion`, only if it exists at that version (else a
   * conflict, and the item stays). Without, whatever is there. Resolves the deleted item, or
   * undefined when there was none.
   */
  async delete(
    key: KeyInput<T, K>,
    options: { expectedVersion?: number } = {},
  ): Promise<Versioned<T, V> | undefined> {
    const keyItem = this.#keyOf(key);
    if (options.expectedVersion === undefined) {
      const { Attributes: old } = await this.#client.deleteItem({
        TableName: this.#table,
        Key: keyItem,
        ReturnValues: 'ALL_OLD',
      });
      return old === undefined ? undefined : this.#withVersion(old);
    }
    const expected = checkedVersion(options.expectedVersion);
    const expression = buildExpression({ condition: this.#guard(expected) });
    const { Attributes: old } = await this.#guarded(keyItem, expected, () =>
      this.#client.deleteItem({
        TableName: this.#table,
        Key: keyItem,
        ...expression,
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return old === undefined ? undefined : this.#withVersion(old);
  }

  /**
   * Read-modify-write with retries: reads the item (consistently), computes the new item with
   * `fn` (given undefined when absent), and writes it guarded by the version read — `create`
   * when absent, `put` otherwise. On a conflict it waits (capped exponential backoff, full
   * jitter) and runs `fn` again on the item that won; after `retries + 1` conflicts it throws
   * {@link RetriesExhaustedError}. `fn` may run several times, so it must not have side effects.
   */
  async mutate(
    key: KeyInput<T, K>,
    fn: (current: Versioned<T, V> | undefined) => T | Promise<T>,
    options: MutateOptions = {},
  ): Promise<Versioned<T, V>> {
    const keyItem = this.#keyOf(key);
    const retries = options.retries ?? DEFAULT_MUTATE_RETRIES;
    if (!Number.isInteger(retries) || retries < 0) {
      throw new RangeError(`retries must be a non-negative integer, got ${retries}`);
    }
    const backoff = options.backoff ?? DEFAULT_BACKOFF;
    let current = await this.get(key, { consistent: true });
    for (let attempt = 1; ; attempt++) {
      const next = await fn(current);
      if (next[this.#key] !== keyItem[this.#key]) {
        throw new TypeError(
          `mutate's function must keep the key ${this.#key}=${JSON.stringify(keyItem[this.#key])}`,
        );
      }
      try {
        return current === undefined
          ? await this.create(next)
          : await this.put(next, { expectedVersion: current[this.#version] as number });
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        if (attempt > retries) throw new RetriesExhaustedError(attempt, error);
        await this.#sleep(backoffDelay(attempt - 1, backoff, this.#random));
        // The conflict carries the item that won (as of the failed write): no second read.
        current = error.current === 'absent' ? undefined : this.#withVersion(error.current);
      }
    }
  }

  // One SET action per attribute of `values`, skipping undefined, the version and the key
  // (which must match the item's key).
  // One guarded UpdateItem returning the item as written (ALL_NEW).
  async #updateReturningNew(
    keyItem: Item,
    expected: ExpectedVersion,
    expression: ReturnType<typeof buildExpression>,
  ): Promise<Item> {
    const { UpdateExpression, ...rest } = expression;
    // Never undefined when an update was given; the check keeps the type honest.
    if (UpdateExpression === undefined) throw new Error('expression builder gave no update');
    const { Attributes: attributes } = await this.#guarded(keyItem, expected, () =>
      this.#client.updateItem({
        TableName: this.#table,
        Key: keyItem,
        UpdateExpression,
        ...rest,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    if (attributes === undefined) {
      throw new Error(`UpdateItem on ${this.#table} returned no attributes despite ALL_NEW`);
    }
    return attributes;
  }

  #setActions(
    keyItem: Item,
    values: Item,
    action: (name: string, value: unknown) => UpdateAction,
    what = 'a write',
  ): UpdateAction[] {
    const actions: UpdateAction[] = [];
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined || name === this.#version) continue;
      if (name === this.#key) {
        if (value !== keyItem[this.#key]) {
          throw new TypeError(`${what} cannot change the key "${name}"; write a new item instead`);
        }
        continue;
      }
      actions.push(action(literalName(name), value));
    }
    return actions;
  }

  /** `attribute_exists(key) AND version = expected` (or `attribute_not_exists(version)` for 0). */
  #guard(expected: number): Condition {
    return {
      and: [
        { attr: this.#key, exists: true },
        expected === UNVERSIONED
          ? { attr: this.#version, exists: false }
          : { attr: this.#version, eq: expected },
      ],
    };
  }

  /**
   * create's and put's common path: writes the whole item if it is absent (at version 1) or
   * at `expectedVersion` (at the next version); otherwise a {@link VersionConflictError}.
   */
  async #guardedPut(item: T, expectedVersion: number | 'absent'): Promise<Versioned<T, V>> {
    const key = this.#keyOf(item);
    const expected = expectedVersion === 'absent' ? 'absent' : checkedVersion(expectedVersion);
    const [version, condition]: [number, Condition] =
      expected === 'absent'
        ? [1, { attr: this.#key, exists: false }]
        : [expected + 1, this.#guard(expected)];
    const stored = { ...item, [this.#version]: version };
    const expression = buildExpression({ condition });
    await this.#guarded(key, expected, () =>
      this.#client.putItem({
        TableName: this.#table,
        Item: stored,
        ...expression,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return stored as Versioned<T, V>;
  }

  /**
   * Runs a guarded write; a failed condition becomes a {@link VersionConflictError} with the
   * current item: from the error (real DynamoDB, `ALL_OLD`) or, when it carries none (dynalite,
   * or no item), from one consistent read.
   */
  async #guarded<R>(key: Item, expected: ExpectedVersion, write: () => Promise<R>): Promise<R> {
    try {
      return await write();
    } catch (error) {
      if (!isDynamoDBError(error, 'ConditionalCheckFailedException')) throw error;
      let current: Item | undefined = error.item;
      if (current === undefined) {
        const { Item: item } = await this.#client.getItem({
          TableName: this.#table,
          Key: key,
          ConsistentRead: true,
        });
        current = item;
      }
      throw new VersionConflictError({
        tableName: this.#table,
        key,
        versionAttribute: this.#version,
        expectedVersion: expected,
        current: current === undefined ? 'absent' : this.#withVersion(current),
        cause: error,
      });
    }
  }

  #keyOf(source: Item): Item {
    const value = source[this.#key];
    if (value === undefined || value === null) {
      throw new TypeError(`the key attribute "${this.#key}" is missing`);
    }
    return { [this.#key]: value };
  }

  #withVersion(item: Item): Versioned<T, V> {
    const version = item[this.#version];
    return (
      typeof version === 'number' ? item : { ...item, [this.#version]: UNVERSIONED }
    ) as Versioned<T, V>;
  }
}

function checkedVersion(version: number): number {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new RangeError(`expectedVersion must be a non-negative integer, got ${version}`);
  }
  return version;
}

function checkedName(name: string, option: string): string {
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`${option} must be a non-empty attribute name`);
  }
  return literalName(name);
}

// The expression builder reads `.` and `[i]` as document-path syntax; an attribute whose own
// name contains them cannot be addressed that way, and must not silently mean a nested path.
function literalName(name: string): string {
  if (/[.[\]]/.test(name)) {
    throw new TypeError(
      `attribute name "${name}" contains ".", "[" or "]", which expressions read as a path; ` +
        'use put() to write such attributes',
    );
  }
  return name;
}
