/**
 * Error codes the expression builder throws. Every code names one failure a caller can cause,
 * so `err.code` can be matched without parsing messages.
 */
export type ExpressionErrorCode =
  | 'expression.invalidPath'
  | 'expression.invalidCondition'
  | 'expression.invalidUpdate'
  | 'expression.invalidValue'
  | 'expression.tooLong';

/** A condition or update that DynamoDB would refuse, caught before anything is sent. */
export class ExpressionError extends Error {
  override readonly name: string = 'ExpressionError';
  /** Which rule was broken. */
  readonly code: ExpressionErrorCode;

  constructor(code: ExpressionErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** DynamoDB's limit on each expression string: 4 KB, counted in bytes of UTF-8. */
export const MAX_EXPRESSION_BYTES = 4096;

/**
 * An expression string longer than {@link MAX_EXPRESSION_BYTES}. DynamoDB would answer with a
 * ValidationException; we refuse before sending so the caller learns which expression and how long.
 */
export class ExpressionTooLongError extends ExpressionError {
  override readonly name = 'ExpressionTooLongError';
  /** The request field that is too long. */
  readonly field: 'ConditionExpression' | 'UpdateExpression';
  /** Its length in bytes of UTF-8. */
  readonly bytes: number;
  /** The limit it exceeds. */
  readonly limit = MAX_EXPRESSION_BYTES;

  constructor(field: 'ConditionExpression' | 'UpdateExpression', bytes: number) {
    super(
      'expression.tooLong',
      `${field} is ${bytes} bytes; DynamoDB allows at most ${MAX_EXPRESSION_BYTES} bytes per expression`,
    );
    this.field = field;
    this.bytes = bytes;
  }
}

/** True when `error` is an {@link ExpressionError} whose code starts with `prefix`. */
export function isExpressionError(
  error: unknown,
  prefix = 'expression.',
): error is ExpressionError {
  return error instanceof ExpressionError && error.code.startsWith(prefix);
}
