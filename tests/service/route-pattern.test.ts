import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bestMatch,
  resourceTree,
  RoutePattern,
  RoutePatternError,
} from '../../src/service/route-pattern.ts';

const literal = fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/);
const paramName = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
// A non-empty path segment as a request may carry it (no `/`).
const value = fc.stringMatching(/^[^/]{1,12}$/);

describe('RoutePattern', () => {
  it('parses literal, {param} and a last {proxy+} segment', () => {
    const pattern = new RoutePattern('/files/{owner}/{path+}');
    expect(pattern.segments).toEqual([
      { kind: 'literal', value: 'files' },
      { kind: 'param', name: 'owner' },
      { kind: 'greedy', name: 'path' },
    ]);
    expect(pattern.paramNames).toEqual(['owner', 'path']);
    expect(pattern.greedy).toBe(true);
    expect(new RoutePattern('/user/{id}').greedy).toBe(false);
  });

  it.each([
    ['user/{id}', 'start with /'],
    ['/', "'' is neither"],
    ['/user//x', "'' is neither"],
    ['/user/{id', "'{id' is neither"],
    ['/user/{1d}', "'{1d}' is neither"],
    ['/user/a b', "'a b' is neither"],
    ['/{proxy+}/x', 'must be the last segment'],
    ['/user/{id}/{id}', 'appears twice'],
  ])('refuses %j', (source, why) => {
    const error = (() => {
      try {
        new RoutePattern(source);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RoutePatternError);
    expect((error as RoutePatternError).code).toBe('route.invalid');
    expect((error as RoutePatternError).message).toContain(why);
  });

  it('matches {param} to exactly one non-empty segment', () => {
    const pattern = new RoutePattern('/user/{id}');
    expect(pattern.match(['user', 'abc'])).toEqual({ id: 'abc' });
    expect(pattern.match(['user', ''])).toBeUndefined();
    expect(pattern.match(['user'])).toBeUndefined();
    expect(pattern.match(['user', 'a', 'b'])).toBeUndefined();
    expect(pattern.match(['users', 'abc'])).toBeUndefined();
  });

  it('matches {proxy+} to one segment or more, joined with /', () => {
    const pattern = new RoutePattern('/files/{path+}');
    expect(pattern.match(['files', 'a'])).toEqual({ path: 'a' });
    expect(pattern.match(['files', 'a', 'b'])).toEqual({ path: 'a/b' });
    expect(pattern.match(['files'])).toBeUndefined();
    expect(pattern.match(['files', 'a', ''])).toBeUndefined();
  });

  it('gives back, for any filled-in pattern, exactly the values filled in', () => {
    const segment = fc.oneof(
      literal.map((text) => ({ text, name: undefined })),
      paramName.map((name) => ({ text: `{${name}}`, name })),
    );
    fc.assert(
      fc.property(
        fc
          .uniqueArray(segment, { minLength: 1, maxLength: 5, selector: (s) => s.name ?? s.text })
          .chain((segments) =>
            fc.tuple(fc.constant(segments), fc.array(value, { minLength: 5, maxLength: 5 })),
          ),
        ([segments, values]) => {
          const pattern = new RoutePattern(`/${segments.map((s) => s.text).join('/')}`);
          const path = segments.map((s, i) => (s.name === undefined ? s.text : (values[i] ?? '')));
          const expected = Object.fromEntries(
            segments.flatMap((s, i) => (s.name === undefined ? [] : [[s.name, values[i]]])),
          );
          expect(pattern.match(path)).toEqual(expected);
          // One segment more or fewer never matches a fixed-length pattern.
          expect(pattern.match([...path, 'x'])).toBeUndefined();
          expect(pattern.match(path.slice(1))).toBeUndefined();
        },
      ),
    );
  });

  it('ranks fixed over greedy, then more literals first', () => {
    const literalOnly = new RoutePattern('/user/me');
    const param = new RoutePattern('/user/{id}');
    const greedy = new RoutePattern('/user/{rest+}');
    expect(literalOnly.compareSpecificity(param)).toBeLessThan(0);
    expect(param.compareSpecificity(greedy)).toBeLessThan(0);
    expect(greedy.compareSpecificity(literalOnly)).toBeGreaterThan(0);
    expect(param.compareSpecificity(new RoutePattern('/team/{id}'))).toBe(0);
  });
});

describe('bestMatch', () => {
  const entries = ['/user/{id}', '/user/me', '/{proxy+}', '/user/{id}/items/{item}'].map(
    (source) => ({ pattern: new RoutePattern(source), value: source }),
  );

  it('picks the most specific matching pattern, whatever the table order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(entries, { minLength: entries.length }), (shuffled) => {
        expect(bestMatch(shuffled, ['user', 'me'])?.entry.value).toBe('/user/me');
        expect(bestMatch(shuffled, ['user', 'mex'])?.entry.value).toBe('/user/{id}');
        expect(bestMatch(shuffled, ['user', 'a', 'items', 'b'])?.params).toEqual({
          id: 'a',
          item: 'b',
        });
        expect(bestMatch(shuffled, ['other', 'x'])?.params).toEqual({ proxy: 'other/x' });
      }),
    );
  });

  it('keeps table order on a tie and answers undefined when nothing matches', () => {
    const tied = ['/a/{x}', '/{y}/b'].map((source) => ({
      pattern: new RoutePattern(source),
      value: source,
    }));
    expect(bestMatch(tied, ['a', 'b'])?.entry.value).toBe('/a/{x}');
    expect(bestMatch(tied.slice().reverse(), ['a', 'b'])?.entry.value).toBe('/{y}/b');
    expect(bestMatch(tied, ['c', 'd'])).toBeUndefined();
  });
});

describe('resourceTree', () => {
  it('lists every resource once, parents before children', () => {
    const tree = resourceTree(
      ['/user/{id}', '/user/me', '/user/{id}/items/{item+}'].map((s) => new RoutePattern(s)),
    );
    expect(tree).toEqual([
      { path: '/user', pathPart: 'user', parentPath: '/' },
      { path: '/user/{id}', pathPart: '{id}', parentPath: '/user' },
      { path: '/user/me', pathPart: 'me', parentPath: '/user' },
      { path: '/user/{id}/items', pathPart: 'items', parentPath: '/user/{id}' },
      { path: '/user/{id}/items/{item+}', pathPart: '{item+}', parentPath: '/user/{id}/items' },
    ]);
  });
});
