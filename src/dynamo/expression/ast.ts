/**
 * The checked intermediate form that the parse steps produce and the emit steps turn into
 * strings. Paths are parsed, values are validated and tagged with their DynamoDB type, and every
 * rule DynamoDB checks up front has been checked; emitting cannot fail (except on length).
 */
import type { DocumentPath } from './path.ts';
import type { AttributeTypeName } from './values.ts';

/** A value, a document path, or `size(path)`. */
export type Operand =
  | { readonly kind: 'path'; readonly path: DocumentPath }
  | { readonly kind: 'value'; readonly value: unknown; readonly type: AttributeTypeName }
  | { readonly kind: 'size'; readonly path: DocumentPath };

/** The six comparison operators, by their condition key. */
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** A checked condition. */
export type ConditionNode =
  | {
      readonly kind: 'compare';
      readonly op: CompareOp;
      readonly left: Operand;
      readonly right: Operand;
    }
  | {
      readonly kind: 'between';
      readonly subject: Operand;
      readonly low: Operand;
      readonly high: Operand;
    }
  | { readonly kind: 'in'; readonly subject: Operand; readonly values: readonly Operand[] }
  | { readonly kind: 'exists'; readonly path: DocumentPath; readonly exists: boolean }
  | { readonly kind: 'type'; readonly path: DocumentPath; readonly type: AttributeTypeName }
  | { readonly kind: 'beginsWith'; readonly path: DocumentPath; readonly prefix: Operand }
  | { readonly kind: 'contains'; readonly path: DocumentPath; readonly operand: Operand }
  | { readonly kind: 'and' | 'or'; readonly children: readonly ConditionNode[] }
  | { readonly kind: 'not'; readonly child: ConditionNode };

/** The right-hand side of a SET action. */
export type SetValue =
  | { readonly kind: 'operand'; readonly operand: Operand }
  | { readonly kind: 'ifNotExists'; readonly path: DocumentPath; readonly fallback: Operand }
  | {
      readonly kind: 'arithmetic';
      readonly op: '+' | '-';
      /** The attribute itself, or `if_not_exists(attribute, start)` when a start was given. */
      readonly base: SetValue;
      readonly amount: Operand;
    }
  | { readonly kind: 'listAppend'; readonly first: SetValue; readonly second: SetValue };

/** A checked update action. */
export type UpdateNode =
  | { readonly kind: 'set'; readonly path: DocumentPath; readonly value: SetValue }
  | { readonly kind: 'remove'; readonly path: DocumentPath }
  | { readonly kind: 'add'; readonly path: DocumentPath; readonly value: Operand }
  | { readonly kind: 'delete'; readonly path: DocumentPath; readonly value: Operand };
