// The CloudWatch side of the rollout: the exact GetMetricData queries per window, how the
// answers become WindowStats, and DescribeAlarms for `--alarm`. The CloudWatch client is
// mocked (aws-sdk-client-mock); query shapes follow the GetMetricData API reference.
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alarmsInAlarm } from '../../src/platform/aws/alarms.ts';
import { awsRolloutSignals } from '../../src/platform/aws/rollout-signals.ts';
import {
  alignWindow,
  CLOUDWATCH_SETTLE_MS,
  CloudWatchVersionMetrics,
} from '../../src/platform/aws/metrics.ts';
import { ReleaseError } from '../../src/errors.ts';
import { callLog, FUNCTION } from './aws-helpers.ts';
import { codeOf } from './release-error-code.ts';

let client: CloudWatchClient;
let mock: ReturnType<typeof mockClient>;

beforeEach(() => {
  client = new CloudWatchClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  mock = mockClient(client);
});
afterEach(() => {
  mock.restore();
  client.destroy();
});

const source = () => new CloudWatchVersionMetrics({ cloudwatch: client, functionName: FUNCTION });

// A window of three whole minutes, and the queries it makes for versions 1 and 2 on prod.
const FROM = new Date('2024-05-01T10:00:00.000Z');
const TO = new Date('2024-05-01T10:03:00.000Z');

function own(version: string) {
  return [
    { Name: 'Stage', Value: 'prod' },
    { Name: 'FunctionVersion', Value: version },
  ];
}
function lambdaDims(version: string) {
  return [
    { Name: 'FunctionName', Value: FUNCTION },
    { Name: 'Resource', Value: `${FUNCTION}:prod` },
    { Name: 'ExecutedVersion', Value: version },
  ];
}
function stat(
  Id: string,
  Namespace: string,
  MetricName: string,
  Dimensions: unknown,
  Stat: string,
) {
  return {
    Id,
    MetricStat: { Metric: { Namespace, MetricName, Dimensions }, Period: 180, Stat },
    ReturnData: true,
  };
}
const QUERIES = ['1', '2'].flatMap((version, i) => [
  stat(`requests_${i}`, 'Stagecraft', 'Requests', own(version), 'Sum'),
  stat(`errors5xx_${i}`, 'Stagecraft', 'Errors5xx', own(version), 'Sum'),
  stat(`p99_${i}`, 'Stagecraft', 'Latency', own(version), 'p99'),
  stat(`failures_${i}`, 'AWS/Lambda', 'Errors', lambdaDims(version), 'Sum'),
]);

function result(Id: string, ...Values: number[]) {
  return {
    Id,
    StatusCode: 'Complete' as const,
    Timestamps: Values.map(() => FROM),
    Values,
  };
}

