import { describe, expect, it } from 'vitest';
import {
  buildExpression,
  ExpressionError,
  ExpressionTooLongError,
  ref,
  type Condition,
  type ExpressionInput,
} from '../../src/dynamo/expression/index.ts';

interface User {
  id: string;
  name: string;
  age: number;
  lock_version: number;
  tags?: Set<string>;
  scores?: Set<number>;
  history?: string[];
  address?: { city: string; lines: string[]; geo?: { lat: number; lon: number } };
  photo?: Uint8Array;
  active?: boolean;
  note?: string | null;
}

const cond = (condition: Condition<User>) => buildExpression<User>({ condition });

describe('conditions: one per operator', () => {
  it.each([
    ['eq', { attr: 'name', eq: 'Ann' }, '#n0 = :v0', 'Ann'],
    ['ne', { attr: 'name', ne: 'Ann' }, '#n0 <> :v0', 'Ann'],
    ['lt', { attr: 'age', lt: 18 }, '#n0 < :v0', 18],
    ['le', { attr: 'age', le: 18 }, '#n0 <= :v0', 18],
    ['gt', { attr: 'age', gt: 18 }, '#n0 > :v0', 18],
    ['ge', { attr: 'age', ge: 18 }, '#n0 >= :v0', 18],
    ['beginsWith', { attr: 'name', beginsWith: 'A' }, 'begins_with(#n0, :v0)', 'A'],
    ['contains (substring)', { attr: 'name', contains: 'nn' }, 'contains(#n0, :v0)', 'nn'],
    ['contains (set element)', { attr: 'tags', contains: 'x' }, 'contains(#n0, :v0)', 'x'],
    ['type', { attr: 'note', type: 'NULL' }, 'attribute_type(#n0, :v0)', 'NULL'],
  ] as const)('%s', (_, condition, expression, value) => {
    expect(cond(condition as Condition<User>)).toEqual({
      ConditionExpression: expression,
      ExpressionAttributeNames: { '#n0': (condition as { attr: string }).attr },
      ExpressionAttributeValues: { ':v0': value },
    });
  });

  it('exists / not exists use no values', () => {
    expect(cond({ attr: 'name', exists: true })).toEqual({
      ConditionExpression: 'attribute_exists(#n0)',
      ExpressionAttributeNames: { '#n0': 'name' },
    });
    expect(cond({ attr: 'name', exists: false })).toEqual({
      ConditionExpression: 'attribute_not_exists(#n0)',
      ExpressionAttributeNames: { '#n0': 'name' },
    });
  });

  it('between and in', () => {
    expect(cond({ attr: 'age', between: [18, 65] })).toEqual({
      ConditionExpression: '#n0 BETWEEN :v0 AND :v1',
      ExpressionAttributeNames: { '#n0': 'age' },
      ExpressionAttributeValues: { ':v0': 18, ':v1': 65 },
    });
    expect(cond({ attr: 'name', in: ['a', 'b', 'c'] })).toEqual({
      ConditionExpression: '#n0 IN (:v0, :v1, :v2)',
      ExpressionAttributeNames: { '#n0': 'name' },
      ExpressionAttributeValues: { ':v0': 'a', ':v1': 'b', ':v2': 'c' },
    });
  });

  it('size with every comparison and between', () => {
    expect(cond({ size: 'tags', le: 3 }).ConditionExpression).toBe('size(#n0) <= :v0');
    expect(cond({ size: 'name', between: [1, 64] })).toEqual({
      ConditionExpression: 'size(#n0) BETWEEN :v0 AND :v1',
      ExpressionAttributeNames: { '#n0': 'name' },
      ExpressionAttributeValues: { ':v0': 1, ':v1': 64 },
    });
  });

  it('compares two attributes through ref()', () => {
    expect(cond({ attr: 'age', lt: ref('lock_version') })).toEqual({
      ConditionExpression: '#n0 < #n1',
      ExpressionAttributeNames: { '#n0': 'age', '#n1': 'lock_version' },
    });
    expect(cond({ attr: 'age', between: [ref('lock_version'), 99] })).toMatchObject({
      ConditionExpression: '#n0 BETWEEN #n1 AND :v0',
    });
  });

  it('a map shaped like { attr } stays a value, never a reference', () => {
    const out = buildExpression({ condition: { attr: 'profile', eq: { attr: 'password' } } });
    expect(out.ConditionExpression).toBe('#n0 = :v0');
    expect(out.ExpressionAttributeValues).toEqual({ ':v0': { attr: 'password' } });
  });
});

