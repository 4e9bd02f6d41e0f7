// Idempotency records: one item per (stage, route, user id, key) in the stage's own user table,
// under an id no user can have (`idem#…`; user ids are [0-9A-Za-z]{8,64}), so `/user/{id}` can
// never read or overwrite one. DynamoDB's TTL deletes them after `expires_at` (epoch seconds);
// until it does (up to two days late) an expired record counts as absent.
import { createHash } from 'node:crypto';
import { isDynamoDBError, type Item, type ItemClient } from '../../dynamo/client.ts';

/** The table's TTL attribute (epoch seconds); the CDK stack enables TTL on it. */
export const TTL_ATTRIBUTE = 'expires_at';

/** The prefix of every record's id; never a valid user id. */
export const RECORD_ID_PREFIX = 'idem#';

/** A stored answer, replayed byte for byte. */
export interface StoredAnswer {
  readonly status: number;
  /** The body exactly as sent; '' for none. */
  readonly body: string;
  /** Headers of the answer that belong to it (ETag, Retry-After, …). */
  readonly headers: Readonly<Record<string, string>>;
}

/** A record as read. */
export interface IdempotencyRecord {
  readonly fingerprint: string;
  /** Names the write's marker in the user item (see run.ts). */
  readonly token: string;
  /** The clock reading the first request ran with; a takeover reuses it. */
  readonly requestedAt: string;
  /** Epoch ms until which the running request owns the key. */
  readonly leaseUntil: number;
  /** Present once the first request finished. */
  readonly answer: StoredAnswer | undefined;
  readonly expiresAt: number;
}

/** What a claim needs. */
export interface Claim {
  readonly fingerprint: string;
  readonly token: string;
  readonly requestedAt: string;
  readonly leaseUntil: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** The scope of a key: the same key on another stage, route or user is another key. */
export interface KeyScope {
  readonly stage: string;
  readonly route: string;
  readonly userId: string;
  readonly key: string;
}

/** The record id of a key in its scope (hashed: a key may hold any printable character). */
export function recordId(scope: KeyScope): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([scope.stage, scope.route, scope.userId, scope.key]))
    .digest('hex');
  return `${RECORD_ID_PREFIX}${hash}`;
}

/** The records of one table. */
export class IdempotencyRecords {
  readonly #client: ItemClient;
  readonly #table: string;
  readonly #key: string;

  constructor(options: { client: ItemClient; tableName: string; key: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#key = options.key;
  }

  /**
   * Creates the record as running, unless one exists that has not expired.
   * @returns true when claimed, false when another record holds the key
   */
  async claim(id: string, claim: Claim, nowSeconds: number): Promise<boolean> {
    try {
      await this.#client.putItem({
        TableName: this.#table,
        Item: {
          [this.#key]: id,
          fingerprint: claim.fingerprint,
          token: claim.token,
          requested_at: claim.requestedAt,
          lease_until: claim.leaseUntil,
          [TTL_ATTRIBUTE]: claim.expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(#k) OR #ttl < :now',
        ExpressionAttributeNames: { '#k': this.#key, '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':now': nowSeconds },
      });
      return true;
    } catch (error) {
      if (isDynamoDBError(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }

  /** The record, or undefined when absent or expired. */
  async get(id: string, nowSeconds: number): Promise<IdempotencyRecord | undefined> {
    const { Item: item } = await this.#client.getItem({
      TableName: this.#table,
      Key: { [this.#key]: id },
      ConsistentRead: true,
    });
    if (item === undefined) return undefined;
    const record = parseRecord(item);
    return record.expiresAt < nowSeconds ? undefined : record;
  }

  /**
   * Moves the lease of a running record whose lease ran out to a new owner.
   * @returns false when someone else moved it first, or the record finished meanwhile
   */
  async takeOver(id: string, previousLease: number, leaseUntil: number): Promise<boolean> {
    return this.#conditional({
      TableName: this.#table,
      Key: { [this.#key]: id },
      UpdateExpression: 'SET lease_until = :new',
      ConditionExpression: 'lease_until = :old AND attribute_not_exists(answer_status)',
      ExpressionAttributeValues: { ':new': leaseUntil, ':old': previousLease },
    });
  }

  /** Ends the lease at once (the request failed without an answer worth keeping). */
  async release(id: string, token: string): Promise<void> {
    await this.#conditional({
      TableName: this.#table,
      Key: { [this.#key]: id },
      UpdateExpression: 'SET lease_until = :zero',
      ConditionExpression: '#token = :token AND attribute_not_exists(answer_status)',
      ExpressionAttributeNames: { '#token': 'token' },
      ExpressionAttributeValues: { ':zero': 0, ':token': token },
    });
  }

  /** Stores the answer; the record is done and answers every retry from now on. */
  async complete(id: string, token: string, answer: StoredAnswer): Promise<void> {
    await this.#conditional({
      TableName: this.#table,
      Key: { [this.#key]: id },
      UpdateExpression: 'SET answer_status = :s, answer_body = :b, answer_headers = :h',
      ConditionExpression: '#token = :token',
      ExpressionAttributeNames: { '#token': 'token' },
      ExpressionAttributeValues: {
        ':s': answer.status,
        ':b': answer.body,
        ':h': JSON.stringify(answer.headers),
        ':token': token,
      },
    });
  }

  async #conditional(input: Parameters<ItemClient['updateItem']>[0]): Promise<boolean> {
    try {
      await this.#client.updateItem(input);
      return true;
    } catch (error) {
      if (isDynamoDBError(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }
}

function parseRecord(item: Item): IdempotencyRecord {
  const status = item.answer_status;
  const answer: StoredAnswer | undefined =
    typeof status === 'number'
      ? {
          status,
          body: typeof item.answer_body === 'string' ? item.answer_body : '',
          headers: parseHeaders(item.answer_headers),
        }
      : undefined;
  return {
    fingerprint: String(item.fingerprint ?? ''),
    token: String(item.token ?? ''),
    requestedAt: String(item.requested_at ?? ''),
    leaseUntil: typeof item.lease_until === 'number' ? item.lease_until : 0,
    answer,
    expiresAt: typeof item[TTL_ATTRIBUTE] === 'number' ? (item[TTL_ATTRIBUTE] as number) : 0,
  };
}

function parseHeaders(value: unknown): Record<string, string> {
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    return {};
  }
}
