/**
 * The public, typed shapes of conditions and update actions. Everything here is erased at run
 * time; the parse steps (condition/parse.ts, update/parse.ts) check the same rules on plain data,
 * because the generic repository builds conditions from `AnyItem` where types prove nothing.
 */
import type { AttrRef } from './ref.ts';
import type { AttributeTypeName } from './values.ts';

/** Any item: every path is a plain `string`, every value `unknown`. */
export type AnyItem = Record<string, unknown>;

/** Types that have no sub-paths (DynamoDB scalars and sets, plus things that are never items). */
type Leaf =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Uint8Array
  | ArrayBuffer
  | ReadonlySet<unknown>
  | Date
  | ((...args: never[]) => unknown);

// Counts remaining nesting levels: index D gives D - 1, and 0 gives never (stop).
type Down = [never, 0, 1, 2, 3, 4, 5];

// [path, value] pairs for V at path P, then its children while depth D remains.
type Entries<V, P extends string, D extends number> =
  | readonly [P, V]
  | ([D] extends [never] ? never : ChildEntries<Exclude<V, null | undefined>, P, D>);

type ChildEntries<V, P extends string, D extends number> = V extends Leaf
  ? never
  : V extends readonly (infer E)[]
    ? Entries<E, `${P}[${number}]`, Down[D]>
    : V extends object
      ? string extends keyof V
        ? Entries<V[keyof V], `${P}.${string}`, Down[D]>
        : {
            [K in keyof V & string]-?: Entries<Exclude<V[K], undefined>, `${P}.${K}`, Down[D]>;
          }[keyof V & string]
      : never;

/**
 * Every addressable `[path, value type]` pair of item type T, up to five segments deep
 * (`a.b[2].c.d`), which keeps tsc fast on wide item types. For {@link AnyItem}: `[string, unknown]`.
 */
export type PathEntry<T> = string extends keyof T
  ? readonly [string, unknown]
  : { [K in keyof T & string]-?: Entries<Exclude<T[K], undefined>, K, 3> }[keyof T & string];

/** The document paths of T: `'name' | 'address.city' | `tags[${number}]` | …`. */
export type Path<T> = PathEntry<T>[0];

/** Exactly one key of O, every other key forbidden (so `{ eq: 1, ne: 2 }` does not type-check). */
type OneOf<O> = {
  [K in keyof O]: { [Q in K]: O[K] } & { [Q in Exclude<keyof O, K>]?: never };
}[keyof O];

// Orderable operands: DynamoDB compares N, S and B with < <= > >= and BETWEEN.
type Orderable<V> = unknown extends V
  ? string | number | bigint | Uint8Array
  : Extract<V, string | number | bigint | Uint8Array>;

// What `contains` looks for: a substring, a set element or a list element.
type Element<V> = unknown extends V
  ? unknown
  : V extends string
    ? string
    : V extends ReadonlySet<infer E>
      ? E
      : V extends readonly (infer E)[]
        ? E
        : never;

type StringLike<V> = unknown extends V
  ? string
  : [Extract<V, string>] extends [never]
    ? never
    : string;

/** The operators on one attribute whose value type is V. */
interface AttrOperators<V, T> {
  eq: V | AttrRef<Path<T>>;
  ne: V | AttrRef<Path<T>>;
  lt: Orderable<V> | AttrRef<Path<T>>;
  le: Orderable<V> | AttrRef<Path<T>>;
  gt: Orderable<V> | AttrRef<Path<T>>;
  ge: Orderable<V> | AttrRef<Path<T>>;
  between: readonly [Orderable<V> | AttrRef<Path<T>>, Orderable<V> | AttrRef<Path<T>>];
  in: readonly (V | AttrRef<Path<T>>)[];
  exists: boolean;
  type: AttributeTypeName;
  beginsWith: StringLike<V>;
  contains: Element<V>;
}

/** The operators on `size(path)`: a number compared with numbers. */
interface SizeOperators {
  eq: number;
  ne: number;
  lt: number;
  le: number;
  gt: number;
  ge: number;
  between: readonly [number, number];
}

