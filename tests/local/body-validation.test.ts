// The local gateway's request validator (src/local/gateway/body-validation.ts) on the request
// model of the route table, keyword by keyword.
import { describe, expect, it } from 'vitest';
import { bodyMatchesModel, validatesContentType } from '../../src/local/gateway/body-validation.ts';
import { bodyModel } from '../../src/service/request-model.ts';
import { ROUTES } from '../../src/service/routes.ts';

const putUser = ROUTES.find((route) => route.operation === 'putUser')?.body;
if (putUser === undefined) throw new Error('putUser has no body');
const model = bodyModel(putUser, 'PutUserBody');
const ok = (body: string) => bodyMatchesModel(body, model);

describe('body validation against the putUser model', () => {
  it('accepts what the model allows', () => {
    expect(ok('{"name":"A"}')).toBe(true);
    expect(ok('{"name":"Ada","lock_version":1}')).toBe(true);
    // number, not integer: 1.0 and 2.5 pass the model (the function refuses fractions itself)
    expect(ok('{"name":"Ada","lock_version":2.5}')).toBe(true);
    // no maxLength in the model (surrounding blanks may be trimmed by the function)
    expect(ok(JSON.stringify({ name: 'x'.repeat(300) }))).toBe(true);
    expect(bodyMatchesModel(Buffer.from('{"name":"é"}'), model)).toBe(true);
  });

  it('type object: refuses non-objects and anything that is not JSON', () => {
    for (const body of ['[]', 'null', '"name"', '42', '', '{"name":', 'name=A']) {
      expect(ok(body), body).toBe(false);
    }
  });

  it('required, additionalProperties false, type string/number', () => {
    expect(ok('{}')).toBe(false);
    expect(ok('{"lock_version":1}')).toBe(false);
    expect(ok('{"name":"A","admin":true}')).toBe(false);
    expect(ok('{"name":1}')).toBe(false);
    expect(ok('{"name":null}')).toBe(false);
    expect(ok('{"name":"A","lock_version":"1"}')).toBe(false);
  });

  it('minLength counts characters (code points), minimum is inclusive', () => {
    expect(ok('{"name":""}')).toBe(false);
    // one astral character: two UTF-16 units, one character
    const strict = bodyModel(
      { fields: { name: { type: 'string', required: true, minLength: 2 } } },
      'T',
    );
    expect(bodyMatchesModel(JSON.stringify({ name: '😀' }), strict)).toBe(false);
    expect(bodyMatchesModel(JSON.stringify({ name: '😀😀' }), strict)).toBe(true);
    expect(ok('{"name":"A","lock_version":0}')).toBe(false);
    expect(ok('{"name":"A","lock_version":0.99}')).toBe(false);
  });

  it('checks application/json (any parameters, any case) and a missing Content-Type only', () => {
    expect(validatesContentType(undefined)).toBe(true);
    expect(validatesContentType('application/json')).toBe(true);
    expect(validatesContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(validatesContentType('text/plain')).toBe(false);
    expect(validatesContentType('application/x-www-form-urlencoded')).toBe(false);
  });
});
