/** The key that marks an attribute reference; a symbol, so no JSON input can forge one. */
export const ATTR_REF: unique symbol = Symbol.for('stagecraft.dynamo.attrRef');

/**
 * Another attribute as an operand (`a < b`), made by {@link ref}. A symbol-keyed object rather
 * than `{ attr: 'b' }`, because values often come from request bodies: a user-supplied map
 * `{ "attr": "password" }` must stay a value, never turn into a reference to another attribute.
 */
export interface AttrRef<P extends string = string> {
  /** The referenced path. */
  readonly [ATTR_REF]: P;
}

/**
 * A reference to another attribute as an operand: `{ attr: 'a', lt: ref('b') }` → `#n0 < #n1`,
 * `{ set: 'copy', value: ref('orig') }` → `SET #n0 = #n1`.
 */
export function ref<P extends string>(path: P): AttrRef<P> {
  return Object.freeze({ [ATTR_REF]: path }) as AttrRef<P>;
}

/** True when `value` was made by {@link ref}. */
export function isAttrRef(value: unknown): value is AttrRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<AttrRef>)[ATTR_REF] === 'string'
  );
}
