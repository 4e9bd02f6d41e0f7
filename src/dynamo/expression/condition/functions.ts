/** Function conditions: attribute_exists / attribute_not_exists, attribute_type, begins_with, contains. */
import type { ConditionNode } from '../ast.ts';
import type { DocumentPath } from '../path.ts';
import { fail, valueOperand, type ParseContext } from '../operands.ts';
import { ATTRIBUTE_TYPE_NAMES, isBinary, type AttributeTypeName } from '../values.ts';

/** `{ exists: true }` → attribute_exists, `{ exists: false }` → attribute_not_exists. */
export function parseExists(ctx: ParseContext, path: DocumentPath, raw: unknown): ConditionNode {
  if (typeof raw !== 'boolean') throw fail(ctx, 'exists takes true or false');
  return { kind: 'exists', path, exists: raw };
}

/** `attribute_type(path, :t)` with one of DynamoDB's ten type names. */
export function parseType(ctx: ParseContext, path: DocumentPath, raw: unknown): ConditionNode {
  if (!ATTRIBUTE_TYPE_NAMES.includes(raw as AttributeTypeName)) {
    throw fail(ctx, `type must be one of ${ATTRIBUTE_TYPE_NAMES.join(', ')}, got ${String(raw)}`);
  }
  return { kind: 'type', path, type: raw as AttributeTypeName };
}

/** `begins_with(path, :prefix)`; the prefix is a string or a binary. */
export function parseBeginsWith(
  ctx: ParseContext,
  path: DocumentPath,
  raw: unknown,
): ConditionNode {
  if (typeof raw !== 'string' && !isBinary(raw)) {
    throw fail(ctx, 'beginsWith takes a string (or a binary) prefix');
  }
  return { kind: 'beginsWith', path, prefix: valueOperand(ctx, raw) };
}

/** `contains(path, :operand)`: a substring, a set element or a list element. */
export function parseContains(ctx: ParseContext, path: DocumentPath, raw: unknown): ConditionNode {
  return { kind: 'contains', path, operand: valueOperand(ctx, raw) };
}
