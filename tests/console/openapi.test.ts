import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { STAGES } from '../../src/config/stages.ts';
import { openApiBodySchema, openApiDocument } from '../../src/console/openapi.ts';
import { bodyModel, JSON_SCHEMA_DRAFT4 } from '../../src/service/request-model.ts';
import { ROUTES, USER_ID_PATTERN } from '../../src/service/routes.ts';

const document = () =>
  openApiDocument({
    routes: ROUTES,
    version: '1.0.0',
    serverUrl: (stage) => `/${stage}`,
    serverNote: (stage) => `${stage} note`,
  });

describe('openApiDocument', () => {
  it('is a valid OpenAPI 3.1 document (checked against the 3.1 schema)', async () => {
    const validator = new Validator();
    // The validator takes an object, a JSON/YAML string or a file name; pass a copy.
    const copy = JSON.parse(JSON.stringify(document())) as Parameters<Validator['validate']>[0];
    const result = await validator.validate(copy);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('has one operation per route of the table, under its resource and method', () => {
    const doc = document();
    for (const route of ROUTES) {
      const operation = doc.paths[route.resource]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.resource}`).toMatchObject({
        operationId: route.operation,
      });
    }
    const count = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(count).toBe(ROUTES.length);
  });

  it('follows the table it is given (a table without POST has no POST)', () => {
    const doc = openApiDocument({
      routes: ROUTES.filter((route) => route.method !== 'POST'),
      version: '1',
      serverUrl: (stage) => `/${stage}`,
    });
    expect(Object.keys(doc.paths['/user/{id}'] ?? {}).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(doc.components.schemas)).not.toContain('PutUserBody');
  });

  it("reuses the request model for bodies, without draft 4's $schema", () => {
    const doc = document();
    const body = ROUTES.find((route) => route.body !== undefined)?.body;
    if (body === undefined) throw new Error('the route table has no body');
    const model = bodyModel(body, 'PutUserBody');
    expect(model.$schema).toBe(JSON_SCHEMA_DRAFT4);
    const rest: Record<string, unknown> = { ...model };
    delete rest.$schema;
    expect(doc.components.schemas.PutUserBody).toEqual(rest);
    expect(openApiBodySchema(model)).toEqual(rest);
    expect(JSON.stringify(doc)).not.toContain('draft-04');
    const operation = doc.paths['/user/{id}']?.post as {
      requestBody: { content: Record<string, { schema: unknown }> };
    };
    expect(operation.requestBody.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/PutUserBody',
    });
  });

  it('describes the path parameter with the id pattern, and one server per stage', () => {
    const doc = document();
    const get = doc.paths['/user/{id}']?.get as { parameters: { name: string; schema: unknown }[] };
    expect(get.parameters.find((p) => p.name === 'id')?.schema).toEqual({
      type: 'string',
      pattern: USER_ID_PATTERN.source,
    });
    expect(doc.servers).toEqual(
      STAGES.map((stage) => ({ url: `/${stage}`, description: `${stage} note` })),
    );
  });
});
