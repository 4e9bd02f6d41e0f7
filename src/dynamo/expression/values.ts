import { ExpressionError } from './errors.ts';

/** DynamoDB's attribute type names, as `attribute_type` takes them. */
export type AttributeTypeName = 'S' | 'SS' | 'N' | 'NS' | 'B' | 'BS' | 'BOOL' | 'NULL' | 'L' | 'M';

/** Every {@link AttributeTypeName}, for validation. */
export const ATTRIBUTE_TYPE_NAMES: readonly AttributeTypeName[] = [
  'S',
  'SS',
  'N',
  'NS',
  'B',
  'BS',
  'BOOL',
  'NULL',
  'L',
  'M',
];

/** True for the binary shapes the DocumentClient marshals to `B`. */
export function isBinary(value: unknown): value is Uint8Array | ArrayBuffer {
  return value instanceof Uint8Array || value instanceof ArrayBuffer;
}

/**
 * The DynamoDB type the DocumentClient marshals a native value to, or undefined when it cannot
 * be marshalled (undefined, functions, symbols, non-finite numbers, empty or mixed sets).
 */
export function attributeTypeOf(value: unknown): AttributeTypeName | undefined {
  switch (typeof value) {
    case 'string':
      return 'S';
    case 'number':
      return Number.isFinite(value) ? 'N' : undefined;
    case 'bigint':
      return 'N';
    case 'boolean':
      return 'BOOL';
    case 'object':
      if (value === null) return 'NULL';
      if (isBinary(value)) return 'B';
      if (Array.isArray(value)) return 'L';
      if (value instanceof Set) return setTypeOf(value);
      if (value instanceof Map || isPlainRecord(value)) return 'M';
      return isNumberValue(value) ? 'N' : undefined;
    default:
      return undefined;
  }
}

function isPlainRecord(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

// util-dynamodb's NumberValue (numbers read with `wrapNumbers`), recognised by shape so this
// module does not import the SDK into the Lambda bundle.
function isNumberValue(value: object): boolean {
  return (
    value.constructor?.name === 'NumberValue' &&
    typeof (value as { toAttributeValue?: unknown }).toAttributeValue === 'function'
  );
}

function setTypeOf(set: Set<unknown>): AttributeTypeName | undefined {
  let type: AttributeTypeName | undefined;
  for (const element of set) {
    const elementType = attributeTypeOf(element);
    const setType =
      elementType === 'S'
        ? 'SS'
        : elementType === 'N'
          ? 'NS'
          : elementType === 'B'
            ? 'BS'
            : undefined;
    if (setType === undefined || (type !== undefined && type !== setType)) return undefined;
    type = setType;
  }
  return type;
}

/**
 * Checks that `value` can travel as an expression attribute value, all the way down, and
 * returns its type. `where` names the operand in the error (e.g. `eq on "age"`).
 */
export function checkValue(value: unknown, where: string): AttributeTypeName {
  const problem = findProblem(value, 0);
  if (problem !== undefined) {
    throw new ExpressionError('expression.invalidValue', `invalid value for ${where}: ${problem}`);
  }
  // findProblem returned nothing, so the value has a type.
  return attributeTypeOf(value) as AttributeTypeName;
}

// Items are at most 400 KB, so a value nested deeper than this is a cycle or a mistake.
const MAX_VALUE_DEPTH = 64;

function findProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_VALUE_DEPTH) return `nested deeper than ${MAX_VALUE_DEPTH} levels`;
  if (value === undefined) return 'undefined is not a DynamoDB value (use remove, or null)';
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return `${value} is not a finite number`;
  }
  // The DocumentClient refuses these rather than lose precision.
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return `${value} is beyond Number.MAX_SAFE_INTEGER; pass a bigint`;
  }
  if (value instanceof Set) {
    if (value.size === 0) return 'DynamoDB does not store empty sets';
    if (setTypeOf(value) === undefined) {
      return 'a set must hold only strings, only numbers or only binaries';
    }
    return undefined;
  }
  const type = attributeTypeOf(value);
  if (type === undefined) {
    if (value instanceof Date) return 'a Date is not a DynamoDB value; store date.toISOString()';
    const what =
      typeof value === 'object' && value !== null
        ? `${value.constructor?.name ?? 'class'} instance`
        : typeof value;
    return `a ${what} is not a DynamoDB value (only plain objects and Maps become maps)`;
  }
  if (type === 'L') {
    for (const element of value as unknown[]) {
      const problem = findProblem(element, depth + 1);
      if (problem !== undefined) return problem;
    }
  } else if (type === 'M') {
    const elements =
      value instanceof Map ? [...value.values()] : Object.values(value as Record<string, unknown>);
    for (const element of elements as unknown[]) {
      const problem = findProblem(element, depth + 1);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}
