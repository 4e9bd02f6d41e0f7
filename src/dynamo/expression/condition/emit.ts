/** The expression step for conditions: a checked {@link ConditionNode} → a string. */
import type { CompareOp, ConditionNode, Operand } from '../ast.ts';
import type { PlaceholderAllocator } from '../placeholders.ts';

const SYMBOLS: Record<CompareOp, string> = {
  eq: '=',
  ne: '<>',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
};

/**
 * Emits `node`, asking `names` for placeholders left to right, so output is deterministic.
 * Parentheses appear only around a nested AND/OR (never doubled: DynamoDB rejects `((x))` as
 * "redundant parentheses").
 */
export function emitCondition(input: ConditionNode, names: PlaceholderAllocator): string {
  const node = unwrap(input);
  switch (node.kind) {
    case 'compare':
      return `${emitOperand(node.left, names)} ${SYMBOLS[node.op]} ${emitOperand(node.right, names)}`;
    case 'between':
      return `${emitOperand(node.subject, names)} BETWEEN ${emitOperand(node.low, names)} AND ${emitOperand(node.high, names)}`;
    case 'in': {
      const subject = emitOperand(node.subject, names);
      return `${subject} IN (${node.values.map((v) => emitOperand(v, names)).join(', ')})`;
    }
    case 'exists':
      return `${node.exists ? 'attribute_exists' : 'attribute_not_exists'}(${names.path(node.path)})`;
    case 'type':
      return `attribute_type(${names.path(node.path)}, ${names.value(node.type)})`;
    case 'beginsWith':
      return `begins_with(${names.path(node.path)}, ${emitOperand(node.prefix, names)})`;
    case 'contains':
      return `contains(${names.path(node.path)}, ${emitOperand(node.operand, names)})`;
    case 'and':
    case 'or': {
      const joiner = node.kind === 'and' ? ' AND ' : ' OR ';
      // Same-kind children need no parentheses: AND and OR are associative.
      return node.children.map((child) => emitChild(child, node.kind, names)).join(joiner);
    }
    case 'not':
      return `NOT ${emitChild(node.child, 'not', names)}`;
  }
}

function emitChild(
  input: ConditionNode,
  parent: 'and' | 'or' | 'not',
  names: PlaceholderAllocator,
): string {
  const child = unwrap(input);
  const text = emitCondition(child, names);
  const compound = child.kind === 'and' || child.kind === 'or';
  // NOT takes parentheses around any child for readability; AND/OR only around the other kind.
  return parent === 'not' || (compound && child.kind !== parent) ? `(${text})` : text;
}

// An AND/OR of one condition is that condition; seeing through it keeps precedence right.
function unwrap(node: ConditionNode): ConditionNode {
  let current = node;
  while ((current.kind === 'and' || current.kind === 'or') && current.children.length === 1) {
    current = current.children[0] as ConditionNode;
  }
  return current;
}

/** A path, a `:` placeholder, or `size(path)`. */
export function emitOperand(operand: Operand, names: PlaceholderAllocator): string {
  switch (operand.kind) {
    case 'path':
      return names.path(operand.path);
    case 'size':
      return `size(${names.path(operand.path)})`;
    case 'value':
      return names.value(operand.value);
  }
}
