// The function's CloudWatch EMF lines: exactly one per answered request, in the format of
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
// with the names of src/config/metrics.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHandler, type HandlerDependencies } from '../../src/service/app.ts';
import { defaultMetricsSink, emfLine } from '../../src/service/emf.ts';
import type { IdempotencyRecords } from '../../src/service/idempotency/records.ts';
import { createLogger } from '../../src/service/logger.ts';
import type { UserStore, VersionedUser } from '../../src/service/store.ts';
import { DynamoDBError } from '../../src/dynamo/client.ts';
import { lambdaContext, userEvent } from './events.ts';

const T0 = new Date('2024-05-01T10:00:00.000Z');
const USER: VersionedUser = {
  id: 'abcd1234',
  name: 'Ann',
  created_at: T0.toISOString(),
  updated_at: T0.toISOString(),
  lock_version: 1,
};

// The directive every line carries, written out once by hand.
const DIRECTIVE =
  '{"Namespace":"Stagecraft","Dimensions":[["Stage","FunctionVersion"]],"Metrics":[' +
  '{"Name":"Requests","Unit":"Count"},{"Name":"Errors5xx","Unit":"Count"},' +
  '{"Name":"Latency","Unit":"Milliseconds"}]}';

function expectedLine(stage: string, version: string, errors5xx: number, latency: number) {
  return (
    `{"_aws":{"Timestamp":${T0.getTime()},"CloudWatchMetrics":[${DIRECTIVE}]},` +
    `"Stage":"${stage}","FunctionVersion":"${version}","Requests":1,` +
    `"Errors5xx":${errors5xx},"Latency":${latency}}`
  );
}

// A store whose get answers (or fails) as the test says; nothing else is called.
function storeWith(get: () => Promise<VersionedUser | undefined>): UserStore {
  const unused = () => Promise.reject(new Error('not used by GET'));
  return {
    get,
    create: unused,
    update: unused,
    delete: unused,
    upsert: unused,
    forget: unused,
    mutate: unused,
  };
}

function handlerWith(
  get: () => Promise<VersionedUser | undefined>,
  extra: Partial<HandlerDependencies> = {},
) {
  const lines: string[] = [];
  const handler = createHandler({
    repositoryFor: () => storeWith(get),
    idempotencyFor: () => ({}) as IdempotencyRecords,
    now: () => T0,
    logger: createLogger({ sink: () => undefined }),
    metrics: (line) => lines.push(line),
    ...extra,
  });
  return { handler, lines };
}

