/**
 * The request model of a route's JSON body, derived once from the route table: the JSON
 * Schema (draft 4, what API Gateway models use) that the deployed API's `RequestValidator`
 * checks before the function runs. The CDK stack wraps it in its `Model` (src/infra/models.ts);
 * the local gateway and the API's OpenAPI document use the same object, so an invalid body gets
 * the same answer everywhere.
 *
 * It must never be stricter than the function's own validation (src/service/validate.ts), or
 * AWS would refuse bodies the local stack accepts. So:
 * - strings keep `minLength` (the function's length is counted after trimming, and a trimmed
 *   string is never longer than the raw one) but not `maxLength` (surrounding blanks may push a
 *   valid name over it before trimming);
 * - integers are `number` with their `minimum`: API Gateway's validator types `1.0` as a
 *   number, not an integer, while the function accepts it as 1. The function rejects
 *   fractions with its own message.
 */
import type { BodySchema } from './routes.ts';

/** The `$schema` of API Gateway models. */
export const JSON_SCHEMA_DRAFT4 = 'http://json-schema.org/draft-04/schema#';

/** One property of a body model. */
export interface ModelProperty {
  readonly type: 'string' | 'number';
  readonly minLength?: number;
  readonly minimum?: number;
}

/** A body model: a JSON object with known properties and no others. */
export interface BodyModel {
  readonly $schema: typeof JSON_SCHEMA_DRAFT4;
  readonly title: string;
  readonly type: 'object';
  readonly properties: Readonly<Record<string, ModelProperty>>;
  readonly required?: readonly string[];
  readonly additionalProperties: false;
}

/** The model API Gateway checks a route's JSON body against; see the module comment. */
export function bodyModel(body: BodySchema, title: string): BodyModel {
  const properties: Record<string, ModelProperty> = {};
  for (const [name, field] of Object.entries(body.fields)) {
    properties[name] =
      field.type === 'string'
        ? { type: 'string', ...(field.minLength !== undefined && { minLength: field.minLength }) }
        : { type: 'number', ...(field.minimum !== undefined && { minimum: field.minimum }) };
  }
  const required = Object.entries(body.fields)
    .filter(([, field]) => field.required)
    .map(([name]) => name);
  return {
    $schema: JSON_SCHEMA_DRAFT4,
    title,
    type: 'object',
    properties,
    ...(required.length > 0 && { required }),
    additionalProperties: false,
  };
}
