// The lean client's per-request timeout and x-amz-crc32 check, against a scripted 127.0.0.1
// server that can stall or corrupt an answer. Real (short) timeouts: the timer races a real
// socket, which fake timers cannot drive.
import { type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from './rejection.ts';
import { DynamoDBError } from '../../src/dynamo/client.ts';
import { crc32 } from '../../src/dynamo/crc32.ts';
import {
  LeanDynamoClient,
  TIMEOUT_ENV,
  WRITE_OUTCOME_UNKNOWN,
} from '../../src/dynamo/lean-client.ts';

type Step = 'stall' | 'corrupt' | 'ok';

let server: Server | undefined;
const stalled: ServerResponse[] = [];

afterEach(async () => {
  const running = server;
  server = undefined;
  for (const res of stalled.splice(0)) res.destroy();
  if (running) {
    running.closeAllConnections();
    await new Promise((resolve) => running.close(resolve));
  }
});

const ITEM_BODY = JSON.stringify({ Item: { id: { S: 'a' }, n: { N: '7' } } });

/** Answers per `steps` in order (the last repeats): stall forever, corrupt the body, or ok. */
async function scripted(steps: Step[]): Promise<{ endpoint: string; count: () => number }> {
  let requests = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const step = steps[Math.min(requests, steps.length - 1)];
      requests++;
      if (step === 'stall') {
        stalled.push(res);
        return;
      }
      const body = Buffer.from(ITEM_BODY);
      const checksum = crc32(body);
      // Flip one byte after computing the checksum: what a bad proxy or NIC would do.
      if (step === 'corrupt') body[body.length - 3] = 0x38; // '7' → '8'
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-crc32': String(checksum),
      });
      res.end(body);
    });
  });
  const running = server;
  await new Promise<void>((resolve) => running.listen(0, '127.0.0.1', resolve));
  const { port } = running.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, count: () => requests };
}

function client(endpoint: string, env: Record<string, string> = {}, timeoutMs?: number) {
  return new LeanDynamoClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    env,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    sleep: async () => {},
  });
}

describe('crc32', () => {
  it('matches the standard check value and what dynalite sends', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });
});

describe('per-request timeout', () => {
  it('aborts a stalled read, then retries it and succeeds', async () => {
    const { endpoint, count } = await scripted(['stall', 'ok']);
    const result = await client(endpoint, {}, 100).getItem({ TableName: 't', Key: { id: 'a' } });
    expect(result).toEqual({ Item: { id: 'a', n: 7 } });
    expect(count()).toBe(2);
  });

  it('names the error TimeoutError when every try stalls', async () => {
    const { endpoint, count } = await scripted(['stall']);
    const lean = new LeanDynamoClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      env: { [TIMEOUT_ENV]: '50' },
      maxAttempts: 2,
      sleep: async () => {},
    });
    const error = await rejection(
      lean.getItem({ TableName: 't', Key: { id: 'a' } }),
      DynamoDBError,
    );
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toContain('longer than 50 ms');
    expect(count()).toBe(2);
  });

  it('retries a conditional write after a timeout (its condition refuses a second apply)', async () => {
    const { endpoint, count } = await scripted(['stall', 'ok']);
    await client(endpoint, {}, 100).updateItem({
      TableName: 't',
      Key: { id: 'a' },
      UpdateExpression: 'SET #n = :v',
      ConditionExpression: 'attribute_not_exists(#m)',
      ExpressionAttributeNames: { '#n': 'n', '#m': 'm' },
      ExpressionAttributeValues: { ':v': 1 },
    });
    expect(count()).toBe(2);
  });

  it('never resends an unconditioned write that may have applied: WriteOutcomeUnknown', async () => {
    const { endpoint, count } = await scripted(['stall', 'ok']);
    const error = await rejection(
      client(endpoint, {}, 100).updateItem({
        TableName: 't',
        Key: { id: 'a' },
        UpdateExpression: 'SET #n = #n + :v',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':v': 1 },
      }),
      DynamoDBError,
    );
    expect(error.name).toBe(WRITE_OUTCOME_UNKNOWN);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('may or may not have been applied');
    expect(count()).toBe(1);
  });

  it('refuses a timeout setting that is not a positive number', async () => {
    const { endpoint } = await scripted(['ok']);
    await expect(
      client(endpoint, { [TIMEOUT_ENV]: 'soon' }).getItem({ TableName: 't', Key: { id: 'a' } }),
    ).rejects.toThrow(`${TIMEOUT_ENV} must be a positive number of ms, got soon`);
  });
});

describe('x-amz-crc32', () => {
  it('detects a corrupted read answer and retries it', async () => {
    const { endpoint, count } = await scripted(['corrupt', 'ok']);
    const result = await client(endpoint).getItem({ TableName: 't', Key: { id: 'a' } });
    // The corrupted answer said n = 8; only the checked one is believed.
    expect(result).toEqual({ Item: { id: 'a', n: 7 } });
    expect(count()).toBe(2);
  });

  it('names a mismatch that persists CRC32CheckFailed', async () => {
    const { endpoint } = await scripted(['corrupt']);
    const error = await rejection(
      client(endpoint).getItem({ TableName: 't', Key: { id: 'a' } }),
      DynamoDBError,
    );
    expect(error.name).toBe('CRC32CheckFailed');
  });

  it('reports a corrupted 2xx answer to an unconditioned write as WriteOutcomeUnknown', async () => {
    const { endpoint, count } = await scripted(['corrupt', 'ok']);
    const error = await rejection(
      client(endpoint).putItem({ TableName: 't', Item: { id: 'a' } }),
      DynamoDBError,
    );
    expect(error.name).toBe(WRITE_OUTCOME_UNKNOWN);
    expect(count()).toBe(1);
  });
});
