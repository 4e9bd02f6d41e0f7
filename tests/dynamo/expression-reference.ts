/**
 * A small, independent reference semantics for `Condition` data: what DynamoDB should decide for
 * a condition on an item, written straight from the DynamoDB documentation rather than from the
 * builder's intermediate form, so the property tests compare two independent readings.
 * Items are native JS values as the DocumentClient returns them.
 */
import {
  ATTR_REF,
  isAttrRef,
  parsePath,
  type Condition,
} from '../../src/dynamo/expression/index.ts';

type Item = Record<string, unknown>;
type DdbType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'SS' | 'NS' | 'BS' | 'L' | 'M';

/** The DynamoDB type of a native value, or undefined for a missing one. */
export function typeOf(value: unknown): DdbType | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'NULL';
  if (typeof value === 'string') return 'S';
  if (typeof value === 'number' || typeof value === 'bigint') return 'N';
  if (typeof value === 'boolean') return 'BOOL';
  if (value instanceof Uint8Array) return 'B';
  if (Array.isArray(value)) return 'L';
  if (value instanceof Set) {
    const first: unknown = value.values().next().value;
    return typeof first === 'string' ? 'SS' : typeof first === 'number' ? 'NS' : 'BS';
  }
  return 'M';
}

/** The value at `path` in `item`, or undefined when any step is missing or of the wrong kind. */
export function resolve(item: Item, path: string): unknown {
  let current: unknown = item;
  for (const segment of parsePath(path).segments) {
    if (typeof segment === 'number') {
      current = Array.isArray(current) ? current[segment] : undefined;
    } else {
      current =
        typeOf(current) === 'M' && Object.hasOwn(current as Item, segment)
          ? (current as Item)[segment]
          : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** DynamoDB equality: same type and same value; sets unordered, lists ordered, maps by key. */
export function equal(a: unknown, b: unknown): boolean {
  const type = typeOf(a);
  if (type === undefined || type !== typeOf(b)) return false;
  switch (type) {
    case 'B':
      return Buffer.compare(a as Uint8Array, b as Uint8Array) === 0;
    case 'SS':
    case 'NS':
    case 'BS': {
      const x = [...(a as Set<unknown>)];
      const y = [...(b as Set<unknown>)];
      return x.length === y.length && x.every((e) => y.some((f) => equal(e, f)));
    }
    case 'L': {
      const x = a as unknown[];
      const y = b as unknown[];
      return x.length === y.length && x.every((e, i) => equal(e, y[i]));
    }
    case 'M': {
      const x = a as Item;
      const y = b as Item;
      const keys = Object.keys(x);
      return (
        keys.length === Object.keys(y).length &&
        keys.every((k) => Object.hasOwn(y, k) && equal(x[k], y[k]))
      );
    }
    default:
      return a === b;
  }
}

/** Orders two values of one orderable type (N, S by UTF-8 bytes, B bytewise); undefined if not comparable. */
export function order(a: unknown, b: unknown): number | undefined {
  const type = typeOf(a);
  if (type !== typeOf(b)) return undefined;
  if (type === 'N') return Math.sign(Number(a) - Number(b));
  if (type === 'S') return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
  if (type === 'B') return Buffer.compare(a as Uint8Array, b as Uint8Array);
  return undefined;
}

/** `size()`: UTF-8 bytes of a string, bytes of a binary, elements of a set/list/map. */
export function sizeOf(value: unknown): number | undefined {
  switch (typeOf(value)) {
    case 'S':
      return Buffer.byteLength(value as string);
    case 'B':
      return (value as Uint8Array).length;
    case 'SS':
    case 'NS':
    case 'BS':
      return (value as Set<unknown>).size;
    case 'L':
      return (value as unknown[]).length;
    case 'M':
      return Object.keys(value as Item).length;
    default:
      return undefined;
  }
}

const COMPARE = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;

/** What DynamoDB decides for `condition` on `item` (a missing item is `{}`). */
export function evaluateCondition(condition: Condition, item: Item): boolean {
  const c = condition as Record<string, unknown>;
  if ('and' in c) return (c.and as Condition[]).every((x) => evaluateCondition(x, item));
  if ('or' in c) return (c.or as Condition[]).some((x) => evaluateCondition(x, item));
  if ('not' in c) return !evaluateCondition(c.not as Condition, item);
  const subject =
    'size' in c ? sizeOf(resolve(item, c.size as string)) : resolve(item, c.attr as string);
  const operand = (raw: unknown) => (isAttrRef(raw) ? resolve(item, raw[ATTR_REF]) : raw);
  for (const op of COMPARE) {
    if (!(op in c)) continue;
    const right = operand(c[op]);
    if (op === 'ne')
      return !(subject !== undefined && right !== undefined && equal(subject, right));
    if (op === 'eq') return equal(subject, right);
    const o = order(subject, right);
    if (o === undefined) return false;
    return op === 'lt' ? o < 0 : op === 'le' ? o <= 0 : op === 'gt' ? o > 0 : o >= 0;
  }
  if ('between' in c) {
    const [low, high] = (c.between as unknown[]).map(operand);
    const a = order(low, subject);
    const b = order(subject, high);
    return a !== undefined && b !== undefined && a <= 0 && b <= 0;
  }
  if ('in' in c) return (c.in as unknown[]).some((v) => equal(subject, operand(v)));
  if ('exists' in c) return (subject !== undefined) === c.exists;
  if ('type' in c) return typeOf(subject) === c.type;
  if ('beginsWith' in c) {
    const prefix = c.beginsWith;
    if (typeof subject === 'string' && typeof prefix === 'string')
      return subject.startsWith(prefix);
    if (subject instanceof Uint8Array && prefix instanceof Uint8Array) {
      return Buffer.from(subject).subarray(0, prefix.length).equals(prefix);
    }
    return false;
  }
  if ('contains' in c) {
    const needle = c.contains;
    switch (typeOf(subject)) {
      case 'S':
        return typeof needle === 'string' && (subject as string).includes(needle);
      case 'B':
        return (
          needle instanceof Uint8Array &&
          Buffer.from(subject as Uint8Array).includes(Buffer.from(needle))
        );
      case 'SS':
      case 'NS':
      case 'BS':
      case 'L':
        return [...(subject as Iterable<unknown>)].some((e) => equal(e, needle));
      default:
        return false;
    }
  }
  throw new Error(`reference evaluator: unknown condition ${JSON.stringify(c)}`);
}

/** Thrown by {@link applyUpdate} where DynamoDB answers with a ValidationException. */
export class ReferenceUpdateError extends Error {}

/**
 * What DynamoDB should store after `actions` on `item` (a deep copy is returned), for the action
 * shapes of UpdateAction. Every operand reads the item as it was before the update, as DynamoDB
 * does. Throws {@link ReferenceUpdateError} where DynamoDB refuses the update.
 */
export function applyUpdate(actions: readonly Record<string, unknown>[], item: Item): Item {
  const before = structuredClone(item);
  const after = structuredClone(item);
  for (const action of actions) {
    if ('remove' in action) {
      removeAt(after, action.remove as string);
    } else if ('set' in action) {
      const path = action.set as string;
      const current = resolve(before, path);
      const base = () => {
        const value = current ?? action.start;
        if (typeof value !== 'number') throw new ReferenceUpdateError(`no number at ${path}`);
        return value;
      };
      let value: unknown;
      if ('value' in action)
        value = isAttrRef(action.value) ? resolve(before, action.value[ATTR_REF]) : action.value;
      else if ('ifNotExists' in action) value = current ?? action.ifNotExists;
      else if ('increment' in action) value = base() + (action.increment as number);
      else if ('decrement' in action) value = base() - (action.decrement as number);
      else if ('append' in action || 'prepend' in action) {
        if (!Array.isArray(current)) throw new ReferenceUpdateError(`no list at ${path}`);
        value =
          'append' in action
            ? [...current, ...(action.append as unknown[])]
            : [...(action.prepend as unknown[]), ...current];
      }
      // Reading a missing attribute (a reference, or if_not_exists' own path aside) is refused.
      if (value === undefined) throw new ReferenceUpdateError(`nothing to read for ${path}`);
      setAt(after, path, value);
    } else if ('add' in action) {
      const path = action.add as string;
      const current = resolve(before, path);
      const amount = action.value;
      if (typeof amount === 'number') {
        if (current !== undefined && typeof current !== 'number')
          throw new ReferenceUpdateError('add to a non-number');
        setAt(after, path, ((current as number | undefined) ?? 0) + amount);
      } else {
        if (current !== undefined && typeOf(current) !== typeOf(amount))
          throw new ReferenceUpdateError('add to another type');
        setAt(
          after,
          path,
          new Set([...((current as Set<unknown> | undefined) ?? []), ...(amount as Set<unknown>)]),
        );
      }
    } else if ('delete' in action) {
      const path = action.delete as string;
      const current = resolve(before, path);
      if (current === undefined) continue;
      if (typeOf(current) !== typeOf(action.value))
        throw new ReferenceUpdateError('delete from another type');
      const rest = [...(current as Set<unknown>)].filter(
        (e) => !(action.value as Set<unknown>).has(e),
      );
      if (rest.length === 0) removeAt(after, path);
      else setAt(after, path, new Set(rest));
    }
  }
  return after;
}

function parentOf(item: Item, path: string): { parent: unknown; last: string | number } {
  const segments = parsePath(path).segments;
  let parent: unknown = item;
  for (const segment of segments.slice(0, -1)) {
    parent =
      typeof segment === 'number'
        ? Array.isArray(parent)
          ? parent[segment]
          : undefined
        : typeOf(parent) === 'M'
          ? (parent as Item)[segment]
          : undefined;
  }
  return { parent, last: segments[segments.length - 1] as string | number };
}

function setAt(item: Item, path: string, value: unknown): void {
  const { parent, last } = parentOf(item, path);
  if (typeof last === 'number') {
    if (!Array.isArray(parent)) throw new ReferenceUpdateError(`no list to index at ${path}`);
    // An index past the end appends.
    if (last >= parent.length) parent.push(value);
    else parent[last] = value;
  } else {
    if (typeOf(parent) !== 'M') throw new ReferenceUpdateError(`no map at ${path}`);
    (parent as Item)[last] = value;
  }
}

function removeAt(item: Item, path: string): void {
  const { parent, last } = parentOf(item, path);
  // A missing parent makes the path invalid; a missing last step is fine (nothing to remove).
  if (typeof last === 'number') {
    if (!Array.isArray(parent)) throw new ReferenceUpdateError(`no list to index at ${path}`);
    if (last < parent.length) parent.splice(last, 1);
  } else {
    if (typeOf(parent) !== 'M') throw new ReferenceUpdateError(`no map at ${path}`);
    Reflect.deleteProperty(parent as Item, last);
  }
}
