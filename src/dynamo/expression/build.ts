import { emitCondition } from './condition/emit.ts';
import { parseCondition } from './condition/parse.ts';
import { ExpressionError, ExpressionTooLongError, MAX_EXPRESSION_BYTES } from './errors.ts';
import { PlaceholderAllocator } from './placeholders.ts';
import type { AnyItem, Condition, UpdateAction } from './types.ts';
import { emitUpdate } from './update/emit.ts';
import { parseUpdate } from './update/parse.ts';

/** What {@link buildExpression} compiles: a condition, an update, or both for one request. */
export interface ExpressionInput<T extends object = AnyItem> {
  /** Becomes `ConditionExpression`. */
  readonly condition?: Condition<T> | undefined;
  /** Becomes `UpdateExpression`; at least one action when given. */
  readonly update?: readonly UpdateAction<T>[] | undefined;
}

/** The request fields, named as the SDK names them, ready to spread into a DocumentClient command. */
export interface BuiltExpression {
  /** Present when a condition was given. */
  ConditionExpression?: string;
  /** Present when an update was given. */
  UpdateExpression?: string;
  /** `#n0 → name`, shared by both expressions. */
  ExpressionAttributeNames: Record<string, string>;
  /** `:v0 → value` as native JS values (the DocumentClient marshals them); omitted when empty. */
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * Compiles a condition and/or update actions into DynamoDB expression strings with `#n`/`:v`
 * placeholders allocated left to right by one allocator (condition first), so the two never
 * clash and the output is the same for the same input.
 *
 * Throws {@link ExpressionError} (code `expression.*`) for anything DynamoDB would refuse,
 * and {@link ExpressionTooLongError} when an expression exceeds 4 KB, before anything is sent.
 * @example
 * buildExpression<User>({
 *   condition: { attr: 'lock_version', eq: 3 },
 *   update: [{ set: 'name', value: 'Ann' }, { set: 'lock_version', increment: 1 }],
 * });
 * // ConditionExpression: '#n0 = :v0', UpdateExpression: 'SET #n1 = :v1, #n0 = #n0 + :v2'
 */
export function buildExpression<T extends object = AnyItem>(
  input: ExpressionInput<T>,
): BuiltExpression {
  // Pure transform first: every error is raised before any string is built.
  const condition = input.condition === undefined ? undefined : parseCondition(input.condition);
  const update = input.update === undefined ? undefined : parseUpdate(input.update);
  if (condition === undefined && update === undefined) {
    throw new ExpressionError(
      'expression.invalidCondition',
      'buildExpression needs a condition, an update or both',
    );
  }
  const names = new PlaceholderAllocator();
  const out: BuiltExpression = { ExpressionAttributeNames: {} };
  if (condition !== undefined) {
    out.ConditionExpression = checkLength('ConditionExpression', emitCondition(condition, names));
  }
  if (update !== undefined) {
    out.UpdateExpression = checkLength('UpdateExpression', emitUpdate(update, names));
  }
  out.ExpressionAttributeNames = names.names();
  if (names.valueCount > 0) out.ExpressionAttributeValues = names.values();
  return out;
}

function checkLength(
  field: 'ConditionExpression' | 'UpdateExpression',
  expression: string,
): string {
  const bytes = Buffer.byteLength(expression, 'utf8');
  if (bytes > MAX_EXPRESSION_BYTES) throw new ExpressionTooLongError(field, bytes);
  return expression;
}
