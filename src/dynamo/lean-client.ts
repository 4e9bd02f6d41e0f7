// The DynamoDB client the Lambda uses. A handler bundled with @aws-sdk/client-dynamodb is about
// 520 KB and takes ~130 ms to import; this one is SigV4 (aws4fetch) + marshalling
// (@aws-sdk/util-dynamodb) + the global fetch speaking DynamoDB's JSON 1.0 protocol directly.
import { AwsV4Signer } from 'aws4fetch';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type BackoffOptions, backoffDelay, sleep as timerSleep } from './backoff.ts';
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

/** Environment variable the local stack sets to point the Lambda at the embedded DynamoDB. */
export const ENDPOINT_ENV = 'STAGECRAFT_DYNAMODB_ENDPOINT';

/** AWS credentials, as Lambda puts them in the environment. */
export interface LeanCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present for temporary credentials (always, in Lambda). */
  readonly sessionToken?: string;
}

/**
 * Options for {@link LeanDynamoClient}. Precedence: these options, then the environment.
 */
export interface LeanClientOptions {
  /**
   * DynamoDB endpoint URL.
   * @default env STAGECRAFT_DYNAMODB_ENDPOINT, else `https://dynamodb.<region>.amazonaws.com`
   */
  readonly endpoint?: string;
  /**
   * Region used for signing (and the default endpoint).
   * @default env AWS_REGION, else AWS_DEFAULT_REGION
   */
  readonly region?: string;
  /**
   * @default env AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
   */
  readonly credentials?: LeanCredentials;
  /**
   * Tries per request, the first included; throttling, 5xx and network errors are retried.
   * @default 5
   */
  readonly maxAttempts?: number;
  /**
   * Backoff between tries (capped exponential, full jitter).
   * @default { baseMs: 25, capMs: 1000 }
   */
  readonly backoff?: BackoffOptions;
  /**
   * Where credentials, region and endpoint are read from.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Waits between tries; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1) source for the jitter; injectable for tests. */
  readonly random?: () => number;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 25, capMs: 1000 };
// Attribute values inside lists/maps/sets that are undefined are dropped, as the SDK client is
// configured to do too (sdk-client.ts), so both behave the same.
const MARSHALL_OPTIONS = { removeUndefinedValues: true } as const;

/** Endpoint, region and credentials, resolved once on first use. */
interface ResolvedConfig {
  readonly url: string;
  readonly region: string;
  readonly credentials: LeanCredentials;
}

type Operation = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

/** The wire shape of a response body this client reads. */
interface WireResponse {
  Item?: WireItem;
  Attributes?: WireItem;
}
// The marshalled form; unmarshall() checks its shape.
type WireItem = Parameters<typeof unmarshall>[0];

/**
 * An {@link ItemClient} over `fetch` with SigV4 signing: no AWS SDK in the Lambda bundle.
 * Construction does no work; configuration is read on the first request.
 * @example
 * const client = new LeanDynamoClient(); // credentials and region from the Lambda environment
 * const { Item } = await client.getItem({ TableName: 'example_user', Key: { id: 'abc' } });
 */
export class LeanDynamoClient implements ItemClient {
  readonly #options: LeanClientOptions;
  #config: ResolvedConfig | undefined;
  // aws4fetch caches the derived signing key per day/region/service here.
  readonly #signingKeys = new Map<string, ArrayBuffer>();

  constructor(options: LeanClientOptions = {}) {
    this.#options = options;
  }

  async getItem(input: GetItemInput): Promise<{ Item?: Item }> {
    const response = await this.#send('GetItem', { ...input, Key: marshall(input.Key) });
    return response.Item === undefined ? {} : { Item: unmarshall(response.Item) };
  }

