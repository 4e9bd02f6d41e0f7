/**
 * DynamoDB's ordering of N, S and B values: numbers numerically, strings by their UTF-8 bytes
 * (not JS's UTF-16 code units: they disagree above U+FFFF), binaries bytewise.
 */
import type { AttributeTypeName } from './values.ts';

/** The types `<`, `<=`, `>`, `>=` and BETWEEN accept. */
export const ORDERABLE_TYPES: readonly AttributeTypeName[] = ['N', 'S', 'B'];

/** Negative, zero or positive as `a` sorts before, with or after `b`; both of type `type`. */
export function compareOrderable(a: unknown, b: unknown, type: AttributeTypeName): number {
  if (type === 'N') return compareNumbers(a as number | bigint, b as number | bigint);
  if (type === 'S')
    return Buffer.compare(Buffer.from(a as string, 'utf8'), Buffer.from(b as string, 'utf8'));
  return Buffer.compare(toBytes(a), toBytes(b));
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  // Mixed number/bigint compares correctly with < and > in JS.
  return a < b ? -1 : a > b ? 1 : 0;
}

function toBytes(value: unknown): Buffer {
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  const view = value as Uint8Array;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
