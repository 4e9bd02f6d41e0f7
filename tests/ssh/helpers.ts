// Builders for describe-instances documents in the real output shape (Reservations → Instances
// with Tags, State, addresses, LaunchTime, Platform), so tests state only what matters to them.
import type { Ec2Instance } from '../../src/ssh/model.ts';

const STATE_CODES: Record<string, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** What a test may set on one instance; everything else gets realistic defaults. */
export interface InstanceSpec {
  id: string;
  /** The Name tag; `null` = no Tags key at all; `undefined` = tags without a Name. */
  name?: string | null;
  state?: string;
  privateIp?: string | null;
  publicIp?: string;
  launchTime?: string;
  platform?: 'windows';
}

/** One instance as `aws ec2 describe-instances` prints it. */
export function instanceJson(spec: InstanceSpec): Record<string, unknown> {
  const state = spec.state ?? 'running';
  const privateIp = spec.privateIp === undefined ? '10.0.0.1' : spec.privateIp;
  const instance: Record<string, unknown> = {
    AmiLaunchIndex: 0,
    ImageId: 'ami-0abcdef1234567890',
    InstanceId: spec.id,
    InstanceType: 't3.micro',
    LaunchTime: spec.launchTime ?? '2016-07-26T12:17:49.000Z',
    Monitoring: { State: 'disabled' },
    Placement: { AvailabilityZone: 'ap-northeast-1a', GroupName: '', Tenancy: 'default' },
    State: { Code: STATE_CODES[state] ?? 16, Name: state },
    SubnetId: 'subnet-04a636d18e83cfacb',
    VpcId: 'vpc-1234567890abcdef0',
    SecurityGroups: [{ GroupName: 'default', GroupId: 'sg-0a1b2c3d4e5f67890' }],
  };
  if (privateIp !== null) instance['PrivateIpAddress'] = privateIp;
  if (spec.publicIp !== undefined) instance['PublicIpAddress'] = spec.publicIp;
  if (spec.platform !== undefined) instance['Platform'] = spec.platform;
  if (spec.name !== null) {
    const tags: { Key: string; Value: string }[] = [{ Key: 'env', Value: 'production' }];
    if (spec.name !== undefined) tags.push({ Key: 'Name', Value: spec.name });
    instance['Tags'] = tags;
  }
  return instance;
}

/** A describe-instances document; each inner array is one reservation. */
export function describeInstances(...reservations: InstanceSpec[][]): Record<string, unknown> {
  return {
    Reservations: reservations.map((instances, index) => ({
      Groups: [],
      Instances: instances.map(instanceJson),
      OwnerId: '123456789012',
      ReservationId: `r-${String(index).padStart(17, '0')}`,
    })),
  };
}

/** An Ec2Instance as the reader produces it, for tests of the pure steps. */
export function ec2Instance(fields: Partial<Ec2Instance> & { instanceId: string }): Ec2Instance {
  return {
    name: undefined,
    state: 'running',
    privateIp: '10.0.0.1',
    publicIp: undefined,
    launchTime: undefined,
    platform: undefined,
    ...fields,
  };
}
