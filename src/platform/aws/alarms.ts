/**
 * CloudWatch alarms as a rollout's stop signal (`--alarm NAME`, as CodeDeploy's deployment
 * alarms): which of the named alarms are in ALARM now.
 */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { ReleaseError } from '../../errors.ts';
import { translateAwsError } from './errors.ts';

// DescribeAlarms takes at most 100 AlarmNames per call.
const NAMES_PER_CALL = 100;
// A bounded NextToken loop: 100 names fit in a page or two.
const MAX_PAGES = 50;

/**
 * The names among `names` whose alarm is in ALARM, in the order given. Metric and composite
 * alarms alike (DescribeAlarms returns only metric alarms unless AlarmTypes says otherwise).
 * Every name must exist: a misspelt alarm would otherwise never fire, so a missing one is an
 * `alarm.not-found` error naming it. The state is read for every alarm (no StateValue filter),
 * which is what tells a missing alarm from one that is simply OK.
 * @param cloudwatch the CloudWatch client
 * @param names the alarm names (`--alarm`), exact
 */
export async function alarmsInAlarm(
  cloudwatch: CloudWatchClient,
  names: readonly string[],
): Promise<string[]> {
  const wanted = [...new Set(names)];
  const states = new Map<string, string | undefined>();
  for (let offset = 0; offset < wanted.length; offset += NAMES_PER_CALL) {
    const batch = wanted.slice(offset, offset + NAMES_PER_CALL);
    let nextToken: string | undefined;
    let page = 0;
    do {
      if (page++ >= MAX_PAGES) throw new Error(`DescribeAlarms returned over ${MAX_PAGES} pages`);
      let answer: DescribeAlarmsCommandOutput;
      try {
        answer = await cloudwatch.send(
          new DescribeAlarmsCommand({
            AlarmNames: batch,
            AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
      } catch (error) {
        translateAwsError(error, `DescribeAlarms ${batch.join(', ')}`, 'cloudwatch:DescribeAlarms');
      }
      for (const alarm of [...(answer.MetricAlarms ?? []), ...(answer.CompositeAlarms ?? [])]) {
        if (alarm.AlarmName !== undefined) states.set(alarm.AlarmName, alarm.StateValue);
      }
      nextToken = answer.NextToken === '' ? undefined : answer.NextToken;
    } while (nextToken !== undefined);
  }
  const missing = wanted.filter((name) => !states.has(name));
  if (missing.length > 0) {
    throw new ReleaseError(
      'alarm.not-found',
      `no CloudWatch alarm named ${missing.map((name) => JSON.stringify(name)).join(', ')} ` +
        'in this account and region (names are exact and case-sensitive); check --alarm, ' +
        '--region and --profile',
    );
  }
  return wanted.filter((name) => states.get(name) === 'ALARM');
}
