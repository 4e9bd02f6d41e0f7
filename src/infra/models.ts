/** The CDK form of a route's request model; the model itself is src/service/request-model.ts. */
import { JsonSchemaType, JsonSchemaVersion, type JsonSchema } from 'aws-cdk-lib/aws-apigateway';
import { bodyModel } from '../service/request-model.ts';
import type { BodySchema } from '../service/routes.ts';

const TYPES = { string: JsonSchemaType.STRING, number: JsonSchemaType.NUMBER } as const;

/** The route's body model (src/service/request-model.ts) as CDK's `JsonSchema`. */
export function bodyModelSchema(body: BodySchema, title: string): JsonSchema {
  const model = bodyModel(body, title);
  return {
    schema: JsonSchemaVersion.DRAFT4,
    title: model.title,
    type: JsonSchemaType.OBJECT,
    properties: Object.fromEntries(
      Object.entries(model.properties).map(([name, { type, ...limits }]) => [
        name,
        { type: TYPES[type], ...limits },
      ]),
    ),
    ...(model.required !== undefined && { required: [...model.required] }),
    additionalProperties: model.additionalProperties,
  };
}
