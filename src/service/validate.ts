// Validation of path parameters and JSON bodies against the route table's schemas. Messages
// name the field and the rule, as the seed's did ("`id` should match [0-9A-Za-z]{8,64}").
import { HttpError } from './http-error.ts';
import type { BodySchema } from './routes.ts';
import { USER_ID_PATTERN } from './routes.ts';
import { printable } from './text.ts';

/**
 * A user id from the path.
 * @throws HttpError 400 when missing or not `[0-9A-Za-z]{8,64}`
 */
export function validateUserId(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new HttpError(400, '`id` is required');
  if (!USER_ID_PATTERN.test(value)) {
    throw new HttpError(400, '`id` must match [0-9A-Za-z]{8,64}');
  }
  return value;
}

/** A body that passed its schema: strings trimmed, integers safe. */
export type ValidBody = Readonly<Record<string, string | number>>;

/**
 * Checks a parsed JSON body against a schema: a JSON object, no unknown fields, required
 * fields present, strings (trimmed) within their length, integers safe and within minimum.
 * @returns the fields, with strings trimmed
 * @throws HttpError 400 naming the first field that breaks a rule
 */
export function validateBody(schema: BodySchema, body: unknown): ValidBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'request body must be a JSON object');
  }
  // Own keys only: JSON.parse makes "__proto__" an own key, so it is an unknown field too.
  for (const key of Object.keys(body)) {
    if (!Object.hasOwn(schema.fields, key)) {
      throw new HttpError(400, `unknown field \`${printable(key)}\``);
    }
  }
  const fields = body as Record<string, unknown>;
  const valid: Record<string, string | number> = {};
  for (const [name, rule] of Object.entries(schema.fields)) {
    if (!Object.hasOwn(fields, name)) {
      if (rule.required) throw new HttpError(400, `\`${name}\` is required`);
      continue;
    }
    const value = fields[name];
    if (rule.type === 'string') {
      valid[name] = checkString(name, value, rule.minLength ?? 0, rule.maxLength ?? Infinity);
    } else {
      valid[name] = checkInteger(name, value, rule.minimum ?? Number.MIN_SAFE_INTEGER);
    }
  }
  return valid;
}

// With the u flag, a paired surrogate is one code point; only a lone one matches \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

function checkString(name: string, value: unknown, min: number, max: number): string {
  if (typeof value !== 'string') throw new HttpError(400, `\`${name}\` must be a string`);
  // A lone surrogate cannot be stored as UTF-8 (DynamoDB would refuse it with a 400 of its own).
  if (LONE_SURROGATE.test(value)) {
    throw new HttpError(400, `\`${name}\` must be valid Unicode text`);
  }
  const trimmed = value.trim();
  // Characters are code points: an emoji is one character, as a user would count it.
  const length = countCodePoints(trimmed);
  if (length < min || length > max) {
    throw new HttpError(
      400,
      `\`${name}\` must be ${min}-${max} characters after trimming; it has ${length}`,
    );
  }
  return trimmed;
}

function checkInteger(name: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new HttpError(400, `\`${name}\` must be an integer of at least ${minimum}`);
  }
  return value;
}

const SURROGATE_PAIR = /[\uD800-\uDBFF][\uDC00-\uDFFF]/g;

function countCodePoints(text: string): number {
  // Each surrogate pair is two UTF-16 units but one character.
  return text.length - (text.match(SURROGATE_PAIR)?.length ?? 0);
}
