// One rollout on AWS with every AWS call mocked (aws-sdk-client-mock): the AWS control plane
// moves prod's alias, the CloudWatch source judges the window (GetMetricData), and a
// CloudWatch alarm in ALARM aborts the step, sending prod back to the baseline.
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  GetAliasCommand,
  GetFunctionCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsRolloutSignals } from '../../../src/platform/aws/rollout-signals.ts';
import type { ReleaseContext } from '../../../src/release/context.ts';
import { rollout, type RolloutOptions } from '../../../src/release/operations/rollout.ts';
import { DEFAULT_JUDGEMENT } from '../../../src/release/rollout/judgement.ts';
import { parseSchedule } from '../../../src/release/rollout/schedule.ts';
import {
  awsContext,
  callLog,
  FUNCTION,
  newLambda,
  prodAlias,
  SHA_V1,
  SHA_V2,
  version,
} from '../../platform/aws-helpers.ts';

let lambda: ReturnType<typeof newLambda>;
let cloudwatch: CloudWatchClient;
let cw: ReturnType<typeof mockClient>;
let ctx: ReleaseContext;
let cleanup: () => Promise<void>;
let clock: number;

beforeEach(async () => {
  lambda = newLambda();
  cloudwatch = new CloudWatchClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  cw = mockClient(cloudwatch);
  const made = await awsContext(lambda.client);
  clock = Date.parse('2024-05-01T10:00:00.000Z');
  ctx = { ...made.ctx, commandLine: 'release rollout 2', now: () => new Date(clock) };
  cleanup = made.cleanup;
});
afterEach(async () => {
  lambda.mock.restore();
  cw.restore();
  cloudwatch.destroy();
  await cleanup();
});

const OPTIONS: RolloutOptions = {
  version: '2',
  force: true,
  schedule: parseSchedule({ steps: '20,100', interval: '5m' }),
  judgement: DEFAULT_JUDGEMENT,
  tickMs: 60_000,
  alarms: ['api-5xx'],
};

describe('release rollout --target aws (mocked AWS)', () => {
  it('moves prod to 20 %, judges from CloudWatch after the settle delay, and an alarm aborts', async () => {
    lambda.mock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    lambda.mock.on(ListVersionsByFunctionCommand).resolves({
      Versions: [
        { ...version('$LATEST', SHA_V2), Description: '' },
        version('1', SHA_V1),
        version('2', SHA_V2),
      ],
    });
    let alias = prodAlias('1', {}, 'rev-1');
    lambda.mock.on(GetAliasCommand).callsFake(() => alias);
    let revision = 1;
    lambda.mock
      .on(UpdateAliasCommand)
      .callsFake(
        (input: {
          FunctionVersion: string;
          RoutingConfig: { AdditionalVersionWeights: Record<string, number> };
        }) => {
          alias = prodAlias(
            input.FunctionVersion,
            input.RoutingConfig.AdditionalVersionWeights,
            `rev-${++revision}`,
          );
          return alias;
        },
      );
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    // OK before the first move and on the three ticks inside the settle delay; then ALARM.
    const ok = { MetricAlarms: [{ AlarmName: 'api-5xx', StateValue: 'OK' as const }] };
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce(ok)
      .resolvesOnce(ok)
      .resolvesOnce(ok)
      .resolvesOnce(ok)
      .resolves({ MetricAlarms: [{ AlarmName: 'api-5xx', StateValue: 'ALARM' }] });
    const signals = awsRolloutSignals({ cloudwatch, functionName: FUNCTION });
    const result = await rollout(ctx, OPTIONS, {
      ...signals,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect(result.outcome).toBe('aborted');
    const updates = callLog(lambda.mock).filter(([name]) => name === 'UpdateAlias');
    expect(updates.map(([, input]) => input)).toEqual([
      {
        FunctionName: FUNCTION,
        Name: 'prod',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } },
        RevisionId: 'rev-1',
      },
      {
        FunctionName: FUNCTION,
        Name: 'prod',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: {} },
        RevisionId: 'rev-2',
      },
    ]);
    // Alarms are read before the first move and on every tick; the first judgement waits out
    // the 3-minute settle delay: at 10:04 (4 ticks of 60 s) it reads [10:00, 10:01) — the
    // step's start to now − settleMs, on whole minutes.
    const reads = callLog(cw);
    expect(reads.map(([name]) => name)).toEqual([
      'DescribeAlarms',
      'DescribeAlarms',
      'DescribeAlarms',
      'DescribeAlarms',
      'GetMetricData',
      'DescribeAlarms',
    ]);
    const metricRead = reads[4];
    expect(metricRead?.[1]).toMatchObject({
      StartTime: new Date('2024-05-01T10:00:00.000Z'),
      EndTime: new Date('2024-05-01T10:01:00.000Z'),
    });
    const ids = (metricRead?.[1].MetricDataQueries as { Id: string }[]).map((query) => query.Id);
    expect(ids).toEqual([
      'requests_0',
      'errors5xx_0',
      'p99_0',
      'failures_0',
      'requests_1',
      'errors5xx_1',
      'p99_1',
      'failures_1',
    ]);
    expect(reads[5]?.[1]).toEqual({
      AlarmNames: ['api-5xx'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(result.reason).toMatch(/alarm in ALARM: api-5xx/);
    expect(alias).toEqual(prodAlias('1', {}, 'rev-3'));
  });
});