type AttrCondition<E, T> = E extends readonly [infer P extends string, infer V]
  ? { attr: P } & OneOf<AttrOperators<V, T>>
  : never;

/**
 * A condition on items of type T, as plain data (dynamodb-toolbox style):
 * `{ attr: 'age', ge: 18 }`, `{ attr: 'email', exists: false }`, `{ size: 'tags', lt: 10 }`,
 * `{ and: [...] }`, `{ or: [...] }`, `{ not: ... }`. Compare with another attribute through
 * {@link ref}: `{ attr: 'a', lt: ref('b') }`.
 */
export type Condition<T = AnyItem> =
  | AttrCondition<PathEntry<T>, T>
  | ({ size: Path<T> } & OneOf<SizeOperators>)
  | { and: readonly Condition<T>[]; or?: never; not?: never }
  | { or: readonly Condition<T>[]; and?: never; not?: never }
  | { not: Condition<T>; and?: never; or?: never };

type SetKeys =
  'value' | 'ifNotExists' | 'increment' | 'decrement' | 'start' | 'from' | 'append' | 'prepend';
type Only<O> = O & { [K in Exclude<SetKeys, keyof O>]?: never };

type NumberAction<P, V, T> = number extends V
  ? | Only<{ set: P; increment: number; start?: number; from?: Path<T> }>
    | Only<{ set: P; decrement: number; start?: number; from?: Path<T> }>
  : never;

type ListAction<P, V> = unknown extends V
  ? Only<{ set: P; append: readonly unknown[] }> | Only<{ set: P; prepend: readonly unknown[] }>
  : V extends readonly unknown[]
    ? Only<{ set: P; append: V }> | Only<{ set: P; prepend: V }>
    : never;

// What ADD and DELETE accept for an attribute of type V.
type Addable<V> = unknown extends V
  ? number | ReadonlySet<string | number>
  : Extract<V, number | ReadonlySet<string> | ReadonlySet<number>>;
type Deletable<V> = unknown extends V
  ? ReadonlySet<string | number>
  : Extract<V, ReadonlySet<string> | ReadonlySet<number>>;

type UpdateFor<E, T> = E extends readonly [infer P extends string, infer V]
  ? | Only<{ set: P; value: V | AttrRef<Path<T>> }>
    | Only<{ set: P; ifNotExists: V; from?: Path<T> }>
    | NumberAction<P, V, T>
    | ListAction<P, V>
    | { remove: P }
    | ([Addable<V>] extends [never] ? never : { add: P; value: Addable<V> })
    | ([Deletable<V>] extends [never] ? never : { delete: P; value: Deletable<V> })
  : never;

/**
 * One action of an UpdateExpression on items of type T:
 * `{ set: 'name', value: 'Ann' }` → `SET #n0 = :v0`;
 * `{ set: 'n', ifNotExists: 0 }` → `SET #n0 = if_not_exists(#n0, :v0)`;
 * `{ set: 'n', increment: 1 }` → `SET #n0 = #n0 + :v0` (`start: 0` reads a missing `n` as 0);
 * `from: 'm'` on `ifNotExists`/`increment`/`decrement` reads another attribute instead:
 * `{ set: 'copy', increment: 1, start: 0, from: 'n' }` → `SET #n0 = if_not_exists(#n1, :v0) + :v1`
 * (SET values are computed from the item as it was, so this is `n`'s new value after an
 * `increment` of `n` in the same update);
 * `{ set: 'n', decrement: 1 }` → `SET #n0 = #n0 - :v0`;
 * `{ set: 'l', append: [x] }` / `prepend` → `list_append`;
 * `{ remove: 'a' }` → `REMOVE #n0`; `{ add: 'n', value: 1 }` → `ADD #n0 :v0`;
 * `{ delete: 'tags', value: new Set(['x']) }` → `DELETE #n0 :v0`.
 */
export type UpdateAction<T = AnyItem> = UpdateFor<PathEntry<T>, T>;
