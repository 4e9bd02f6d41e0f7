/**
 * Compile-time behaviour of Condition<T> / UpdateAction<T>. The `@ts-expect-error` lines are the
 * assertions: `npm run typecheck` fails if any of them stops being an error. The runtime part
 * checks that what type-checks also builds.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  buildExpression,
  ref,
  type Condition,
  type Path,
  type UpdateAction,
} from '../../src/dynamo/expression/index.ts';

interface User {
  id: string;
  name: string;
  age: number;
  active: boolean;
  tags?: Set<string>;
  address?: { city: string; lines: string[]; geo: { lat: number } };
  meta: Record<string, number>;
}

describe('typed paths and values', () => {
  it('paths are the item keys and nested paths', () => {
    expectTypeOf<'name'>().toExtend<Path<User>>();
    expectTypeOf<'address.lines[2]'>().toExtend<Path<User>>();
    expectTypeOf<'address.geo.lat'>().toExtend<Path<User>>();
    expectTypeOf<'meta.anything'>().toExtend<Path<User>>();
    expectTypeOf<'nme'>().not.toExtend<Path<User>>();
    expectTypeOf<'address.town'>().not.toExtend<Path<User>>();
    expectTypeOf<'tags.x'>().not.toExtend<Path<User>>();
  });

  it('conditions check the value type of their path', () => {
    const ok: Condition<User>[] = [
      { attr: 'name', eq: 'Ann' },
      { attr: 'age', between: [1, 2] },
      { attr: 'address.lines[0]', beginsWith: 'x' },
      { attr: 'tags', contains: 'x' },
      { attr: 'age', lt: ref('address.geo.lat') },
      { size: 'tags', gt: 2 },
      { and: [{ attr: 'active', eq: true }, { not: { attr: 'tags', exists: true } }] },
    ];
    // @ts-expect-error unknown attribute
    ok.push({ attr: 'nme', eq: 'Ann' });
    // @ts-expect-error age is a number
    ok.push({ attr: 'age', eq: 'old' });
    // @ts-expect-error booleans are not ordered
    ok.push({ attr: 'active', lt: true });
    // @ts-expect-error beginsWith needs a string attribute
    ok.push({ attr: 'age', beginsWith: '1' });
    // @ts-expect-error one operator per condition
    ok.push({ attr: 'age', eq: 1, ne: 2 });
    // @ts-expect-error a reference must name a real path
    ok.push({ attr: 'age', lt: ref('nope') });
    // @ts-expect-error size compares with numbers
    ok.push({ size: 'name', eq: 'x' });
    expect(buildExpression<User>({ condition: { and: ok.slice(0, 7) } }).ConditionExpression).toBe(
      '#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2 AND begins_with(#n2.#n3[0], :v3) AND contains(#n4, :v4) AND #n1 < #n2.#n5.#n6 AND size(#n4) > :v5 AND #n7 = :v6 AND NOT (attribute_exists(#n4))',
    );
  });

  it('update actions check the operation against the path type', () => {
    const ok: UpdateAction<User>[] = [
      { set: 'name', value: 'Ann' },
      { set: 'age', increment: 1 },
      { set: 'address.lines', append: ['x'] },
      { add: 'tags', value: new Set(['a']) },
      { remove: 'address.geo' },
    ];
    // @ts-expect-error increment needs a number attribute
    ok.push({ set: 'name', increment: 1 });
    // @ts-expect-error append needs a list attribute
    ok.push({ set: 'name', append: ['x'] });
    // @ts-expect-error delete takes a set from a set attribute
    ok.push({ delete: 'age', value: new Set([1]) });
    // @ts-expect-error value and increment are exclusive
    ok.push({ set: 'age', value: 1, increment: 1 });
    expect(buildExpression<User>({ update: ok.slice(0, 5) }).UpdateExpression).toBe(
      'SET #n0 = :v0, #n1 = #n1 + :v1, #n2.#n3 = list_append(#n2.#n3, :v2) REMOVE #n2.#n4 ADD #n5 :v3',
    );
  });

  it('without an item type every string is a path (the generic repository needs this)', () => {
    expectTypeOf<Path<Record<string, unknown>>>().toEqualTypeOf<string>();
    const any: Condition = { attr: 'whatever.deep[3]', eq: { x: 1 } };
    expect(buildExpression({ condition: any }).ConditionExpression).toBe('#n0.#n1[3] = :v0');
  });
});
