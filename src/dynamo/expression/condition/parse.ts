/**
 * The transform step for conditions: plain data (typed as `Condition<T>`, but checked here too,
 * because the generic repository passes `AnyItem` conditions) → a checked {@link ConditionNode}.
 */
import type { CompareOp, ConditionNode, Operand } from '../ast.ts';
import { fail, isPlainObject, pathAt, type ParseContext } from '../operands.ts';
import { parseBetween, parseCompare, parseIn } from './comparison.ts';
import { parseBeginsWith, parseContains, parseExists, parseType } from './functions.ts';

const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const ATTR_OPS = [...COMPARE_OPS, 'between', 'in', 'exists', 'type', 'beginsWith', 'contains'];
const SIZE_OPS = [...COMPARE_OPS, 'between'];
const SHAPES = '{ attr, <operator> }, { size, <operator> }, { and }, { or } or { not }';

// Deep enough for any real condition; the bound turns a cycle into an error, not a stack overflow.
const MAX_NESTING = 64;

/** Checks `input` and returns its intermediate form. `where` prefixes error messages. */
export function parseCondition(input: unknown, where = 'condition'): ConditionNode {
  return parseAt({ where, code: 'expression.invalidCondition' }, input, 0);
}

function parseAt(ctx: ParseContext, input: unknown, depth: number): ConditionNode {
  if (depth > MAX_NESTING) throw fail(ctx, `nested deeper than ${MAX_NESTING} levels`);
  if (!isPlainObject(input)) throw fail(ctx, `expected a condition object: ${SHAPES}`);
  const keys = Object.keys(input);
  for (const logical of ['and', 'or', 'not'] as const) {
    if (!(logical in input)) continue;
    if (keys.length !== 1) {
      throw fail(ctx, `"${logical}" cannot be combined with ${others(keys, logical)}`);
    }
    return parseLogical(
      { ...ctx, where: `${ctx.where}.${logical}` },
      logical,
      input[logical],
      depth,
    );
  }
  if ('attr' in input) {
    const path = pathAt(ctx, input.attr);
    const op = singleOperator(ctx, keys, 'attr', ATTR_OPS);
    return parseAttrOperator(ctx, { kind: 'path', path }, op, input[op]);
  }
  if ('size' in input) {
    const path = pathAt(ctx, input.size);
    const op = singleOperator(ctx, keys, 'size', SIZE_OPS);
    return parseSizeOperator(ctx, { kind: 'size', path }, op, input[op]);
  }
  throw fail(ctx, `expected ${SHAPES}, got keys ${JSON.stringify(keys)}`);
}

function parseLogical(
  ctx: ParseContext,
  kind: 'and' | 'or' | 'not',
  raw: unknown,
  depth: number,
): ConditionNode {
  if (kind === 'not') return { kind, child: parseAt(ctx, raw, depth + 1) };
  if (!Array.isArray(raw)) throw fail(ctx, `${kind} takes an array of conditions`);
  // An empty AND would be vacuously true and an empty OR false: neither is what a caller meant.
  if (raw.length === 0) throw fail(ctx, `${kind} needs at least one condition`);
  const children = raw.map((child: unknown, i) =>
    parseAt({ ...ctx, where: `${ctx.where}[${i}]` }, child, depth + 1),
  );
  return { kind, children };
}

function parseAttrOperator(
  ctx: ParseContext,
  subject: Operand & { kind: 'path' },
  op: string,
  raw: unknown,
): ConditionNode {
  const at = { ...ctx, where: `${ctx.where}.${op}` };
  switch (op) {
    case 'between':
      return parseBetween(ctx, subject, raw, true);
    case 'in':
      return parseIn(ctx, subject, raw, true);
    case 'exists':
      return parseExists(at, subject.path, raw);
    case 'type':
      return parseType(at, subject.path, raw);
    case 'beginsWith':
      return parseBeginsWith(at, subject.path, raw);
    case 'contains':
      return parseContains(at, subject.path, raw);
    default:
      return parseCompare(at, subject, op as CompareOp, raw, true);
  }
}

function parseSizeOperator(
  ctx: ParseContext,
  subject: Operand,
  op: string,
  raw: unknown,
): ConditionNode {
  const at = { ...ctx, where: `${ctx.where}.${op}` };
  const numbers = op === 'between' && Array.isArray(raw) ? raw : [raw];
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    throw fail(at, 'size is compared with finite numbers only');
  }
  if (op === 'between') return parseBetween(ctx, subject, raw, false);
  return parseCompare(at, subject, op as CompareOp, raw, false);
}

function singleOperator(
  ctx: ParseContext,
  keys: readonly string[],
  subjectKey: string,
  allowed: readonly string[],
): string {
  const ops = keys.filter((key) => key !== subjectKey);
  const unknown = ops.filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw fail(
      ctx,
      `unknown operator ${JSON.stringify(unknown[0])}; expected one of ${allowed.join(', ')}`,
    );
  }
  if (ops.length !== 1) {
    throw fail(
      ctx,
      ops.length === 0
        ? `no operator; expected one of ${allowed.join(', ')}`
        : `one operator per condition, got ${ops.join(' and ')}; combine them with and`,
    );
  }
  return ops[0] as string;
}

function others(keys: readonly string[], except: string): string {
  return keys
    .filter((key) => key !== except)
    .map((key) => `"${key}"`)
    .join(', ');
}