describe('CloudWatch metrics: GetMetricData', () => {
  it('asks one call for the window: per version Requests/Errors5xx Sum, Latency p99, Lambda Errors Sum', async () => {
    mock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await source().window({ stage: 'prod', versions: ['1', '2'], from: FROM, to: TO });
    expect(callLog(mock)).toEqual([
      ['GetMetricData', { MetricDataQueries: QUERIES, StartTime: FROM, EndTime: TO }],
    ]);
  });

  it('adds Lambda failures to requests and errors (a failed invocation writes no EMF line)', async () => {
    mock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        result('requests_0', 900),
        result('errors5xx_0', 2),
        result('p99_0', 120.5),
        result('failures_0', 1),
        result('requests_1', 100),
        result('errors5xx_1', 4),
        result('p99_1', 340),
        result('failures_1', 3),
      ],
    });
    expect(
      await source().window({ stage: 'prod', versions: ['1', '2'], from: FROM, to: TO }),
    ).toEqual({
      '1': { requests: 901, errors: 3, p99Ms: 120.5 },
      '2': { requests: 103, errors: 7, p99Ms: 340 },
    });
  });

  it('no data: zero requests and errors, p99 undefined', async () => {
    mock.on(GetMetricDataCommand).resolves({
      MetricDataResults: QUERIES.map((query) => result(query.Id)),
    });
    expect(
      await source().window({ stage: 'prod', versions: ['1', '2'], from: FROM, to: TO }),
    ).toEqual({
      '1': { requests: 0, errors: 0, p99Ms: undefined },
      '2': { requests: 0, errors: 0, p99Ms: undefined },
    });
  });

  it('follows NextToken and combines the pages (sums added, the largest p99 kept)', async () => {
    mock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [result('requests_0', 10), result('p99_0', 80)],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [result('requests_0', 5), result('p99_0', 95), result('errors5xx_0', 1)],
      });
    const stats = await source().window({ stage: 'prod', versions: ['1'], from: FROM, to: TO });
    expect(stats).toEqual({ '1': { requests: 15, errors: 1, p99Ms: 95 } });
    const calls = callLog(mock);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.[1].NextToken).toBeUndefined();
    expect(calls[1]?.[1]).toMatchObject({ NextToken: 'page-2', StartTime: FROM, EndTime: TO });
  });

  it('widens a window to whole minutes, one period covering it all', async () => {
    mock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await source().window({
      stage: 'prod',
      versions: ['1'],
      from: new Date('2024-05-01T10:00:30.000Z'),
      to: new Date('2024-05-01T10:02:10.000Z'),
    });
    const [, input] = callLog(mock)[0] ?? [];
    expect(input).toMatchObject({
      StartTime: new Date('2024-05-01T10:00:00.000Z'),
      EndTime: new Date('2024-05-01T10:03:00.000Z'),
    });
    const queries = (input?.MetricDataQueries ?? []) as { MetricStat: { Period: number } }[];
    expect(queries.map((query) => query.MetricStat.Period)).toEqual([180, 180, 180, 180]);
  });

  it('a window shorter than a minute is the minute it touches; an empty window asks nothing', async () => {
    expect(
      alignWindow(new Date('2024-05-01T10:00:10.000Z'), new Date('2024-05-01T10:00:40.000Z')),
    ).toEqual({
      start: new Date('2024-05-01T10:00:00.000Z'),
      end: new Date('2024-05-01T10:01:00.000Z'),
      periodSeconds: 60,
    });
    expect(
      alignWindow(new Date('2024-05-01T10:00:50.000Z'), new Date('2024-05-01T10:01:10.000Z')),
    ).toMatchObject({ periodSeconds: 120 });
    expect(alignWindow(FROM, FROM)).toBeUndefined();
    expect(await source().window({ stage: 'prod', versions: ['1'], from: TO, to: FROM })).toEqual({
      '1': { requests: 0, errors: 0, p99Ms: undefined },
    });
    expect(callLog(mock)).toEqual([]);
  });

  it('uses the staging alias for the staging stage', async () => {
    mock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await source().window({ stage: 'staging', versions: ['5'], from: FROM, to: TO });
    const queries = (callLog(mock)[0]?.[1].MetricDataQueries ?? []) as {
      MetricStat: { Metric: { Dimensions: unknown } };
    }[];
    expect(queries[0]?.MetricStat.Metric.Dimensions).toEqual([
      { Name: 'Stage', Value: 'staging' },
      { Name: 'FunctionVersion', Value: '5' },
    ]);
    expect(queries[3]?.MetricStat.Metric.Dimensions).toEqual([
      { Name: 'FunctionName', Value: FUNCTION },
      { Name: 'Resource', Value: `${FUNCTION}:staging` },
      { Name: 'ExecutedVersion', Value: '5' },
    ]);
  });

  it('waits 3 minutes by default before a window is complete, or as told', () => {
    expect(source().settleMs).toBe(CLOUDWATCH_SETTLE_MS);
    expect(CLOUDWATCH_SETTLE_MS).toBe(180_000);
    expect(
      new CloudWatchVersionMetrics({ cloudwatch: client, functionName: FUNCTION, settleMs: 5000 })
        .settleMs,
    ).toBe(5000);
  });

  it('translates a refusal through the one AWS error translator, naming the IAM action', async () => {
    mock.on(GetMetricDataCommand).rejects(
      Object.assign(new Error('User: x is not authorized to perform: cloudwatch:GetMetricData'), {
        name: 'AccessDenied',
      }),
    );
    const refused = source().window({ stage: 'prod', versions: ['1'], from: FROM, to: TO });
    await expect(refused).rejects.toThrow(/may call cloudwatch:GetMetricData/);
    expect(
      await codeOf(source().window({ stage: 'prod', versions: ['1'], from: FROM, to: TO })),
    ).toBe('aws.refused');
  });

  it('translates throttling that outlasted the retries', async () => {
    mock
      .on(GetMetricDataCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    expect(
      await codeOf(source().window({ stage: 'prod', versions: ['1'], from: FROM, to: TO })),
    ).toBe('aws.throttled');
  });

  it('a query CloudWatch could not answer is aws.metrics, not silently zero', async () => {
    mock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'requests_0', StatusCode: 'Forbidden', Messages: [{ Code: 'x', Value: 'denied' }] },
      ],
    });
    expect(
      await codeOf(source().window({ stage: 'prod', versions: ['1'], from: FROM, to: TO })),
    ).toBe('aws.metrics');
  });
});

