/** Comparison operators: `=`, `<>`, `<`, `<=`, `>`, `>=`, BETWEEN and IN. */
import type { CompareOp, ConditionNode, Operand } from '../ast.ts';
import { compareOrderable, ORDERABLE_TYPES } from '../order.ts';
import { fail, literalType, operand, samePath, type ParseContext } from '../operands.ts';

/** DynamoDB's limit on IN operands. */
export const MAX_IN_VALUES = 100;

const ORDERED_OPS: readonly CompareOp[] = ['lt', 'le', 'gt', 'ge'];

/** `subject <op> right`; ordered operators need a number, string or binary literal. */
export function parseCompare(
  ctx: ParseContext,
  subject: Operand,
  op: CompareOp,
  raw: unknown,
  allowRef: boolean,
): ConditionNode {
  const right = operand(ctx, raw, allowRef);
  if (ORDERED_OPS.includes(op)) requireOrderable(ctx, right);
  if (subject.kind === 'path' && samePath(subject, right)) {
    throw fail(ctx, `compares "${subject.path.source}" with itself, which DynamoDB refuses`);
  }
  return { kind: 'compare', op, left: subject, right };
}

/** `subject BETWEEN low AND high`; two literal bounds must share a type and be in order. */
export function parseBetween(
  ctx: ParseContext,
  subject: Operand,
  raw: unknown,
  allowRef: boolean,
): ConditionNode {
  if (!Array.isArray(raw) || raw.length !== 2) {
    throw fail(ctx, 'between takes an array of two bounds, [low, high]');
  }
  const low = operand({ ...ctx, where: `${ctx.where}.between[0]` }, raw[0], allowRef);
  const high = operand({ ...ctx, where: `${ctx.where}.between[1]` }, raw[1], allowRef);
  requireOrderable(ctx, low);
  requireOrderable(ctx, high);
  const lowType = literalType(low);
  const highType = literalType(high);
  if (lowType !== undefined && highType !== undefined) {
    // DynamoDB rejects both of these with a ValidationException, so we say it first.
    if (lowType !== highType) {
      throw fail(ctx, `between bounds must have the same type, got ${lowType} and ${highType}`);
    }
    if (compareOrderable(valueOf(low), valueOf(high), lowType) > 0) {
      throw fail(ctx, 'between needs low <= high');
    }
  }
  return { kind: 'between', subject, low, high };
}

/** `subject IN (v1, …)`, 1 to {@link MAX_IN_VALUES} operands. */
export function parseIn(
  ctx: ParseContext,
  subject: Operand,
  raw: unknown,
  allowRef: boolean,
): ConditionNode {
  if (!Array.isArray(raw)) throw fail(ctx, 'in takes an array of values');
  if (raw.length === 0 || raw.length > MAX_IN_VALUES) {
    throw fail(ctx, `in takes 1 to ${MAX_IN_VALUES} values (DynamoDB's limit), got ${raw.length}`);
  }
  const values = raw.map((value, i) =>
    operand({ ...ctx, where: `${ctx.where}.in[${i}]` }, value, allowRef),
  );
  return { kind: 'in', subject, values };
}

function requireOrderable(ctx: ParseContext, op: Operand): void {
  const type = literalType(op);
  if (type !== undefined && !ORDERABLE_TYPES.includes(type)) {
    throw fail(ctx, `ordering needs a number, string or binary, got ${type}`);
  }
}

function valueOf(op: Operand): unknown {
  return op.kind === 'value' ? op.value : undefined;
}