// The handler reads performance.now() twice per request (start, end): 1000 → 1012.5 ms.
function latencyOf(ms: number) {
  vi.spyOn(performance, 'now')
    .mockReturnValueOnce(1000)
    .mockReturnValueOnce(1000 + ms);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EMF line per request', () => {
  it('a 200: Requests 1, Errors5xx 0, the latency, the stage and the version that answered', async () => {
    const { handler, lines } = handlerWith(() => Promise.resolve(USER));
    latencyOf(12.5);
    const result = await handler(
      userEvent({ id: 'abcd1234', stage: 'prod' }),
      lambdaContext({ qualifier: 'prod', version: '3' }),
    );
    expect(result.statusCode).toBe(200);
    expect(lines).toEqual([expectedLine('prod', '3', 0, 12.5)]);
    // What CloudWatch reads: the members the directive names are at the root.
    const parsed = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(parsed).toMatchObject({ Stage: 'prod', FunctionVersion: '3', Requests: 1 });
  });

  it('a 503 (the table throttles): Errors5xx 1', async () => {
    const throttled = new DynamoDBError('ProvisionedThroughputExceededException', 'slow down', {
      statusCode: 400,
    });
    const { handler, lines } = handlerWith(() => Promise.reject(throttled));
    latencyOf(40);
    const result = await handler(
      userEvent({ id: 'abcd1234', stage: 'prod' }),
      lambdaContext({ qualifier: 'prod', version: '4' }),
    );
    expect(result.statusCode).toBe(503);
    expect(lines).toEqual([expectedLine('prod', '4', 1, 40)]);
  });

  it('a thrown error (answered 500): the line is still written, with Errors5xx 1', async () => {
    const { handler, lines } = handlerWith(() => Promise.reject(new Error('table exploded')));
    latencyOf(3.25);
    const result = await handler(
      userEvent({ id: 'abcd1234', stage: 'staging' }),
      lambdaContext({ qualifier: 'staging', version: '$LATEST' }),
    );
    expect(result.statusCode).toBe(500);
    expect(lines).toEqual([expectedLine('staging', '$LATEST', 1, 3.25)]);
  });

  it('a 4xx is not an error, and every request writes exactly one line', async () => {
    const { handler, lines } = handlerWith(() => Promise.resolve(undefined));
    for (let i = 0; i < 3; i++) {
      await handler(
        userEvent({ id: 'abcd1234', stage: 'prod' }),
        lambdaContext({ qualifier: 'prod', version: '3' }),
      );
    }
    await handler(
      userEvent({ path: '/nowhere', stage: 'prod' }),
      lambdaContext({ qualifier: 'prod' }),
    );
    expect(lines).toHaveLength(4);
    expect(lines.map((line) => (JSON.parse(line) as { Errors5xx: number }).Errors5xx)).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('writes no line when the invocation itself fails (Lambda counts it in AWS/Lambda Errors)', async () => {
    const { handler, lines } = handlerWith(() => Promise.resolve(USER), {
      logger: {
        log() {
          throw new Error('log sink broken');
        },
      },
    });
    await expect(
      handler(userEvent({ id: 'abcd1234', stage: 'prod' }), lambdaContext({ qualifier: 'prod' })),
    ).rejects.toThrow('log sink broken');
    expect(lines).toEqual([]);
  });

  it('a failing metrics sink never fails the request', async () => {
    const { handler } = handlerWith(() => Promise.resolve(USER), {
      metrics: () => {
        throw new Error('EPIPE');
      },
    });
    const result = await handler(
      userEvent({ id: 'abcd1234', stage: 'prod' }),
      lambdaContext({ qualifier: 'prod', version: '3' }),
    );
    expect(result.statusCode).toBe(200);
  });

  it('falls back to AWS_LAMBDA_FUNCTION_VERSION, and to the alias stage for a direct invoke', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_VERSION', '7');
    try {
      const { handler, lines } = handlerWith(() => Promise.resolve(USER));
      const event = userEvent({ id: 'abcd1234', stage: 'prod' });
      const direct = { ...event, requestContext: { ...event.requestContext, stage: '' } };
      const context = { ...lambdaContext({ qualifier: 'prod' }), functionVersion: '' };
      await handler(direct, context);
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({ Stage: 'prod', FunctionVersion: '7' });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('where the lines go by default', () => {
  it('stdout inside a Lambda runtime; nowhere outside one or with STAGECRAFT_EMF=off', () => {
    expect(defaultMetricsSink({ AWS_LAMBDA_FUNCTION_NAME: 'example' })).toBeTypeOf('function');
    expect(defaultMetricsSink({})).toBeUndefined();
    // The local runtime (src/local/lambda/runner.ts) sets both.
    expect(
      defaultMetricsSink({ AWS_LAMBDA_FUNCTION_NAME: 'example', STAGECRAFT_EMF: 'off' }),
    ).toBeUndefined();
  });

  it('the default sink writes the line and a newline to stdout', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    defaultMetricsSink({ AWS_LAMBDA_FUNCTION_NAME: 'example' })?.('{"x":1}');
    expect(write).toHaveBeenCalledWith('{"x":1}\n');
  });

  it('emfLine is the same line the handler writes', () => {
    expect(
      emfLine({ stage: 'prod', version: '3', status: 502, latencyMs: 9, at: T0.getTime() }),
    ).toBe(expectedLine('prod', '3', 1, 9));
  });
});