function alarm(AlarmName: string, StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA') {
  return { AlarmName, StateValue };
}

describe('CloudWatch alarms: DescribeAlarms', () => {
  it('returns the named alarms in ALARM, reading metric and composite alarms', async () => {
    mock.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [alarm('api-5xx', 'ALARM'), alarm('api-latency', 'OK')],
      CompositeAlarms: [alarm('api-health', 'INSUFFICIENT_DATA')],
    });
    expect(await alarmsInAlarm(client, ['api-5xx', 'api-latency', 'api-health'])).toEqual([
      'api-5xx',
    ]);
    expect(callLog(mock)).toEqual([
      [
        'DescribeAlarms',
        {
          AlarmNames: ['api-5xx', 'api-latency', 'api-health'],
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        },
      ],
    ]);
  });

  it('returns none when every alarm is OK', async () => {
    mock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('api-5xx', 'OK')] });
    expect(await alarmsInAlarm(client, ['api-5xx'])).toEqual([]);
  });

  it('a name that does not exist is alarm.not-found, naming it (a misspelt alarm never fires)', async () => {
    mock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('api-5xx', 'OK')] });
    const error = await alarmsInAlarm(client, ['api-5xx', 'api-5XX']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseError);
    expect(error).toMatchObject({ code: 'alarm.not-found' });
    expect((error as Error).message).toContain('"api-5XX"');
    expect((error as Error).message).not.toContain('"api-5xx"');
  });

  it('follows NextToken', async () => {
    mock
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [alarm('a', 'OK')], NextToken: 't2' })
      .resolvesOnce({ MetricAlarms: [alarm('b', 'ALARM')] });
    expect(await alarmsInAlarm(client, ['a', 'b'])).toEqual(['b']);
    expect(callLog(mock)[1]?.[1]).toMatchObject({ NextToken: 't2' });
  });

  it('asks no more than 100 names per call', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    mock.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({
      MetricAlarms: input.AlarmNames.map((name) => alarm(name, 'OK')),
    }));
    expect(await alarmsInAlarm(client, names)).toEqual([]);
    expect(callLog(mock).map(([, input]) => (input.AlarmNames as string[]).length)).toEqual([
      100, 50,
    ]);
  });

  it('translates a refusal, naming cloudwatch:DescribeAlarms', async () => {
    mock
      .on(DescribeAlarmsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(alarmsInAlarm(client, ['api-5xx'])).rejects.toThrow(
      /may call cloudwatch:DescribeAlarms/,
    );
  });
});

describe('awsRolloutSignals', () => {
  it('wires the metrics source and the alarm check to one CloudWatch client', async () => {
    mock.on(GetMetricDataCommand).resolves({ MetricDataResults: [result('requests_0', 7)] });
    mock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('api-5xx', 'ALARM')] });
    const signals = awsRolloutSignals({ cloudwatch: client, functionName: FUNCTION });
    expect(signals.metrics.settleMs).toBe(CLOUDWATCH_SETTLE_MS);
    expect(
      await signals.metrics.window({ stage: 'prod', versions: ['1'], from: FROM, to: TO }),
    ).toEqual({ '1': { requests: 7, errors: 0, p99Ms: undefined } });
    expect(await signals.alarms(['api-5xx'])).toEqual(['api-5xx']);
    expect(callLog(mock).map(([name]) => name)).toEqual(['GetMetricData', 'DescribeAlarms']);
  });
});
