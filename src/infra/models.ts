/** JSON Schema (draft 4, what API Gateway models use) for a route's request body. */
import { JsonSchemaType, JsonSchemaVersion, type JsonSchema } from 'aws-cdk-lib/aws-apigateway';
import type { BodySchema } from '../service/routes.ts';

/**
 * The model API Gateway checks a JSON body against before the function runs: an object with
 * the required fields, no others, each of its JSON type.
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
export function bodyModelSchema(body: BodySchema, title: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, field] of Object.entries(body.fields)) {
    properties[name] =
      field.type === 'string'
        ? {
            type: JsonSchemaType.STRING,
            ...(field.minLength !== undefined && { minLength: field.minLength }),
          }
        : {
            type: JsonSchemaType.NUMBER,
            ...(field.minimum !== undefined && { minimum: field.minimum }),
          };
  }
  const required = Object.entries(body.fields)
    .filter(([, field]) => field.required)
    .map(([name]) => name);
  return {
    schema: JsonSchemaVersion.DRAFT4,
    title,
    type: JsonSchemaType.OBJECT,
    properties,
    ...(required.length > 0 && { required }),
    additionalProperties: false,
  };
}
