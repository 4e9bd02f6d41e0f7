// The narrow DynamoDB interface the repository is written against. Two implementations: the
// lean fetch-based client the Lambda uses (lean-client.ts) and the SDK v3 DocumentClient one
// for tools and tests (sdk-client.ts). Values are native JS values, as the DocumentClient has them.

/** One DynamoDB item (or key) as native JS values. */
export type Item = Record<string, unknown>;

/** The expression fields a conditional write or update carries, named as DynamoDB names them. */
export interface ExpressionParams {
  /** Condition that must hold for the write to happen. */
  readonly ConditionExpression?: string;
  /** `#placeholder` → attribute name. */
  readonly ExpressionAttributeNames?: Record<string, string>;
  /** `:placeholder` → native value. */
  readonly ExpressionAttributeValues?: Item;
}

/** What to return when a condition fails: the item as it was (`ALL_OLD`) or nothing. */
export type ReturnOnConditionFailure = 'ALL_OLD' | 'NONE';

/** Input of {@link ItemClient.getItem}. */
export interface GetItemInput {
  readonly TableName: string;
  readonly Key: Item;
  readonly ConsistentRead?: boolean;
}

/** Input of {@link ItemClient.putItem}. */
export interface PutItemInput extends ExpressionParams {
  readonly TableName: string;
  readonly Item: Item;
  readonly ReturnValuesOnConditionCheckFailure?: ReturnOnConditionFailure;
}

/** Input of {@link ItemClient.updateItem}. */
export interface UpdateItemInput extends ExpressionParams {
  readonly TableName: string;
  readonly Key: Item;
  readonly UpdateExpression: string;
  readonly ReturnValues?: 'ALL_NEW' | 'ALL_OLD' | 'NONE';
  readonly ReturnValuesOnConditionCheckFailure?: ReturnOnConditionFailure;
}

/** Input of {@link ItemClient.deleteItem}. */
export interface DeleteItemInput extends ExpressionParams {
  readonly TableName: string;
  readonly Key: Item;
  readonly ReturnValues?: 'ALL_OLD' | 'NONE';
  readonly ReturnValuesOnConditionCheckFailure?: ReturnOnConditionFailure;
}

/**
 * The four single-item operations the data layer needs. Every failure DynamoDB reports is
 * thrown as a {@link DynamoDBError} named after DynamoDB's own error.
 */
export interface ItemClient {
  /** GetItem: the item, or no `Item` when the key does not exist. */
  getItem(input: GetItemInput): Promise<{ Item?: Item }>;
  /** PutItem: creates or replaces the whole item. */
  putItem(input: PutItemInput): Promise<void>;
  /** UpdateItem: changes the attributes the expression names; `Attributes` per `ReturnValues`. */
  updateItem(input: UpdateItemInput): Promise<{ Attributes?: Item }>;
  /** DeleteItem: `Attributes` holds the deleted item with `ReturnValues: 'ALL_OLD'`. */
  deleteItem(input: DeleteItemInput): Promise<{ Attributes?: Item }>;
}

/** DynamoDB error names that mean "too much traffic, try again later". */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/**
 * The name of the error for a write that may or may not have been applied (a timeout, a reset
 * connection, a 5xx or a corrupted answer after the request was sent) and that is not safe to
 * send again because nothing guards it against applying twice (no ConditionExpression).
 */
export const WRITE_OUTCOME_UNKNOWN = 'WriteOutcomeUnknown';

/** Options for {@link DynamoDBError}. */
export interface DynamoDBErrorOptions {
  /** HTTP status of the response; absent when no response arrived (network error). */
  readonly statusCode?: number;
  /** Whether sending the same request again may succeed (throttling, 5xx, network). */
  readonly retryable?: boolean;
  /** The item as it was, when a failed condition returned it (`ALL_OLD`). */
  readonly item?: Item;
  /** The underlying error, when there is one. */
  readonly cause?: unknown;
}

/**
 * A failure reported by DynamoDB (or on the way to it), named after DynamoDB's error:
 * `ConditionalCheckFailedException`, `ProvisionedThroughputExceededException`,
 * `ResourceNotFoundException`, `ValidationException`, …
 * @example
 * if (error instanceof DynamoDBError && error.name === 'ConditionalCheckFailedException') …
 */
export class DynamoDBError extends Error {
  /** HTTP status of the response; undefined when no response arrived. */
  readonly statusCode: number | undefined;
  /** Whether sending the same request again may succeed. */
  readonly retryable: boolean;
  /** The item a failed condition returned (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`). */
  readonly item: Item | undefined;

  constructor(name: string, message: string, options: DynamoDBErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.statusCode = options.statusCode;
    this.retryable = options.retryable ?? false;
    this.item = options.item;
  }
}

/** True when `error` is a {@link DynamoDBError} with the given DynamoDB error name. */
export function isDynamoDBError(error: unknown, name: string): error is DynamoDBError {
  return error instanceof DynamoDBError && error.name === name;
}
