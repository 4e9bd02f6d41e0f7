import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { DescribeInstancesCommandOutput, Instance } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { instancesFromAws } from '../../src/ssh/aws-source.ts';
import type { AwsTarget } from '../../src/ssh/aws-source.ts';

const ec2 = mockClient(EC2Client);
afterEach(() => {
  ec2.reset();
});

/** Clients that never reach the network: fixed credentials and region, send() mocked. */
function recordingFactory() {
  const made: { target: AwsTarget; client: EC2Client; destroy: ReturnType<typeof vi.spyOn> }[] = [];
  const factory = (target: AwsTarget) => {
    const client = new EC2Client({
      region: target.region ?? 'ap-northeast-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    made.push({ target, client, destroy: vi.spyOn(client, 'destroy') });
    return client;
  };
  return { made, factory };
}

function instance(id: string, name: string, ip: string): Instance {
  return {
    InstanceId: id,
    LaunchTime: new Date('2016-07-26T12:17:49Z'),
    PrivateIpAddress: ip,
    State: { Code: 16, Name: 'running' },
    Tags: [{ Key: 'Name', Value: name }],
  };
}

function page(token: string | undefined, ...instances: Instance[]): DescribeInstancesCommandOutput {
  return {
    $metadata: {},
    Reservations: [{ ReservationId: `r-${instances[0]?.InstanceId}`, Instances: instances }],
    ...(token !== undefined && { NextToken: token }),
  };
}

describe('instancesFromAws', () => {
  it('follows NextToken across every page, asking only for running instances', async () => {
    const pages = [
      page('t1', instance('i-1', 'a', '10.0.0.1'), instance('i-2', 'b', '10.0.0.2')),
      page('t2', instance('i-3', 'c', '10.0.0.3')),
      page(undefined, instance('i-4', 'd', '10.0.0.4')),
    ];
    // The paginator reuses one input object between calls, so each call's input is copied.
    const inputs: unknown[] = [];
    ec2.on(DescribeInstancesCommand).callsFake((input: unknown) => {
      inputs.push(structuredClone(input));
      return pages.shift();
    });
    const { factory } = recordingFactory();
    const instances = await instancesFromAws([{}], { createClient: factory });
    expect(instances.map((i) => i.instanceId)).toEqual(['i-1', 'i-2', 'i-3', 'i-4']);
    expect(instances[0]).toMatchObject({
      name: 'a',
      privateIp: '10.0.0.1',
      launchTime: Date.parse('2016-07-26T12:17:49Z'),
    });
    const running = [{ Name: 'instance-state-name', Values: ['running'] }];
    expect(inputs).toEqual([
      { Filters: running, MaxResults: 1000 },
      { Filters: running, MaxResults: 1000, NextToken: 't1' },
      { Filters: running, MaxResults: 1000, NextToken: 't2' },
    ]);
  });

  it('sends no state filter with includeStopped, and honours pageSize', async () => {
    ec2.on(DescribeInstancesCommand).resolves(page(undefined, instance('i-1', 'a', '10.0.0.1')));
    const { factory } = recordingFactory();
    await instancesFromAws([{}], { createClient: factory, includeStopped: true, pageSize: 5 });
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({ MaxResults: 5 });
  });

  it('lists every target in order with its own client, and closes each client', async () => {
    const { made, factory } = recordingFactory();
    ec2.on(DescribeInstancesCommand).callsFake(async (_input, getClient) => {
      const region = await getClient().config.region();
      return page(undefined, instance(`i-${region}`, region, '10.0.0.1'));
    });
    const targets = [
      { profile: 'prod', region: 'us-east-1' },
      { profile: 'prod', region: 'eu-west-1' },
    ];
    const instances = await instancesFromAws(targets, { createClient: factory });
    expect(instances.map((i) => i.instanceId)).toEqual(['i-us-east-1', 'i-eu-west-1']);
    expect(made.map((m) => m.target)).toEqual(targets);
    expect(made.map((m) => m.destroy.mock.calls.length)).toEqual([1, 1]);
  });

  it('names the target when a call fails, whatever page it fails on', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(page('t1', instance('i-1', 'a', '10.0.0.1')))
      .rejectsOnce(
        Object.assign(new Error('AWS was not able to validate the provided access credentials'), {
          name: 'AuthFailure',
        }),
      );
    const { factory } = recordingFactory();
    await expect(
      instancesFromAws([{ profile: 'example-production', region: 'ap-northeast-1' }], {
        createClient: factory,
      }),
    ).rejects.toMatchObject({
      code: 'aws',
      message:
        'DescribeInstances failed (profile example-production, region ap-northeast-1): ' +
        'AuthFailure: AWS was not able to validate the provided access credentials',
    });
  });

  it('reports a malformed page as input.shape, naming the page', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce(page('t1', instance('i-1', 'a', '10.0.0.1')))
      .resolvesOnce({ $metadata: {}, Reservations: [{ Instances: [{ LaunchTime: new Date() }] }] });
    const { factory } = recordingFactory();
    await expect(instancesFromAws([{}], { createClient: factory })).rejects.toMatchObject({
      code: 'input.shape',
      message: expect.stringMatching(
        /^DescribeInstances \(profile \(default\), region \(default\)\) page 2: Reservations\[0\]\.Instances\[0\] has no "InstanceId"/,
      ),
    });
  });
});
