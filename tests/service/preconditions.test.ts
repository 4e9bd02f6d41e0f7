import { describe, expect, it } from 'vitest';
import { RequestHeaders } from '../../src/service/headers.ts';
import {
  etagFor,
  parseIfMatch,
  parseIfNoneMatch,
  planWrite,
  preconditionFailed,
} from '../../src/service/preconditions.ts';
import { httpFailure } from './failure.ts';

const headers = (values: Record<string, string>) => RequestHeaders.fromEvent({ headers: values });

describe('If-Match / If-None-Match', () => {
  it('reads "n" as a version and * as "must exist"', () => {
    expect(parseIfMatch(headers({ 'if-match': '"7"' }))).toEqual({ version: 7 });
    expect(parseIfMatch(headers({ 'If-Match': '*' }))).toEqual({ any: true });
    expect(parseIfMatch(headers({}))).toBeUndefined();
  });

  it.each(['7', 'W/"7"', '"7", "8"', '"abc"', '"-1"', '"1234567890123456"', '""'])(
    'refuses If-Match %j with 400',
    (value) => {
      const error = httpFailure(() => parseIfMatch(headers({ 'If-Match': value })));
      expect([error.status, error.message]).toEqual([
        400,
        'If-Match must be * or one version in quotes, such as "3"',
      ]);
    },
  );

  it('accepts only * for If-None-Match', () => {
    expect(parseIfNoneMatch(headers({ 'if-none-match': '*' }))).toBe(true);
    expect(parseIfNoneMatch(headers({}))).toBe(false);
    expect(httpFailure(() => parseIfNoneMatch(headers({ 'If-None-Match': '"1"' }))).status).toBe(
      400,
    );
  });

  it('formats the ETag as the quoted version', () => {
    expect(etagFor(12)).toBe('"12"');
  });
});

describe('planWrite', () => {
  it('maps each precondition to its plan', () => {
    expect(planWrite(undefined, true, undefined)).toEqual({ kind: 'create' });
    expect(planWrite({ version: 3 }, false, undefined)).toEqual({
      kind: 'replace-version',
      version: 3,
      mismatch: 412,
    });
    expect(planWrite({ any: true }, false, undefined)).toEqual({ kind: 'replace-existing' });
    expect(planWrite(undefined, false, 3)).toEqual({
      kind: 'replace-version',
      version: 3,
      mismatch: 409,
    });
    expect(planWrite(undefined, false, undefined)).toEqual({ kind: 'upsert' });
  });

  it.each([
    [{ version: 1 }, true, undefined, 'If-Match and If-None-Match'],
    [{ version: 1 }, false, 1, 'If-Match and lock_version'],
    [undefined, true, 1, 'If-None-Match and lock_version'],
  ] as const)('refuses %j + %j + %j with 400', (ifMatch, ifNoneMatch, version, named) => {
    const error = httpFailure(() => planWrite(ifMatch, ifNoneMatch, version));
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      `give only one of If-Match, If-None-Match and lock_version; got ${named}`,
    );
  });
});

describe('preconditionFailed', () => {
  it('carries the current version, or null when the user is absent', () => {
    const mismatch = preconditionFailed(412, 3, 4);
    expect([mismatch.status, mismatch.message, mismatch.details]).toEqual([
      412,
      'precondition failed: expected version 3, but the current version is 4',
      { current_version: 4 },
    ]);
    const absent = preconditionFailed(409, 3, undefined);
    expect([absent.status, absent.message, absent.details]).toEqual([
      409,
      'precondition failed: expected version 3, but the user does not exist',
      { current_version: null },
    ]);
    expect(preconditionFailed(412, 'absent', 2).message).toBe(
      'precondition failed: expected the user not to exist, but the current version is 2',
    );
  });
});