describe('values', () => {
  it('accepts what the DocumentClient marshals: Map, bigint, NumberValue, binaries, nested', () => {
    class NumberValue {
      constructor(readonly value: string) {}
      toAttributeValue() {
        return { N: this.value };
      }
    }
    const values = [
      new Map([['k', 1]]),
      12345678901234567890n,
      new NumberValue('1.00000000000000000001'),
      new Uint8Array([1]),
      { list: [null, true, 'x', new Set([1])] },
    ];
    const out = buildExpression({ condition: { attr: 'a', in: values } });
    expect(Object.values(out.ExpressionAttributeValues ?? {})).toEqual(values);
  });
});

describe('nesting and placeholders', () => {
  it('and / or / not with parentheses only where precedence needs them', () => {
    const out = cond({
      and: [
        { attr: 'name', eq: 'x' },
        { or: [{ attr: 'age', gt: 1 }, { not: { attr: 'active', exists: true } }] },
        {
          and: [
            { attr: 'age', lt: 9 },
            { attr: 'lock_version', eq: 1 },
          ],
        },
      ],
    });
    expect(out.ConditionExpression).toBe(
      '#n0 = :v0 AND (#n1 > :v1 OR NOT (attribute_exists(#n2))) AND #n1 < :v2 AND #n3 = :v3',
    );
  });

  it('an OR of ANDs keeps each AND grouped; a one-element AND is its child', () => {
    expect(
      cond({
        or: [
          {
            and: [
              { attr: 'age', eq: 1 },
              { attr: 'name', eq: 'a' },
            ],
          },
          {
            and: [
              {
                or: [
                  { attr: 'age', eq: 2 },
                  { attr: 'age', eq: 3 },
                ],
              },
            ],
          },
        ],
      }).ConditionExpression,
    ).toBe('(#n0 = :v0 AND #n1 = :v1) OR #n0 = :v2 OR #n0 = :v3');
    expect(
      cond({
        and: [
          {
            or: [
              {
                or: [
                  { attr: 'age', eq: 2 },
                  { attr: 'age', eq: 3 },
                ],
              },
            ],
          },
          { attr: 'name', eq: 'a' },
        ],
      }).ConditionExpression,
    ).toBe('(#n0 = :v0 OR #n0 = :v1) AND #n1 = :v2');
  });

  it('not of not, and not of a compound', () => {
    expect(cond({ not: { not: { attr: 'age', eq: 1 } } }).ConditionExpression).toBe(
      'NOT (NOT (#n0 = :v0))',
    );
    expect(
      cond({
        not: {
          or: [
            { attr: 'age', eq: 1 },
            { attr: 'age', eq: 2 },
          ],
        },
      }).ConditionExpression,
    ).toBe('NOT (#n0 = :v0 OR #n0 = :v1)');
  });

  it('nested paths: dotted and indexed segments, names reused', () => {
    expect(cond({ attr: 'address.lines[2]', eq: 'x' })).toEqual({
      ConditionExpression: '#n0.#n1[2] = :v0',
      ExpressionAttributeNames: { '#n0': 'address', '#n1': 'lines' },
      ExpressionAttributeValues: { ':v0': 'x' },
    });
    const any = buildExpression({ condition: { attr: 'a.b[2].c', eq: 1 } });
    expect(any.ConditionExpression).toBe('#n0.#n1[2].#n2 = :v0');
    const reuse = buildExpression({
      condition: {
        and: [
          { attr: 'a.a[0][1].a', eq: 1 },
          { attr: 'b.a', exists: true },
        ],
      },
    });
    expect(reuse.ConditionExpression).toBe('#n0.#n0[0][1].#n0 = :v0 AND attribute_exists(#n1.#n0)');
    expect(reuse.ExpressionAttributeNames).toEqual({ '#n0': 'a', '#n1': 'b' });
  });

  it('reserved words and odd characters travel as placeholders', () => {
    expect(
      buildExpression({ condition: { attr: 'name.size-x y.#not', eq: 1 } })
        .ExpressionAttributeNames,
    ).toEqual({ '#n0': 'name', '#n1': 'size-x y', '#n2': '#not' });
  });

  it('is deterministic: the same input gives the same output', () => {
    const input: Condition<User> = {
      or: [
        { attr: 'age', in: [1, 2] },
        { attr: 'name', eq: 'z' },
      ],
    };
    expect(cond(input)).toEqual(cond(input));
  });
});

