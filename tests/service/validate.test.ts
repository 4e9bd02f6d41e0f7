import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/service/routes.ts';
import { validateBody, validateUserId } from '../../src/service/validate.ts';
import { httpFailure } from './failure.ts';

const found = ROUTES.find((route) => route.operation === 'putUser')?.body;
if (found === undefined) throw new Error('putUser has no body schema');
const schema = found;

function bodyError(body: unknown): string {
  const error = httpFailure(() => validateBody(schema, body));
  expect(error.status).toBe(400);
  return error.message;
}

describe('validateUserId', () => {
  it.each(['abcdefgh', 'ABC12345', '0'.repeat(64), 'aZ09aZ09'])('accepts %j', (id) => {
    expect(validateUserId(id)).toBe(id);
  });

  it.each([
    ['abcdefg', 'seven characters'],
    ['a'.repeat(65), 'sixty-five characters'],
    ['abc-1234', 'a hyphen'],
    ['abcd 1234', 'a space'],
    ['abcdéfgh', 'a non-ASCII letter'],
    ['abcdefgh\n', 'a trailing newline'],
    ['%41bcdefg', 'a percent sign'],
  ])('refuses %j (%s)', (id) => {
    const error = httpFailure(() => validateUserId(id));
    expect(error.status).toBe(400);
    expect(error.message).toBe('`id` must match [0-9A-Za-z]{8,64}');
  });

  it.each([undefined, null, '', 42])('says `id` is required for %j', (id) => {
    expect(httpFailure(() => validateUserId(id)).message).toBe('`id` is required');
  });
});

describe('validateBody (POST /user/{id})', () => {
  it('accepts name and trims it', () => {
    expect(validateBody(schema, { name: '  Ada  ' })).toEqual({ name: 'Ada' });
  });

  it('accepts lock_version as a positive safe integer', () => {
    expect(validateBody(schema, { name: 'Ada', lock_version: 3 })).toEqual({
      name: 'Ada',
      lock_version: 3,
    });
  });

  it('counts characters as code points: 256 emoji pass, 257 do not', () => {
    expect(validateBody(schema, { name: '😀'.repeat(256) })).toEqual({ name: '😀'.repeat(256) });
    expect(bodyError({ name: '😀'.repeat(257) })).toBe(
      '`name` must be 1-256 characters after trimming; it has 257',
    );
  });

  it.each([
    [[], 'request body must be a JSON object'],
    [null, 'request body must be a JSON object'],
    ['Ada', 'request body must be a JSON object'],
    [42, 'request body must be a JSON object'],
    [{}, '`name` is required'],
    [{ name: null }, '`name` must be a string'],
    [{ name: 42 }, '`name` must be a string'],
    [{ name: ['Ada'] }, '`name` must be a string'],
    [{ name: '' }, '`name` must be 1-256 characters after trimming; it has 0'],
    [{ name: ' \t\n ' }, '`name` must be 1-256 characters after trimming; it has 0'],
    [{ name: 'a'.repeat(257) }, '`name` must be 1-256 characters after trimming; it has 257'],
    [{ name: 'a\uD800b' }, '`name` must be valid Unicode text'],
    [{ name: 'Ada', extra: 1 }, 'unknown field `extra`'],
    [{ name: 'Ada', id: 'abcdefgh' }, 'unknown field `id`'],
    [{ name: 'Ada', lock_version: 0 }, '`lock_version` must be an integer of at least 1'],
    [{ name: 'Ada', lock_version: 1.5 }, '`lock_version` must be an integer of at least 1'],
    [{ name: 'Ada', lock_version: '3' }, '`lock_version` must be an integer of at least 1'],
    [{ name: 'Ada', lock_version: 2 ** 53 }, '`lock_version` must be an integer of at least 1'],
    [{ name: 'Ada', lock_version: null }, '`lock_version` must be an integer of at least 1'],
  ])('refuses %j: %s', (body, message) => {
    expect(bodyError(body)).toBe(message);
  });

  it('treats "__proto__" from JSON as an unknown field', () => {
    expect(bodyError(JSON.parse('{"name":"Ada","__proto__":{"x":1}}'))).toBe(
      'unknown field `__proto__`',
    );
  });

  it('escapes and shortens an unknown field name in the message', () => {
    const message = bodyError({ name: 'Ada', [`x\n${'y'.repeat(300)}`]: 1 });
    expect(message).toMatch(/^unknown field `x\\ny+…`$/);
    expect(message.length).toBeLessThan(100);
  });
});