  async putItem(input: PutItemInput): Promise<void> {
    await this.#send('PutItem', {
      ...input,
      Item: marshall(input.Item, MARSHALL_OPTIONS),
      ...marshallValues(input.ExpressionAttributeValues),
    });
  }

  async updateItem(input: UpdateItemInput): Promise<{ Attributes?: Item }> {
    const response = await this.#send('UpdateItem', {
      ...input,
      Key: marshall(input.Key),
      ...marshallValues(input.ExpressionAttributeValues),
    });
    return attributesOf(response);
  }

  async deleteItem(input: DeleteItemInput): Promise<{ Attributes?: Item }> {
    const response = await this.#send('DeleteItem', {
      ...input,
      Key: marshall(input.Key),
      ...marshallValues(input.ExpressionAttributeValues),
    });
    return attributesOf(response);
  }

  async #send(operation: Operation, body: object): Promise<WireResponse> {
    const config = (this.#config ??= resolveConfig(this.#options));
    const payload = JSON.stringify(body);
    const maxAttempts = Math.max(1, this.#options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    const wait = this.#options.sleep ?? timerSleep;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(config, operation, payload);
      } catch (error) {
        if (!(error instanceof DynamoDBError) || !error.retryable || attempt >= maxAttempts) {
          throw error;
        }
        await wait(
          backoffDelay(attempt - 1, this.#options.backoff ?? DEFAULT_BACKOFF, this.#options.random),
        );
      }
    }
  }

  async #attempt(
    config: ResolvedConfig,
    operation: Operation,
    payload: string,
  ): Promise<WireResponse> {
    const signed = await new AwsV4Signer({
      method: 'POST',
      url: config.url,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
      body: payload,
      ...config.credentials,
      service: 'dynamodb',
      region: config.region,
      cache: this.#signingKeys,
    }).sign();
    let response: Response;
    let text: string;
    try {
      response = await fetch(signed.url, {
        method: signed.method,
        headers: signed.headers,
        body: payload,
      });
      text = await response.text();
    } catch (error) {
      throw networkError(operation, config.url, error);
    }
    if (response.ok) return parseBody(text, operation, response.status);
    throw errorFromResponse(response.status, text);
  }
}

function resolveConfig(options: LeanClientOptions): ResolvedConfig {
  const env = options.env ?? process.env;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new Error(
      'DynamoDB client: no region; set AWS_REGION (Lambda sets it) or pass the region option',
    );
  }
  const credentials = options.credentials ?? credentialsFromEnv(env);
  const url = options.endpoint ?? env[ENDPOINT_ENV] ?? `https://dynamodb.${region}.amazonaws.com`;
  // Fails here, once, with the variable's name, rather than as an opaque fetch error per call.
  try {
    new URL(url);
  } catch {
    throw new Error(`DynamoDB client: endpoint is not a URL: ${JSON.stringify(url)}`);
  }
  return { url, region, credentials };
}

function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): LeanCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'DynamoDB client: no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
        '(Lambda sets them) or pass the credentials option',
    );
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  return sessionToken
    ? { accessKeyId, secretAccessKey, sessionToken }
    : { accessKeyId, secretAccessKey };
}

function marshallValues(values: Item | undefined): { ExpressionAttributeValues?: WireItem } {
  return values === undefined
    ? {}
    : { ExpressionAttributeValues: marshall(values, MARSHALL_OPTIONS) };
}

function attributesOf(response: WireResponse): { Attributes?: Item } {
  return response.Attributes === undefined ? {} : { Attributes: unmarshall(response.Attributes) };
}

function parseBody(text: string, operation: Operation, status: number): WireResponse {
  try {
    return (text === '' ? {} : JSON.parse(text)) as WireResponse;
  } catch (error) {
    throw new DynamoDBError(
      'InvalidResponse',
      `DynamoDB ${operation} answered ${status} with a body that is not JSON`,
      { statusCode: status, cause: error },
    );
  }
}

/** The JSON body of a DynamoDB error response. */
interface WireError {
  __type?: string;
  message?: string;
  // Some errors spell it with a capital M.
  Message?: string;
  Item?: WireItem;
}

/**
 * Turns an error response into a {@link DynamoDBError} named by `__type` (the part after `#`,
 * e.g. `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`).
 */
export function errorFromResponse(status: number, text: string): DynamoDBError {
  let body: WireError = {};
  try {
    body = JSON.parse(text) as WireError;
  } catch {
    // Not JSON (e.g. a proxy's HTML page): named by status below.
  }
  const type = typeof body.__type === 'string' ? body.__type : undefined;
  const name = type?.slice(type.lastIndexOf('#') + 1) || `HttpError${status}`;
  const message = body.message ?? body.Message ?? `DynamoDB answered HTTP ${status}`;
  const retryable = status >= 500 || THROTTLING_ERROR_NAMES.has(name);
  let item: Item | undefined;
  if (body.Item !== undefined) {
    try {
      item = unmarshall(body.Item);
    } catch {
      // A malformed Item must not hide the error itself.
    }
  }
  return new DynamoDBError(name, message, {
    statusCode: status,
    retryable,
    ...(item === undefined ? {} : { item }),
  });
}

function networkError(operation: Operation, url: string, error: unknown): DynamoDBError {
  // undici reports "fetch failed" and puts the useful part (ECONNREFUSED, …) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new DynamoDBError('NetworkError', `DynamoDB ${operation} to ${url} failed: ${detail}`, {
    retryable: true,
    cause: error,
  });
}
