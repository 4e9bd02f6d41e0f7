// ssh_config: `bin/stagecraft ssh-config --from-json FILE --config TMP` on 10,000 instances, end to
// end in a child process (process start, reading and scanning the JSON, selection, splice,
// atomic write). Target: ≤ 300 ms (issue 12). The input is pretty-printed like
// `aws ec2 describe-instances` output, with the fields real instances carry (network interfaces,
// block devices, security groups), so the JSON is about as large as the real thing;
// auto-scaling groups make many Name tags repeat.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Benchmark } from './types.ts';

const run = promisify(execFile);
const bin = new URL('../bin/stagecraft', import.meta.url).pathname;
/** Instances in the ssh-config benchmarks' input. */
export const INSTANCES = 10_000;
const RUNS = 5;

function instance(i: number): Record<string, unknown> {
  const id = `i-${i.toString(16).padStart(17, '0')}`;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const launch = new Date(Date.UTC(2016, 6, 1) + i * 60_000).toISOString();
  const stopped = i % 20 === 0;
  const eni = `eni-${i.toString(16).padStart(17, '0')}`;
  const tags = [
    { Key: 'aws:autoscaling:groupName', Value: `asg-${i % 400}` },
    { Key: 'env', Value: 'production' },
  ];
  // 1 in 10 untagged; the rest share 2,500 names, as instances of one group do.
  if (i % 10 !== 0) tags.push({ Key: 'Name', Value: `app ${i % 2500}` });
  return {
    AmiLaunchIndex: 0,
    ImageId: 'ami-0abcdef1234567890',
    InstanceId: id,
    InstanceType: 't3.micro',
    KeyName: 'example-production',
    LaunchTime: launch,
    Monitoring: { State: 'disabled' },
    Placement: { AvailabilityZone: 'ap-northeast-1a', GroupName: '', Tenancy: 'default' },
    PrivateDnsName: `ip-${ip.replaceAll('.', '-')}.ap-northeast-1.compute.internal`,
    PrivateIpAddress: ip,
    ProductCodes: [],
    PublicDnsName: '',
    State: stopped ? { Code: 80, Name: 'stopped' } : { Code: 16, Name: 'running' },
    StateTransitionReason: '',
    SubnetId: 'subnet-04a636d18e83cfacb',
    VpcId: 'vpc-1234567890abcdef0',
    Architecture: 'x86_64',
    BlockDeviceMappings: [
      {
        DeviceName: '/dev/xvda',
        Ebs: {
          AttachTime: launch,
          DeleteOnTermination: true,
          Status: 'attached',
          VolumeId: `vol-${i.toString(16).padStart(17, '0')}`,
        },
      },
    ],
    ClientToken: '',
    EbsOptimized: false,
    EnaSupport: true,
    Hypervisor: 'xen',
    NetworkInterfaces: [
      {
        Attachment: {
          AttachTime: launch,
          AttachmentId: `eni-attach-${i.toString(16).padStart(17, '0')}`,
          DeleteOnTermination: true,
          DeviceIndex: 0,
          Status: 'attached',
          NetworkCardIndex: 0,
        },
        Description: '',
        Groups: [{ GroupName: 'default', GroupId: 'sg-0a1b2c3d4e5f67890' }],
        Ipv6Addresses: [],
        MacAddress: '06:00:00:00:00:00',
        NetworkInterfaceId: eni,
        OwnerId: '123456789012',
        PrivateDnsName: `ip-${ip.replaceAll('.', '-')}.ap-northeast-1.compute.internal`,
        PrivateIpAddress: ip,
        PrivateIpAddresses: [
          {
            Primary: true,
            PrivateDnsName: `ip-${ip.replaceAll('.', '-')}.ap-northeast-1.compute.internal`,
            PrivateIpAddress: ip,
          },
        ],
        SourceDestCheck: true,
        Status: 'in-use',
        SubnetId: 'subnet-04a636d18e83cfacb',
        VpcId: 'vpc-1234567890abcdef0',
        InterfaceType: 'interface',
      },
    ],
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    SecurityGroups: [{ GroupName: 'default', GroupId: 'sg-0a1b2c3d4e5f67890' }],
    SourceDestCheck: true,
    Tags: tags,
    VirtualizationType: 'hvm',
    CpuOptions: { CoreCount: 1, ThreadsPerCore: 2 },
    CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
    HibernationOptions: { Configured: false },
    MetadataOptions: {
      State: 'applied',
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: 'enabled',
      HttpProtocolIpv6: 'disabled',
      InstanceMetadataTags: 'disabled',
    },
    EnclaveOptions: { Enabled: false },
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    UsageOperationUpdateTime: launch,
    PrivateDnsNameOptions: {
      HostnameType: 'ip-name',
      EnableResourceNameDnsARecord: false,
      EnableResourceNameDnsAAAARecord: false,
    },
    MaintenanceOptions: { AutoRecovery: 'default' },
    CurrentInstanceBootMode: 'legacy-bios',
  };
}

/** `aws ec2 describe-instances` output for `count` instances, pretty-printed as the CLI prints it. */
export function describeInstancesJson(count: number): string {
  const reservations = [];
  // Launches of up to 4 instances share a reservation, as in real output.
  for (let i = 0; i < count; i += 4) {
    const instances = [];
    for (let j = i; j < Math.min(count, i + 4); j++) instances.push(instance(j));
    reservations.push({
      Groups: [],
      Instances: instances,
      OwnerId: '123456789012',
      ReservationId: `r-${i.toString(16).padStart(17, '0')}`,
    });
  }
  return `${JSON.stringify({ Reservations: reservations }, null, 4)}\n`;
}

/** An existing config: the user's own entries around a stale block, so every run replaces it. */
const EXISTING = [
  'Host bastion',
  '  HostName 203.0.113.10',
  '  User admin',
  '',
  '### STAGECRAFT BEGIN ###',
  '# i-00000000000000000',
  'Host stale',
  '  HostName 10.9.9.9',
  '### STAGECRAFT END ###',
  '',
  'Host *',
  '  ServerAliveInterval 60',
  '',
].join('\n');

/** The `ssh_config` section of `npm run bench`. */
export const sshConfig: Benchmark = {
  name: 'ssh_config',
  description: `bin/stagecraft ssh-config --from-json (${INSTANCES} instances) end to end, median of ${RUNS}`,
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-ssh-'));
    try {
      const input = join(dir, 'instances.json');
      const config = join(dir, 'config');
      writeFileSync(input, describeInstancesJson(INSTANCES));
      log(`input: ${(statSync(input).size / 1e6).toFixed(1)} MB of describe-instances JSON`);
      const once = async () => {
        writeFileSync(config, EXISTING);
        const start = performance.now();
        await run(bin, ['ssh-config', '--from-json', input, '--config', config], {
          env: { ...process.env, HOME: dir },
          maxBuffer: 64 * 1024 * 1024,
        });
        return performance.now() - start;
      };
      await once(); // warm-up: tsx's transform cache, the file system cache
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push(await once());
      times.sort((a, b) => a - b);
      log(`runs (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`);
      const written = statSync(config).size;
      return {
        ms_10k: Math.round(times[Math.floor(times.length / 2)] ?? NaN),
        config_bytes: written,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
