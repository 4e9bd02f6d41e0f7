/**
 * The typed DynamoDB expression builder: conditions and update actions as plain data in,
 * `ConditionExpression` / `UpdateExpression` with placeholder maps out. See docs/dynamo.md.
 */
export { buildExpression, type BuiltExpression, type ExpressionInput } from './build.ts';
export {
  ExpressionError,
  ExpressionTooLongError,
  isExpressionError,
  MAX_EXPRESSION_BYTES,
  type ExpressionErrorCode,
} from './errors.ts';
export { MAX_IN_VALUES } from './condition/comparison.ts';
export { parseCondition } from './condition/parse.ts';
export { emitCondition } from './condition/emit.ts';
export { parseUpdate } from './update/parse.ts';
export { emitUpdate } from './update/emit.ts';
export { PlaceholderAllocator } from './placeholders.ts';
export { parsePath, MAX_PATH_DEPTH, type DocumentPath, type PathSegment } from './path.ts';
export { ref, isAttrRef, ATTR_REF, type AttrRef } from './ref.ts';
export type { AnyItem, Condition, Path, PathEntry, UpdateAction } from './types.ts';
export type { AttributeTypeName } from './values.ts';
export type { ConditionNode, UpdateNode } from './ast.ts';
