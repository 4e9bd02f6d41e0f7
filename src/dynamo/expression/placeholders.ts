import type { DocumentPath } from './path.ts';

/**
 * Hands out `#n0, #n1, …` for attribute names and `:v0, :v1, …` for values, in the order
 * they are asked for, so the same input always yields the same strings. A name asked for twice
 * gets the same placeholder; values never share one (two equal-looking JS values may marshal
 * differently, and sharing buys nothing under the 4 KB limit that matters). One allocator serves
 * every expression of a request, so a condition and an update never clash.
 */
export class PlaceholderAllocator {
  readonly #names = new Map<string, string>();
  readonly #values: [string, unknown][] = [];

  /** The `#` placeholder for one attribute name or map key. */
  name(name: string): string {
    let placeholder = this.#names.get(name);
    if (placeholder === undefined) {
      placeholder = `#n${this.#names.size}`;
      this.#names.set(name, placeholder);
    }
    return placeholder;
  }

  /** A fresh `:` placeholder for `value`. */
  value(value: unknown): string {
    const placeholder = `:v${this.#values.length}`;
    this.#values.push([placeholder, value]);
    return placeholder;
  }

  /** `a.b[2]` → `#n0.#n1[2]`. */
  path(path: DocumentPath): string {
    let out = '';
    for (const segment of path.segments) {
      out +=
        typeof segment === 'number'
          ? `[${segment}]`
          : `${out === '' ? '' : '.'}${this.name(segment)}`;
    }
    return out;
  }

  /** `ExpressionAttributeNames`: placeholder → name. */
  names(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, placeholder] of this.#names) out[placeholder] = name;
    return out;
  }

  /** `ExpressionAttributeValues`: placeholder → native value (DocumentClient style). */
  values(): Record<string, unknown> {
    return Object.fromEntries(this.#values);
  }

  /** How many values were handed out. */
  get valueCount(): number {
    return this.#values.length;
  }
}
