import type { Operand } from './ast.ts';
import { ExpressionError, type ExpressionErrorCode } from './errors.ts';
import { parsePath, type DocumentPath } from './path.ts';
import { isAttrRef, ATTR_REF } from './ref.ts';
import { checkValue, type AttributeTypeName } from './values.ts';

/** Shared by the parse steps: where in the input we are, and which error code to use. */
export interface ParseContext {
  /** Location in the caller's input, e.g. `condition.and[1]`, for error messages. */
  readonly where: string;
  /** The code for shape errors at this location. */
  readonly code: ExpressionErrorCode;
}

/** An {@link ExpressionError} that names the location. */
export function fail(ctx: ParseContext, message: string): ExpressionError {
  return new ExpressionError(ctx.code, `${ctx.where}: ${message}`);
}

/** Parses a path, prefixing errors with the location. */
export function pathAt(ctx: ParseContext, source: unknown): DocumentPath {
  try {
    return parsePath(source);
  } catch (error) {
    if (error instanceof ExpressionError) {
      throw new ExpressionError(error.code, `${ctx.where}: ${error.message}`);
    }
    throw error;
  }
}

/** A literal value operand, checked all the way down. */
export function valueOperand(ctx: ParseContext, value: unknown): Operand & { kind: 'value' } {
  return { kind: 'value', value, type: checkValue(value, ctx.where) };
}

/** A literal value or, if `allowRef`, an attribute reference made by `ref()`. */
export function operand(ctx: ParseContext, value: unknown, allowRef: boolean): Operand {
  if (isAttrRef(value)) {
    if (!allowRef) throw fail(ctx, 'an attribute reference is not allowed here');
    return { kind: 'path', path: pathAt(ctx, value[ATTR_REF]) };
  }
  return valueOperand(ctx, value);
}

/** The operand's DynamoDB type when it is a literal; undefined for paths and `size()`. */
export function literalType(op: Operand): AttributeTypeName | undefined {
  return op.kind === 'value' ? op.type : undefined;
}

/** True when both operands are the same document path (DynamoDB refuses `a = a`). */
export function samePath(a: Operand, b: Operand): boolean {
  if (a.kind !== 'path' || b.kind !== 'path') return false;
  const x = a.path.segments;
  const y = b.path.segments;
  return x.length === y.length && x.every((segment, i) => segment === y[i]);
}

/** A plain object (not null, not an array, not a class instance such as Set). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
