/** The expression step for updates: checked {@link UpdateNode}s → `SET … REMOVE … ADD … DELETE …`. */
import type { SetValue, UpdateNode } from '../ast.ts';
import { emitOperand } from '../condition/emit.ts';
import type { PlaceholderAllocator } from '../placeholders.ts';

const CLAUSES = [
  ['set', 'SET'],
  ['remove', 'REMOVE'],
  ['add', 'ADD'],
  ['delete', 'DELETE'],
] as const;

/**
 * Emits one clause per action kind, in the fixed order SET, REMOVE, ADD, DELETE, each listing
 * its actions in the caller's order; placeholders are allocated in that same order.
 */
export function emitUpdate(nodes: readonly UpdateNode[], names: PlaceholderAllocator): string {
  const clauses: string[] = [];
  for (const [kind, keyword] of CLAUSES) {
    const parts = nodes.filter((node) => node.kind === kind).map((node) => emitAction(node, names));
    if (parts.length > 0) clauses.push(`${keyword} ${parts.join(', ')}`);
  }
  return clauses.join(' ');
}

function emitAction(node: UpdateNode, names: PlaceholderAllocator): string {
  const path = names.path(node.path);
  switch (node.kind) {
    case 'set':
      return `${path} = ${emitSetValue(node.value, names)}`;
    case 'remove':
      return path;
    case 'add':
    case 'delete':
      return `${path} ${emitOperand(node.value, names)}`;
  }
}

function emitSetValue(value: SetValue, names: PlaceholderAllocator): string {
  switch (value.kind) {
    case 'operand':
      return emitOperand(value.operand, names);
    case 'ifNotExists':
      return `if_not_exists(${names.path(value.path)}, ${emitOperand(value.fallback, names)})`;
    case 'arithmetic':
      return `${emitSetValue(value.base, names)} ${value.op} ${emitOperand(value.amount, names)}`;
    case 'listAppend':
      return `list_append(${emitSetValue(value.first, names)}, ${emitSetValue(value.second, names)})`;
  }
}
