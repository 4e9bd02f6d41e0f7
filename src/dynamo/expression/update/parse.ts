/**
 * The transform step for updates: plain `UpdateAction` data → checked {@link UpdateNode}s.
 * Besides shapes and values, it refuses what DynamoDB refuses for a whole UpdateExpression:
 * two actions whose target paths overlap (`a` and `a.b`, or `a` twice).
 */
import type { Operand, SetValue, UpdateNode } from '../ast.ts';
import {
  fail,
  isPlainObject,
  operand,
  pathAt,
  valueOperand,
  type ParseContext,
} from '../operands.ts';
import type { DocumentPath } from '../path.ts';

const SET_FORMS = ['value', 'ifNotExists', 'increment', 'decrement', 'append', 'prepend'] as const;
type SetForm = (typeof SET_FORMS)[number];
const SHAPES =
  '{ set, value | ifNotExists | increment | decrement | append | prepend }, { remove }, { add, value } or { delete, value }';

/** Checks `input` (an array of actions) and returns their intermediate forms, in order. */
export function parseUpdate(input: unknown, where = 'update'): UpdateNode[] {
  const ctx: ParseContext = { where, code: 'expression.invalidUpdate' };
  if (!Array.isArray(input)) throw fail(ctx, 'expected an array of update actions');
  if (input.length === 0) throw fail(ctx, 'no update actions; DynamoDB needs at least one');
  const nodes = input.map((action: unknown, i) =>
    parseAction({ ...ctx, where: `${where}[${i}]` }, action),
  );
  checkNoOverlap(ctx, nodes);
  return nodes;
}

function parseAction(ctx: ParseContext, action: unknown): UpdateNode {
  if (!isPlainObject(action)) throw fail(ctx, `expected an update action: ${SHAPES}`);
  if ('set' in action) return parseSet(ctx, action);
  if ('remove' in action) {
    onlyKeys(ctx, action, ['remove']);
    return { kind: 'remove', path: pathAt(ctx, action.remove) };
  }
  if ('add' in action) {
    onlyKeys(ctx, action, ['add', 'value']);
    const path = pathAt(ctx, action.add);
    const value = valueOperand({ ...ctx, where: `${ctx.where}.value` }, action.value);
    if (!['N', 'SS', 'NS', 'BS'].includes(value.type)) {
      throw fail(ctx, `add takes a number or a set, got ${value.type}`);
    }
    return { kind: 'add', path, value };
  }
  if ('delete' in action) {
    onlyKeys(ctx, action, ['delete', 'value']);
    const path = pathAt(ctx, action.delete);
    const value = valueOperand({ ...ctx, where: `${ctx.where}.value` }, action.value);
    if (!['SS', 'NS', 'BS'].includes(value.type)) {
      throw fail(ctx, `delete takes a set of elements to take out, got ${value.type}`);
    }
    return { kind: 'delete', path, value };
  }
  throw fail(ctx, `expected ${SHAPES}, got keys ${JSON.stringify(Object.keys(action))}`);
}

function parseSet(ctx: ParseContext, action: Record<string, unknown>): UpdateNode {
  const path = pathAt(ctx, action.set);
  const forms = SET_FORMS.filter((form) => form in action);
  if (forms.length !== 1) {
    throw fail(
      ctx,
      forms.length === 0
        ? `set needs one of ${SET_FORMS.join(', ')}`
        : `set takes one of ${SET_FORMS.join(', ')}, got ${forms.join(' and ')}`,
    );
  }
  const form = forms[0] as SetForm;
  const withStart = form === 'increment' || form === 'decrement';
  const withFrom = withStart || form === 'ifNotExists';
  onlyKeys(
    ctx,
    action,
    withStart ? ['set', form, 'start', 'from'] : withFrom ? ['set', form, 'from'] : ['set', form],
  );
  const at = { ...ctx, where: `${ctx.where}.${form}` };
  const raw = action[form];
  // The attribute the value is computed from: the target itself unless `from` names another.
  const source =
    'from' in action ? pathAt({ ...ctx, where: `${ctx.where}.from` }, action.from) : path;
  const self: SetValue = { kind: 'operand', operand: { kind: 'path', path: source } };
  switch (form) {
    case 'value':
      return { kind: 'set', path, value: { kind: 'operand', operand: operand(at, raw, true) } };
    case 'ifNotExists':
      return {
        kind: 'set',
        path,
        value: { kind: 'ifNotExists', path: source, fallback: valueOperand(at, raw) },
      };
    case 'increment':
    case 'decrement': {
      const amount = numberOperand(at, raw);
      const base: SetValue =
        'start' in action
          ? {
              kind: 'ifNotExists',
              path: source,
              fallback: numberOperand({ ...ctx, where: `${ctx.where}.start` }, action.start),
            }
          : self;
      return {
        kind: 'set',
        path,
        value: { kind: 'arithmetic', op: form === 'increment' ? '+' : '-', base, amount },
      };
    }
    case 'append':
    case 'prepend': {
      const list = valueOperand(at, raw);
      if (list.type !== 'L')
        throw fail(at, `${form} takes an array (a DynamoDB list), got ${list.type}`);
      const items: SetValue = { kind: 'operand', operand: list };
      const [first, second] = form === 'append' ? [self, items] : [items, self];
      return { kind: 'set', path, value: { kind: 'listAppend', first, second } };
    }
  }
}

function numberOperand(ctx: ParseContext, raw: unknown): Operand {
  if (!(typeof raw === 'number' && Number.isFinite(raw)) && typeof raw !== 'bigint') {
    throw fail(ctx, 'expected a finite number');
  }
  return valueOperand(ctx, raw);
}

function onlyKeys(
  ctx: ParseContext,
  action: Record<string, unknown>,
  allowed: readonly string[],
): void {
  const extra = Object.keys(action).filter((key) => !allowed.includes(key));
  if (extra.length > 0) {
    throw fail(
      ctx,
      `unexpected ${extra.map((key) => `"${key}"`).join(', ')}; this action takes ${allowed.join(', ')}`,
    );
  }
}

// DynamoDB answers "Two document paths overlap with each other" (a and a.b, or a twice) and
// "Two document paths conflict" (a[0] and a.b); both are caught here with the paths named.
function checkNoOverlap(ctx: ParseContext, nodes: readonly UpdateNode[]): void {
  for (let i = 0; i < nodes.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = (nodes[j] as UpdateNode).path;
      const b = (nodes[i] as UpdateNode).path;
      const relation = relate(a, b);
      if (relation !== 'independent') {
        throw fail(
          ctx,
          `actions ${j} ("${a.source}") and ${i} ("${b.source}") ${relation === 'overlap' ? 'overlap' : 'conflict (one indexes a list, the other a map)'}; DynamoDB allows one action per path`,
        );
      }
    }
  }
}

function relate(a: DocumentPath, b: DocumentPath): 'overlap' | 'conflict' | 'independent' {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let k = 0; k < n; k++) {
    const x = a.segments[k];
    const y = b.segments[k];
    if (x === y) continue;
    return typeof x !== typeof y ? 'conflict' : 'independent';
  }
  return 'overlap';
}
