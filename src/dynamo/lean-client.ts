// The DynamoDB client the Lambda uses. A handler bundled with @aws-sdk/client-dynamodb is about
// 520 KB and takes ~130 ms to import; this one is SigV4 (aws4fetch) + marshalling
// (@aws-sdk/util-dynamodb) + the global fetch speaking DynamoDB's JSON 1.0 protocol directly.
import { AwsV4Signer } from 'aws4fetch';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { type BackoffOptions, backoffDelay, sleep as timerSleep } from './backoff.ts';
import { crc32 } from './crc32.ts';
import {
  DynamoDBError,
  type DeleteItemInput,
  type GetItemInput,
  type Item,
  type ItemClient,
  type PutItemInput,
  THROTTLING_ERROR_NAMES,
  type UpdateItemInput,
  WRITE_OUTCOME_UNKNOWN,
} from './client.ts';

export { WRITE_OUTCOME_UNKNOWN };

/** Environment variable the local stack sets to point the Lambda at the embedded DynamoDB. */
export const ENDPOINT_ENV = 'STAGECRAFT_DYNAMODB_ENDPOINT';

/** Environment variable overriding the per-request timeout, in milliseconds. */
export const TIMEOUT_ENV = 'STAGECRAFT_DYNAMODB_TIMEOUT_MS';

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
   * Per-request timeout in ms: a request (answer body included) taking longer is aborted and
   * treated like a network error.
   * @default env STAGECRAFT_DYNAMODB_TIMEOUT_MS, else 3000
   */
  readonly timeoutMs?: number;
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
// DynamoDB answers single-item requests in milliseconds; 3 s leaves room for a slow one and
// still gives a Lambda (API Gateway waits 29 s) time for retries.
const DEFAULT_TIMEOUT_MS = 3000;
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 25, capMs: 1000 };
// Attribute values inside lists/maps/sets that are undefined are dropped, as the SDK client is
// configured to do too (sdk-client.ts), so both behave the same.
const MARSHALL_OPTIONS = { removeUndefinedValues: true } as const;

/** Endpoint, region and credentials, resolved once on first use. */
interface ResolvedConfig {
  readonly url: string;
  readonly region: string;
  readonly credentials: LeanCredentials;
  readonly timeoutMs: number;
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
    // A read, or a write whose condition refuses a second application, may be sent again after
    // an answer was lost; an unconditioned write may not (it could apply twice).
    const repeatable =
      operation === 'GetItem' ||
      typeof (body as { ConditionExpression?: unknown }).ConditionExpression === 'string';
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(config, operation, payload);
      } catch (thrown) {
        if (thrown instanceof MaybeApplied && !repeatable) {
          throw outcomeUnknown(operation, thrown.error);
        }
        const error = thrown instanceof MaybeApplied ? thrown.error : thrown;
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
    let bytes: Uint8Array;
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, config.timeoutMs);
    let sent = false;
    try {
      response = await fetch(signed.url, {
        method: signed.method,
        headers: signed.headers,
        body: payload,
        signal: abort.signal,
      });
      sent = true;
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      const failure = timedOut
        ? timeoutError(operation, config, error)
        : networkError(operation, config.url, error);
      // Refused or unresolved: nothing reached DynamoDB. Anything else may have been applied.
      throw sent || timedOut || !neverSent(error) ? new MaybeApplied(failure) : failure;
    } finally {
      clearTimeout(timer);
    }
    const expected = response.headers.get('x-amz-crc32');
    if (expected !== null && Number(expected) !== crc32(bytes)) {
      const corrupted = new DynamoDBError(
        'CRC32CheckFailed',
        `DynamoDB ${operation} answer failed its x-amz-crc32 check (body corrupted on the way)`,
        { statusCode: response.status, retryable: true },
      );
      // An error answer means nothing was applied; a 2xx one means the write was.
      throw response.ok ? new MaybeApplied(corrupted) : corrupted;
    }
    const text = new TextDecoder().decode(bytes);
    if (response.ok) return parseBody(text, operation, response.status);
    const error = errorFromResponse(response.status, text);
    // A 5xx (InternalServerError, ServiceUnavailable) may come after the write was applied.
    throw response.status >= 500 ? new MaybeApplied(error) : error;
  }
}

/** A failure after which the request may have been applied; #send decides whether to retry. */
class MaybeApplied extends Error {
  readonly error: DynamoDBError;
  constructor(error: DynamoDBError) {
    super(error.message, { cause: error });
    this.error = error;
  }
}

function outcomeUnknown(operation: Operation, error: DynamoDBError): DynamoDBError {
  return new DynamoDBError(
    WRITE_OUTCOME_UNKNOWN,
    `DynamoDB ${operation} may or may not have been applied (${error.name}: ${error.message}); ` +
      'not retried because nothing guards it against applying twice',
    { ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }), cause: error },
  );
}

// Connection refused, host not found: the request never left this process.
function neverSent(error: unknown): boolean {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

function timeoutError(operation: Operation, config: ResolvedConfig, cause: unknown): DynamoDBError {
  return new DynamoDBError(
    'TimeoutError',
    `DynamoDB ${operation} to ${config.url} took longer than ${config.timeoutMs} ms`,
    { retryable: true, cause },
  );
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
  const timeoutMs = options.timeoutMs ?? timeoutFromEnv(env[TIMEOUT_ENV]);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`DynamoDB client: timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  return { url, region, credentials, timeoutMs };
}

function timeoutFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_TIMEOUT_MS;
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new Error(
      `DynamoDB client: ${TIMEOUT_ENV} must be a positive number of ms, got ${value}`,
    );
  }
  return ms;
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
