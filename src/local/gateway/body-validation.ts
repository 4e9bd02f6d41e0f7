/**
 * The local gateway's request validator: API Gateway's `validateRequestBody` for the request
 * models of src/service/request-model.ts. A small JSON Schema (draft 4) checker for exactly the
 * keywords that module emits — `type` (object, string, number), `properties`, `required`,
 * `additionalProperties: false`, `minLength`, `minimum` — so no schema library is loaded.
 *
 * Which bodies are checked (API Gateway's rules, cited):
 * - A method's models are keyed by content type; "If no matching content type is found,
 *   request validation is not performed" (API Gateway developer guide, "Request validation for
 *   REST APIs in API Gateway",
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html).
 *   So a `text/plain` body reaches the function unchecked, and the function's own validation
 *   answers it.
 * - A request without `Content-Type` is treated as `application/json` ("None — API Gateway
 *   defaults to application/json", the passthrough table of "Method request behavior for
 *   payloads without mapping templates",
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html),
 *   so it is checked against the `application/json` model.
 * - A checked body that is not JSON at all fails validation: the answer is the BAD_REQUEST_BODY
 *   gateway response ("Invalid request body", 400). An empty body is such a body here; that
 *   case is not covered by the cited pages (assumed, not captured).
 * The content type is compared on its media type only (parameters such as `charset` ignored,
 * case-insensitive), as HTTP defines media types.
 */
import type { BodyModel, ModelProperty } from '../../service/request-model.ts';

/** The content type the models are keyed on (src/infra/api.ts `requestModels`). */
export const MODEL_CONTENT_TYPE = 'application/json';

/** True when API Gateway checks a body with this `Content-Type` against the JSON model. */
export function validatesContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return media === MODEL_CONTENT_TYPE;
}

/**
 * True when the raw body (UTF-8) is a JSON document the model accepts. A leading UTF-8 byte
 * order mark is skipped, as byte-stream JSON parsers do and as the function itself does (an
 * assumption about API Gateway's parser, not captured against AWS).
 */
export function bodyMatchesModel(body: Buffer | string, model: BodyModel): boolean {
  let value: unknown;
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    value = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch {
    return false;
  }
  return matchesObject(value, model);
}

function matchesObject(value: unknown, model: BodyModel): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  for (const name of model.required ?? []) {
    if (!Object.hasOwn(record, name)) return false;
  }
  for (const [name, field] of Object.entries(record)) {
    const property = Object.hasOwn(model.properties, name) ? model.properties[name] : undefined;
    if (property === undefined) {
      if (model.additionalProperties === false) return false;
      continue;
    }
    if (!matchesProperty(field, property)) return false;
  }
  return true;
}

function matchesProperty(value: unknown, property: ModelProperty): boolean {
  switch (property.type) {
    case 'string':
      // Draft 4 counts characters (code points), not UTF-16 units.
      return (
        typeof value === 'string' &&
        (property.minLength === undefined || [...value].length >= property.minLength)
      );
    case 'number':
      return (
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (property.minimum === undefined || value >= property.minimum)
      );
  }
}
