// An ItemClient over the AWS SDK v3 DocumentClient, for tools and tests. The Lambda uses
// lean-client.ts instead: importing this module pulls the whole SDK into a bundle.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  DynamoDBError,
  type DeleteItemInput,
  type GetItemInput,
  type Item,
  type ItemClient,
  type PutItemInput,
  THROTTLING_ERROR_NAMES,
  type UpdateItemInput,
} from './client.ts';

/** Options for {@link SdkItemClient}: an existing SDK client, or the config to create one. */
export type SdkItemClientOptions =
  | {
      /** An SDK client to use; the caller keeps ownership (destroy() leaves it alone). */
      readonly client: DynamoDBClient;
      readonly config?: never;
    }
  | {
      readonly client?: never;
      /**
       * Config for a new SDK client (endpoint, region, credentials, maxAttempts, …).
       * @default {} (the SDK's default chain)
       */
      readonly config?: DynamoDBClientConfig;
    };

/**
 * An {@link ItemClient} over `@aws-sdk/lib-dynamodb`. SDK errors become {@link DynamoDBError}s
 * with the same names, so code behaves alike on both clients.
 * @example
 * const client = new SdkItemClient({ config: db.clientConfig });
 */
export class SdkItemClient implements ItemClient {
  readonly #documents: DynamoDBDocumentClient;
  readonly #owned: DynamoDBClient | undefined;

  constructor(options: SdkItemClientOptions = {}) {
    const base = options.client ?? new DynamoDBClient(options.config ?? {});
    this.#owned = options.client === undefined ? base : undefined;
    this.#documents = DynamoDBDocumentClient.from(base, {
      // As the lean client does: undefined inside lists/maps is dropped rather than an error.
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async getItem(input: GetItemInput): Promise<{ Item?: Item }> {
    const { Item: item } = await this.#call(() => this.#documents.send(new GetCommand(input)));
    return item === undefined ? {} : { Item: item };
  }

  async putItem(input: PutItemInput): Promise<void> {
    await this.#call(() => this.#documents.send(new PutCommand(input)));
  }

  async updateItem(input: UpdateItemInput): Promise<{ Attributes?: Item }> {
    const output = await this.#call(() => this.#documents.send(new UpdateCommand(input)));
    return output.Attributes === undefined ? {} : { Attributes: output.Attributes };
  }

  async deleteItem(input: DeleteItemInput): Promise<{ Attributes?: Item }> {
    const output = await this.#call(() => this.#documents.send(new DeleteCommand(input)));
    return output.Attributes === undefined ? {} : { Attributes: output.Attributes };
  }

  /** Closes the SDK client this object created (not one passed in). */
  destroy(): void {
    this.#owned?.destroy();
  }

  async #call<R>(send: () => Promise<R>): Promise<R> {
    try {
      return await send();
    } catch (error) {
      throw toDynamoDBError(error);
    }
  }
}

/** The parts of an SDK v3 error this module reads. */
interface SdkErrorShape {
  name: string;
  message: string;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  // Marshalled: the DocumentClient does not unmarshall error payloads.
  Item?: Parameters<typeof unmarshall>[0];
}

// Errors raised before any response arrived; the SDK already retried them.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/**
 * Maps an SDK error to a {@link DynamoDBError} by name; errors that are neither a DynamoDB
 * response nor a network failure (e.g. marshalling a value DynamoDB cannot hold) pass unchanged.
 */
export function toDynamoDBError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const sdk = error as Error & SdkErrorShape;
  const statusCode = sdk.$metadata?.httpStatusCode;
  if (statusCode === undefined) {
    const isNetwork =
      sdk.name === 'TimeoutError' || (typeof sdk.code === 'string' && NETWORK_CODES.has(sdk.code));
    return isNetwork
      ? new DynamoDBError('NetworkError', error.message, { retryable: true, cause: error })
      : error;
  }
  let item: Item | undefined;
  if (sdk.Item !== undefined) {
    try {
      item = unmarshall(sdk.Item);
    } catch {
      // A malformed Item must not hide the error itself.
    }
  }
  return new DynamoDBError(sdk.name, error.message, {
    statusCode,
    retryable: statusCode >= 500 || THROTTLING_ERROR_NAMES.has(sdk.name),
    cause: error,
    ...(item === undefined ? {} : { item }),
  });
}
