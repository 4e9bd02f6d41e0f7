// The API definition's canonical form and id (src/service/api-definition.ts).
import { describe, expect, it } from 'vitest';
import {
  apiDefinition,
  apiDefinitionId,
  canonicalJson,
  parseApiDefinition,
} from '../../src/service/api-definition.ts';
import { ROUTES, type RouteSpec } from '../../src/service/routes.ts';

describe('API definition', () => {
  it('is canonical: key order and route order do not change the id', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: 3 } })).toBe(
      '{"a":{"c":3,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
    const id = apiDefinitionId(apiDefinition());
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(apiDefinitionId(apiDefinition([...ROUTES].reverse()))).toBe(id);
    expect(apiDefinitionId(JSON.parse(JSON.stringify(apiDefinition())))).toBe(id);
  });

  it('carries routes, request models, gateway responses and binary media types', () => {
    const definition = apiDefinition();
    expect(definition.routes.map((r) => `${r.method} ${r.resource} ${r.operation}`)).toEqual([
      'DELETE /user/{id} deleteUser',
      'GET /user/{id} getUser',
      'POST /user/{id} putUser',
    ]);
    const post = definition.routes.find((r) => r.method === 'POST');
    expect(post?.model).toMatchObject({
      title: 'PutUserBody',
      required: ['name'],
      properties: { name: { type: 'string', minLength: 1 } },
    });
    expect(Object.keys(definition.gateway_responses).sort()).toEqual([
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'MISSING_AUTHENTICATION_TOKEN',
    ]);
    expect(parseApiDefinition(definition)).toBe(definition);
    expect(parseApiDefinition({ format: 2, routes: [] })).toBeUndefined();
  });

  it('gets a new id for a model, route or setting change, and only then', () => {
    const id = apiDefinitionId(apiDefinition());
    const longer: RouteSpec[] = ROUTES.map((route) =>
      route.body === undefined
        ? route
        : {
            ...route,
            body: {
              fields: {
                ...route.body.fields,
                name: { type: 'string', required: true, minLength: 2 },
              },
            },
          },
    );
    expect(apiDefinitionId(apiDefinition(longer))).not.toBe(id);
    // maxLength is not in the model, so it is not in the definition either
    const maxOnly: RouteSpec[] = ROUTES.map((route) =>
      route.body === undefined
        ? route
        : {
            ...route,
            body: {
              fields: {
                ...route.body.fields,
                name: { type: 'string', required: true, minLength: 1, maxLength: 9 },
              },
            },
          },
    );
    expect(apiDefinitionId(apiDefinition(maxOnly))).toBe(id);
    expect(apiDefinitionId(apiDefinition(ROUTES.slice(1)))).not.toBe(id);
    expect(apiDefinitionId(apiDefinition(ROUTES, { binaryMediaTypes: ['image/png'] }))).not.toBe(
      id,
    );
  });
});