describe('updates', () => {
  const upd = (...update: Parameters<typeof buildExpression<User>>[0]['update'] & object) =>
    buildExpression<User>({ update });

  it('set value, ifNotExists, increment, decrement', () => {
    expect(
      upd(
        { set: 'name', value: 'Ann' },
        { set: 'age', ifNotExists: 0 },
        { set: 'lock_version', increment: 1 },
        { set: 'address.geo.lat', decrement: 2 },
      ),
    ).toEqual({
      UpdateExpression:
        'SET #n0 = :v0, #n1 = if_not_exists(#n1, :v1), #n2 = #n2 + :v2, #n3.#n4.#n5 = #n3.#n4.#n5 - :v3',
      ExpressionAttributeNames: {
        '#n0': 'name',
        '#n1': 'age',
        '#n2': 'lock_version',
        '#n3': 'address',
        '#n4': 'geo',
        '#n5': 'lat',
      },
      ExpressionAttributeValues: { ':v0': 'Ann', ':v1': 0, ':v2': 1, ':v3': 2 },
    });
  });

  it('from: ifNotExists and increment read another attribute', () => {
    expect(
      upd(
        { set: 'name', ifNotExists: 'x', from: 'address.city' },
        { set: 'age', increment: 1, start: 0, from: 'lock_version' },
        { set: 'address.geo.lat', decrement: 2, from: 'age' },
      ),
    ).toEqual({
      UpdateExpression:
        'SET #n0 = if_not_exists(#n1.#n2, :v0), #n3 = if_not_exists(#n4, :v1) + :v2, #n1.#n5.#n6 = #n3 - :v3',
      ExpressionAttributeNames: {
        '#n0': 'name',
        '#n1': 'address',
        '#n2': 'city',
        '#n3': 'age',
        '#n4': 'lock_version',
        '#n5': 'geo',
        '#n6': 'lat',
      },
      ExpressionAttributeValues: { ':v0': 'x', ':v1': 0, ':v2': 1, ':v3': 2 },
    });
  });

  it('from is refused on value and append', () => {
    expect(() => buildExpression({ update: [{ set: 'a', value: 1, from: 'b' } as never] })).toThrow(
      /unexpected "from"/,
    );
  });

  it('a negative increment keeps "+" and the negative value', () => {
    expect(upd({ set: 'age', increment: -3 })).toMatchObject({
      UpdateExpression: 'SET #n0 = #n0 + :v0',
      ExpressionAttributeValues: { ':v0': -3 },
    });
  });

  it('increment with a start reads a missing attribute as the start', () => {
    expect(upd({ set: 'age', increment: 5, start: 0 })).toMatchObject({
      UpdateExpression: 'SET #n0 = if_not_exists(#n0, :v0) + :v1',
      ExpressionAttributeValues: { ':v0': 0, ':v1': 5 },
    });
  });

  it('append and prepend use list_append', () => {
    expect(
      upd({ set: 'history', append: ['x'] }, { set: 'address.lines', prepend: ['y'] }),
    ).toMatchObject({
      UpdateExpression: 'SET #n0 = list_append(#n0, :v0), #n1.#n2 = list_append(:v1, #n1.#n2)',
    });
  });

  it('set from another attribute', () => {
    expect(upd({ set: 'name', value: ref('address.city') }).UpdateExpression).toBe(
      'SET #n0 = #n1.#n2',
    );
  });

  it('remove, add, delete, grouped in SET REMOVE ADD DELETE order', () => {
    const tags = new Set(['a']);
    const out = upd(
      { delete: 'tags', value: tags },
      { add: 'scores', value: new Set([1]) },
      { remove: 'photo' },
      { add: 'age', value: 1 },
      { set: 'name', value: 'n' },
      { remove: 'address.lines[0]' },
    );
    expect(out).toEqual({
      UpdateExpression: 'SET #n0 = :v0 REMOVE #n1, #n2.#n3[0] ADD #n4 :v1, #n5 :v2 DELETE #n6 :v3',
      ExpressionAttributeNames: {
        '#n0': 'name',
        '#n1': 'photo',
        '#n2': 'address',
        '#n3': 'lines',
        '#n4': 'scores',
        '#n5': 'age',
        '#n6': 'tags',
      },
      ExpressionAttributeValues: { ':v0': 'n', ':v1': new Set([1]), ':v2': 1, ':v3': tags },
    });
  });
});

