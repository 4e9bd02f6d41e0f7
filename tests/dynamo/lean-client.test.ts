// The lean client's own behaviour against a scripted 127.0.0.1 server: retries, error names,
// signing and configuration. (Its DynamoDB semantics are in client-contract.test.ts.)
import { createHash, createHmac } from 'node:crypto';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from './rejection.ts';
import { DynamoDBError } from '../../src/dynamo/client.ts';
import {
  ENDPOINT_ENV,
  LeanDynamoClient,
  type LeanClientOptions,
} from '../../src/dynamo/lean-client.ts';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  body: string | object;
}

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' };

let server: Server | undefined;

afterEach(async () => {
  const running = server;
  server = undefined;
  if (running) {
    running.closeAllConnections();
    await new Promise((resolve) => running.close(resolve));
  }
});

/** Starts a server answering with `replies` in order (the last one repeats), recording requests. */
async function scriptedServer(
  replies: Reply[],
): Promise<{ endpoint: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = replies[Math.min(requests.length - 1, replies.length - 1)];
      if (reply === undefined) throw new Error('no reply scripted');
      res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  const running = server;
  await new Promise<void>((resolve) => running.listen(0, '127.0.0.1', resolve));
  const { port } = running.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, requests };
}

function leanClient(endpoint: string, options: Partial<LeanClientOptions> = {}) {
  const delays: number[] = [];
  const client = new LeanDynamoClient({
    endpoint,
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    env: {},
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { client, delays };
}

const throttled = (type: string): Reply => ({
  status: 400,
  body: { __type: type, message: 'Rate of requests exceeds the allowed throughput.' },
});
const itemReply: Reply = { status: 200, body: { Item: { id: { S: 'a' }, n: { N: '7' } } } };

describe('LeanDynamoClient retries', () => {
  it('retries ProvisionedThroughputExceededException and ThrottlingException, then succeeds', async () => {
    const { endpoint, requests } = await scriptedServer([
      throttled('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException'),
      throttled('com.amazon.coral.availability#ThrottlingException'),
      itemReply,
    ]);
    const { client, delays } = leanClient(endpoint, { backoff: { baseMs: 100, capMs: 150 } });
    const result = await client.getItem({ TableName: 'users', Key: { id: 'a' } });
    expect(result).toEqual({ Item: { id: 'a', n: 7 } });
    expect(requests).toHaveLength(3);
    // Full jitter with random() = 0.5: half of min(cap, base · 2^n).
    expect(delays).toEqual([50, 75]);
  });

  it('retries 5xx answers', async () => {
    const { endpoint, requests } = await scriptedServer([
      { status: 500, body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' } },
      { status: 503, body: 'Service Unavailable' },
      itemReply,
    ]);
    const { client } = leanClient(endpoint);
    await expect(client.getItem({ TableName: 'users', Key: { id: 'a' } })).resolves.toEqual({
      Item: { id: 'a', n: 7 },
    });
    expect(requests).toHaveLength(3);
  });

  it('gives up after maxAttempts with the last error, by name', async () => {
    const { endpoint, requests } = await scriptedServer([
      throttled('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException'),
    ]);
    const { client, delays } = leanClient(endpoint, { maxAttempts: 3 });
    const error = await rejection(
      client.getItem({ TableName: 'users', Key: { id: 'a' } }),
      DynamoDBError,
    );
    expect(error.name).toBe('ProvisionedThroughputExceededException');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('Rate of requests exceeds the allowed throughput.');
    expect(requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('does not retry client errors', async () => {
    const { endpoint, requests } = await scriptedServer([
      {
        status: 400,
        body: { __type: 'com.amazon.coral.validate#ValidationException', Message: 'Bad key' },
      },
    ]);
    const { client, delays } = leanClient(endpoint);
    const error = await rejection(
      client.getItem({ TableName: 'users', Key: { id: 'a' } }),
      DynamoDBError,
    );
    expect(error).toMatchObject({
      name: 'ValidationException',
      message: 'Bad key',
      statusCode: 400,
    });
    expect(requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('retries network errors and names them NetworkError', async () => {
    const { endpoint } = await scriptedServer([itemReply]);
    const running = server;
    server = undefined;
    running?.closeAllConnections();
    await new Promise((resolve) => running?.close(resolve));
    const { client, delays } = leanClient(endpoint, { maxAttempts: 2 });
    const error = await rejection(
      client.getItem({ TableName: 'users', Key: { id: 'a' } }),
      DynamoDBError,
    );
    expect(error.name).toBe('NetworkError');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.statusCode).toBeUndefined();
    expect(delays).toHaveLength(1);
  });
});

describe('LeanDynamoClient errors', () => {
  it('carries the ALL_OLD item of a ConditionalCheckFailedException, unmarshalled', async () => {
    const { endpoint } = await scriptedServer([
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
          Item: { id: { S: 'a' }, lock_version: { N: '4' } },
        },
      },
    ]);
    const { client } = leanClient(endpoint);
    const error = await rejection(
      client.putItem({
        TableName: 'users',
        Item: { id: 'a' },
        ConditionExpression: 'attribute_not_exists(id)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      DynamoDBError,
    );
    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      statusCode: 400,
      retryable: false,
      item: { id: 'a', lock_version: 4 },
    });
  });

  it('names an error response without __type by its status', async () => {
    const { endpoint } = await scriptedServer([{ status: 403, body: '<html>denied</html>' }]);
    const { client } = leanClient(endpoint);
    const error = await rejection(
      client.getItem({ TableName: 'users', Key: { id: 'a' } }),
      DynamoDBError,
    );
    expect(error).toMatchObject({ name: 'HttpError403', statusCode: 403, retryable: false });
  });
});

describe('LeanDynamoClient requests', () => {
  it('speaks the JSON 1.0 protocol with marshalled values', async () => {
    const { endpoint, requests } = await scriptedServer([{ status: 200, body: {} }]);
    const { client } = leanClient(endpoint);
    await client.updateItem({
      TableName: 'users',
      Key: { id: 'a' },
      UpdateExpression: 'SET #n = :n',
      ConditionExpression: 'attribute_exists(#id)',
      ExpressionAttributeNames: { '#n': 'name', '#id': 'id' },
      ExpressionAttributeValues: { ':n': 'Ada' },
      ReturnValues: 'ALL_NEW',
    });
    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/');
    expect(request?.headers['x-amz-target']).toBe('DynamoDB_20120810.UpdateItem');
    expect(request?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      TableName: 'users',
      Key: { id: { S: 'a' } },
      UpdateExpression: 'SET #n = :n',
      ConditionExpression: 'attribute_exists(#id)',
      ExpressionAttributeNames: { '#n': 'name', '#id': 'id' },
      ExpressionAttributeValues: { ':n': { S: 'Ada' } },
      ReturnValues: 'ALL_NEW',
    });
  });

  it('signs with SigV4 for dynamodb, session token included, as the AWS SDK signer would', async () => {
    const { endpoint, requests } = await scriptedServer([itemReply]);
    const credentials = { ...CREDENTIALS, sessionToken: 'session-token-example' };
    const { client } = leanClient(endpoint, { credentials });
    await client.getItem({ TableName: 'users', Key: { id: 'a' } });
    const request = requests[0];
    if (request === undefined) throw new Error('no request');
    const { headers } = request;
    expect(headers['x-amz-security-token']).toBe('session-token-example');
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    const authorization = headers.authorization ?? '';
    const date = (headers['x-amz-date'] as string).slice(0, 8);
    expect(authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${date}/eu-west-1/dynamodb/aws4_request, ` +
          'SignedHeaders=([a-z0-9-;]+), Signature=[0-9a-f]{64}$',
      ),
    );
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    expect(signedHeaders).toEqual(
      expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token', 'x-amz-target']),
    );

    // An independent implementation (the SDK's signer) over the same signed headers and the
    // same instant must arrive at the same signature.
    const signer = new SignatureV4({
      service: 'dynamodb',
      region: 'eu-west-1',
      credentials,
      sha256: NodeSha256,
      applyChecksum: false,
    });
    const expected = await signer.sign(
      {
        method: request.method,
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: request.url,
        query: {},
        headers: Object.fromEntries(
          signedHeaders.map((name) => [name, String(headers[name] ?? '')]),
        ),
        body: request.body,
      },
      { signingDate: parseAmzDate(headers['x-amz-date'] as string) },
    );
    expect(authorization).toBe(expected.headers.authorization);
  });
});

describe('LeanDynamoClient configuration', () => {
  it('reads endpoint, region and credentials from the Lambda environment', async () => {
    const { endpoint, requests } = await scriptedServer([itemReply]);
    const client = new LeanDynamoClient({
      env: {
        [ENDPOINT_ENV]: endpoint,
        AWS_REGION: 'ap-northeast-1',
        AWS_ACCESS_KEY_ID: 'AKIDENV',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token-env',
      },
    });
    await client.getItem({ TableName: 'users', Key: { id: 'a' } });
    expect(requests[0]?.headers.authorization).toContain('Credential=AKIDENV/');
    expect(requests[0]?.headers.authorization).toContain('/ap-northeast-1/dynamodb/aws4_request');
    expect(requests[0]?.headers['x-amz-security-token']).toBe('token-env');
  });

  it('does nothing at construction and reports missing configuration on first use', async () => {
    // Constructing with an empty environment must not throw: a handler module builds its client
    // at load time, before Lambda has necessarily given it anything to check.
    const noRegion = new LeanDynamoClient({ env: {} });
    await expect(noRegion.getItem({ TableName: 'users', Key: { id: 'a' } })).rejects.toThrow(
      /no region; set AWS_REGION/,
    );
    const noCredentials = new LeanDynamoClient({ env: { AWS_REGION: 'eu-west-1' } });
    await expect(noCredentials.getItem({ TableName: 'users', Key: { id: 'a' } })).rejects.toThrow(
      /no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    const badEndpoint = new LeanDynamoClient({
      env: { AWS_REGION: 'eu-west-1', ...envCredentials(), [ENDPOINT_ENV]: 'not a url' },
    });
    await expect(badEndpoint.getItem({ TableName: 'users', Key: { id: 'a' } })).rejects.toThrow(
      'DynamoDB client: endpoint is not a URL: "not a url"',
    );
  });
});

function envCredentials() {
  return { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret' };
}

function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) throw new Error(`bad x-amz-date ${value}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** SHA-256 / HMAC-SHA-256 over node:crypto, in the shape the SDK signer takes. */
class NodeSha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    throw new Error('not needed by the signer');
  }
}
