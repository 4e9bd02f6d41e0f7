/** JSON Schema (draft 4, what API Gateway models use) for a route's request body. */
import { JsonSchemaType, JsonSchemaVersion, type JsonSchema } from 'aws-cdk-lib/aws-apigateway';
import type { BodySchema } from '../service/routes.ts';

const TYPES = {
  string: JsonSchemaType.STRING,
  integer: JsonSchemaType.INTEGER,
} as const;

/**
 * The model API Gateway validates a JSON body against: an object with exactly the schema's
 * fields (others rejected), the required ones present, each with its type and bounds.
 */
export function bodyModelSchema(body: BodySchema, title: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, field] of Object.entries(body.fields)) {
    properties[name] = {
      type: TYPES[field.type],
      ...(field.minLength !== undefined && { minLength: field.minLength }),
      ...(field.maxLength !== undefined && { maxLength: field.maxLength }),
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