describe('condition + update in one request', () => {
  it('share one allocator: names reused across both, values never clash', () => {
    const out = buildExpression<User>({
      condition: {
        and: [
          { attr: 'id', exists: true },
          { attr: 'lock_version', eq: 3 },
        ],
      },
      update: [
        { set: 'name', value: 'Ann' },
        { set: 'lock_version', increment: 1 },
      ],
    });
    expect(out).toEqual({
      ConditionExpression: 'attribute_exists(#n0) AND #n1 = :v0',
      UpdateExpression: 'SET #n2 = :v1, #n1 = #n1 + :v2',
      ExpressionAttributeNames: { '#n0': 'id', '#n1': 'lock_version', '#n2': 'name' },
      ExpressionAttributeValues: { ':v0': 3, ':v1': 'Ann', ':v2': 1 },
    });
  });
});

describe('errors', () => {
  const fails = (input: ExpressionInput, code: string | undefined, message: RegExp) => {
    let caught: unknown;
    try {
      buildExpression(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    if (code !== undefined) expect((caught as ExpressionError).code).toBe(code);
    expect((caught as ExpressionError).message).toMatch(message);
  };

  it.each([
    ['', /the path is empty/],
    ['a..b', /empty attribute name at offset 2/],
    ['.a', /empty attribute name at offset 0/],
    ['a.', /ends with "."/],
    ['a[', /unclosed "\["/],
    ['a[]', /list index "\[\]"/],
    ['a[x]', /list index "\[x\]"/],
    ['a[-1]', /list index "\[-1\]"/],
    ['a[01]', /list index "\[01\]"/],
    ['[0]', /empty attribute name/],
    ['a[0]b', /expected "." or "\[" at offset 4/],
    ['a]', /unexpected "\]"/],
    [Array.from({ length: 33 }, () => 'x').join('.'), /33 levels deep; DynamoDB allows 32/],
  ])('malformed path %j', (path, message) => {
    fails({ condition: { attr: path, eq: 1 } }, 'expression.invalidPath', message);
  });

  it('in takes 1..100 values', () => {
    fails(
      { condition: { attr: 'a', in: [] } },
      'expression.invalidCondition',
      /1 to 100 values.*got 0/,
    );
    const many = Array.from({ length: 101 }, (_, i) => i);
    fails({ condition: { attr: 'a', in: many } }, 'expression.invalidCondition', /got 101/);
    expect(
      buildExpression({ condition: { attr: 'a', in: many.slice(0, 100) } }).ConditionExpression,
    ).toMatch(/:v99\)$/);
  });

  it('empty and / or are refused', () => {
    fails(
      { condition: { and: [] } },
      'expression.invalidCondition',
      /condition\.and: and needs at least one/,
    );
    fails(
      { condition: { or: [{ attr: 'a', eq: 1 }, { or: [] }] } },
      'expression.invalidCondition',
      /condition\.or\[1\]\.or: or needs at least one/,
    );
  });

  it.each([
    [{}, /expected \{ attr, <operator> \}/],
    [{ attr: 'a' }, /no operator/],
    [{ attr: 'a', eq: 1, ne: 2 }, /one operator per condition, got eq and ne/],
    [{ attr: 'a', equals: 1 }, /unknown operator "equals"/],
    [{ size: 'a', beginsWith: 'x' }, /unknown operator "beginsWith"/],
    [{ size: 'a', eq: '3' }, /size is compared with finite numbers only/],
    [{ and: [{ attr: 'a', eq: 1 }], or: [] }, /"and" cannot be combined with "or"/],
    [{ attr: 'a', lt: true }, /ordering needs a number, string or binary, got BOOL/],
    [{ attr: 'a', between: [1] }, /between takes an array of two bounds/],
    [{ attr: 'a', between: [1, 'b'] }, /same type, got N and S/],
    [{ attr: 'a', between: [5, 3] }, /low <= high/],
    [{ attr: 'a', exists: 'yes' }, /exists takes true or false/],
    [{ attr: 'a', type: 'STRING' }, /type must be one of S, SS/],
    [{ attr: 'a', beginsWith: 3 }, /beginsWith takes a string/],
    [{ attr: 'a', eq: undefined }, /invalid value for condition.eq: undefined/],
    [{ attr: 'a', eq: { b: [1, undefined] } }, /undefined is not a DynamoDB value/],
    [{ attr: 'a', eq: Number.NaN }, /NaN is not a finite number/],
    [{ attr: 'a', contains: new Set() }, /empty sets/],
    [{ attr: 'a', eq: new Set([1, 'x']) }, /only strings, only numbers/],
    [{ attr: 'a', eq: ref('a') }, /compares "a" with itself/],
    [{ attr: 'a', eq: new Date(0) }, /a Date is not a DynamoDB value; store date.toISOString\(\)/],
    [{ attr: 'a', eq: { at: new URL('http://x') } }, /a URL instance is not a DynamoDB value/],
    [{ attr: 'a', eq: () => 1 }, /a function is not a DynamoDB value/],
    [{ attr: 'a', eq: 2 ** 60 }, /beyond Number.MAX_SAFE_INTEGER; pass a bigint/],
    [{ not: 'x' }, /condition\.not: expected a condition object/],
  ])('condition %j', (condition, message) => {
    fails({ condition: condition as Condition }, undefined, message);
  });

  it.each([
    [[], /no update actions/],
    [[{ set: 'a' }], /set needs one of value/],
    [[{ set: 'a', value: 1, increment: 1 }], /got value and increment/],
    [[{ set: 'a', value: 1, start: 0 }], /unexpected "start"/],
    [[{ set: 'a', increment: '1' }], /expected a finite number/],
    [[{ set: 'a', append: 'x' }], /append takes an array/],
    [[{ add: 'a', value: 'x' }], /add takes a number or a set, got S/],
    [[{ delete: 'a', value: 1 }], /delete takes a set/],
    [[{ remove: 'a', value: 1 }], /unexpected "value"/],
    [[{ put: 'a' }], /expected \{ set/],
    [[{ set: 'a', value: 1 }, { remove: 'a' }], /actions 0 \("a"\) and 1 \("a"\) overlap/],
    [[{ set: 'a.b', value: 1 }, { remove: 'a' }], /overlap/],
    [[{ set: 'a[0]', value: 1 }, { remove: 'a.b' }], /conflict/],
  ])('update %j', (update, message) => {
    fails({ update: update as never }, 'expression.invalidUpdate', message);
  });

  it('independent sibling paths are fine', () => {
    expect(
      buildExpression({
        update: [
          { set: 'a.b', value: 1 },
          { remove: 'a.c' },
          { remove: 'b[0]' },
          { remove: 'b[1]' },
        ],
      }).UpdateExpression,
    ).toBe('SET #n0.#n1 = :v0 REMOVE #n0.#n2, #n1[0], #n1[1]');
  });

  it('nothing to build is refused', () => {
    fails({}, 'expression.invalidCondition', /needs a condition, an update or both/);
  });

  it('an expression over 4096 bytes is refused with its length', () => {
    // Each IN operand adds ", :vN" (~6 bytes); 100 of them stay short, so grow with OR instead.
    const big: Condition = {
      or: Array.from({ length: 400 }, (_, i) => ({ attr: `a${i}`, eq: i })),
    };
    let caught: unknown;
    try {
      buildExpression({ condition: big });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExpressionTooLongError);
    expect(caught).toMatchObject({
      field: 'ConditionExpression',
      limit: 4096,
      code: 'expression.tooLong',
    });
    expect((caught as ExpressionTooLongError).bytes).toBeGreaterThan(4096);
    expect((caught as Error).message).toMatch(
      /ConditionExpression is \d+ bytes; DynamoDB allows at most 4096/,
    );
  });

  it('exactly 4096 bytes passes, one byte more does not', () => {
    // "attribute_exists(#n0)" is 21 bytes, " OR " 4: 164 terms are 25 * 164 - 4 = 4096 bytes.
    const terms = (last: string) =>
      Array.from({ length: 164 }, (_, i) => ({ attr: i === 163 ? last : 'a', exists: true }));
    const exact = buildExpression({ condition: { or: terms('a') } });
    expect(Buffer.byteLength(exact.ConditionExpression ?? '')).toBe(4096);
    // "a.b" emits "#n0.#n1": four bytes more.
    expect(() => buildExpression({ condition: { or: terms('a.b') } })).toThrow(
      /ConditionExpression is 4100 bytes/,
    );
  });

  it('the limit applies to each expression, not their sum', () => {
    const half = Array.from({ length: 150 }, () => ({ attr: 'a', exists: true }));
    const update = Array.from({ length: 150 }, (_, i) => ({ set: `b${i}`, value: i }));
    const out = buildExpression({ condition: { or: half }, update });
    expect(
      (out.ConditionExpression ?? '').length + (out.UpdateExpression ?? '').length,
    ).toBeGreaterThan(4096);
    expect(() =>
      buildExpression({
        update: Array.from({ length: 400 }, (_, i) => ({ set: `b${i}`, value: i })),
      }),
    ).toThrow(expect.objectContaining({ field: 'UpdateExpression' }));
  });
});
