import { describe, expect, it } from 'vitest';
import { bodyModel, JSON_SCHEMA_DRAFT4 } from '../../src/service/request-model.ts';
import { ROUTES } from '../../src/service/routes.ts';

describe('the request model derived from the route table', () => {
  it('is the draft-4 object schema of POST /user/{id}: required name, no other fields', () => {
    const body = ROUTES.find((route) => route.method === 'POST')?.body;
    if (body === undefined) throw new Error('POST /user/{id} has no body schema');
    expect(bodyModel(body, 'PutUserBody')).toEqual({
      $schema: JSON_SCHEMA_DRAFT4,
      title: 'PutUserBody',
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 1 },
        lock_version: { type: 'number', minimum: 1 },
      },
      required: ['name'],
      additionalProperties: false,
    });
  });

  it('omits `required` when no field is required', () => {
    const model = bodyModel(
      { fields: { note: { type: 'string', required: false, maxLength: 3 } } },
      'Note',
    );
    expect(model.required).toBeUndefined();
    // maxLength never reaches the model: the function trims before it counts.
    expect(model.properties.note).toEqual({ type: 'string' });
  });
});
