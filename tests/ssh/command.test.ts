// The command in-process (fast): flags, validation, plan-then-apply, the AWS path with a mocked
// client. The end-to-end tests through bin/stagecraft are in cli.test.ts.
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { DescribeInstancesCommandOutput } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSshConfig } from '../../src/cli/commands/ssh-config/index.ts';
import type { AwsTarget } from '../../src/ssh/aws-source.ts';
import { main } from '../../src/cli/main.ts';
import { describeInstances } from './helpers.ts';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'stagecraft-ssh-cmd-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function collector() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

function context(argv: string[], stdin = '') {
  const stdout = collector();
  const stderr = collector();
  return {
    ctx: {
      argv,
      cwd: home,
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin: Readable.from([Buffer.from(stdin)]),
      env: { HOME: home },
    },
    stdout: stdout.text,
    stderr: stderr.text,
  };
}

/** Runs `stagecraft ARGS` in-process, as main does: exit code and both outputs. */
async function stagecraft(args: string[], stdin = '') {
  const { ctx, stdout, stderr } = context(['ssh-config', ...args], stdin);
  const code = await main(ctx);
  return { code, stdout: stdout(), stderr: stderr() };
}

const doc = describeInstances(
  [
    {
      id: 'i-web1',
      name: 'web',
      privateIp: '10.0.0.1',
      publicIp: '54.0.0.1',
      launchTime: '2016-07-01T00:00:00Z',
    },
    { id: 'i-web2', name: 'web', privateIp: '10.0.0.2', launchTime: '2016-07-02T00:00:00Z' },
  ],
  [{ id: 'i-untagged', name: null, privateIp: '10.0.0.3' }],
);

function writeInput(content: unknown = doc): string {
  const path = join(home, 'instances.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const sshConfig = () => join(home, '.ssh', 'config');

describe('ssh-config flags', () => {
  it('prints help on --help and -h, with every flag, exit 0', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, stdout } = await stagecraft([flag]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^Usage: stagecraft ssh-config /);
      for (const option of [
        '--from-json FILE|-',
        '--profile NAME',
        '--region NAME',
        '--include-stopped',
        '--config PATH',
        '--marker NAME',
        '--address private|public',
        '--user NAME',
        '--identity-file PATH',
        '--proxy-jump HOST',
        '--prefix TEXT',
        '--fallback-id',
        '--dry-run',
        '--backup',
        '--json',
      ]) {
        expect(stdout).toContain(`  ${option} `);
      }
    }
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'[\s\S]*See 'stagecraft ssh-config --help'/],
    [['stray'], /Unexpected argument 'stray'/],
    [['--config'], /Option '--config <value>' argument missing/],
    [
      ['--from-json', 'x.json', '--profile', 'p'],
      /--from-json reads instances from a file; it cannot be combined with --profile or --region/,
    ],
    [['--from-json', 'x.json', '--region', 'r'], /cannot be combined with --profile or --region/],
    [['--profile', ''], /--profile must not be empty/],
    [['--address', 'ipv6'], /--address must be 'private' or 'public', not "ipv6"/],
    [['--marker', 'MY BLOCK'], /--marker: marker name "MY BLOCK" must be letters, digits/],
    [['--prefix', 'prod #'], /--prefix "prod #" contains characters ssh host names cannot have/],
    [['--user', 'a"b'], /--user must not contain '"'/],
    [['--identity-file', ''], /--identity-file must not be empty/],
    [['--proxy-jump', 'a b'], /--proxy-jump must not contain whitespace/],
    [['--config', ''], /--config must not be empty/],
  ])('refuses %j with exit 2 and writes nothing', async (args, message) => {
    const { code, stderr } = await stagecraft(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^stagecraft ssh-config: /);
    expect(stderr).toMatch(message);
    expect(existsSync(join(home, '.ssh'))).toBe(false);
  });
});

describe('ssh-config --from-json', () => {
  it('writes ~/.ssh/config from HOME, with a summary on stderr and nothing on stdout', async () => {
    const { code, stdout, stderr } = await stagecraft(['--from-json', writeInput()]);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(readFileSync(sshConfig(), 'utf8')).toBe(
      [
        '### STAGECRAFT BEGIN ###',
        '# i-web1',
        'Host web',
        '  HostName 10.0.0.1',
        '',
        '# i-web2',
        'Host web-2',
        '  HostName 10.0.0.2',
        '### STAGECRAFT END ###',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe(
      [
        `wrote 2 hosts to ${sshConfig()} (block STAGECRAFT)`,
        'skipped 1 instance:',
        '  1 without a Name tag (--fallback-id names them by instance id): i-untagged',
        'renamed 1 duplicate name (later launches get -2, -3, …):',
        '  i-web2 web → web-2',
        '',
      ].join('\n'),
    );
  });

  it('resolves relative --from-json and --config against the working directory, and ~/ in --config', async () => {
    writeInput();
    expect((await stagecraft(['--from-json', 'instances.json', '--config', 'out/cfg'])).code).toBe(
      0,
    );
    expect(readFileSync(join(home, 'out', 'cfg'), 'utf8')).toContain('Host web-2');
    expect((await stagecraft(['--from-json', 'instances.json', '--config', '~/c2'])).code).toBe(0);
    expect(readFileSync(join(home, 'c2'), 'utf8')).toContain('Host web-2');
  });

  it('reads standard input for --from-json -', async () => {
    const { code } = await stagecraft(['--from-json', '-'], JSON.stringify(doc));
    expect(code).toBe(0);
    expect(readFileSync(sshConfig(), 'utf8')).toContain('Host web-2');
  });

  it('applies every host option, the prefix, the marker, the address kind and --fallback-id', async () => {
    const args = [
      '--from-json',
      writeInput(),
      '--marker',
      'EXAMPLE',
      '--address',
      'public',
      '--prefix',
      'prod-',
      '--user',
      'ec2-user',
      '--identity-file',
      '~/.ssh/prod key.pem',
      '--proxy-jump',
      'bastion',
      '--fallback-id',
    ];
    expect((await stagecraft(args)).code).toBe(0);
    expect(readFileSync(sshConfig(), 'utf8')).toBe(
      [
        '### EXAMPLE BEGIN ###',
        '# i-web1',
        'Host prod-web',
        '  HostName 54.0.0.1',
        '  User ec2-user',
        '  IdentityFile "~/.ssh/prod key.pem"',
        '  ProxyJump bastion',
        '### EXAMPLE END ###',
        '',
      ].join('\n'),
    );
  });

  it('is idempotent: the second run writes nothing and says so', async () => {
    const input = writeInput();
    await stagecraft(['--from-json', input]);
    const first = readFileSync(sshConfig());
    const { code, stderr } = await stagecraft(['--from-json', input]);
    expect(code).toBe(0);
    expect(readFileSync(sshConfig()).equals(first)).toBe(true);
    expect(stderr).toMatch(/is up to date \(2 hosts in block STAGECRAFT\); nothing written/);
  });

  it('--dry-run prints a unified diff and writes nothing', async () => {
    mkdirSync(join(home, '.ssh'));
    writeFileSync(sshConfig(), 'Host own\n  User me\n');
    const { code, stdout, stderr } = await stagecraft(['--from-json', writeInput(), '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `--- ${sshConfig()}`,
        `+++ ${sshConfig()}`,
        '@@ -1,2 +1,11 @@',
        ' Host own',
        '   User me',
        '+### STAGECRAFT BEGIN ###',
        '+# i-web1',
        '+Host web',
        '+  HostName 10.0.0.1',
        '+',
        '+# i-web2',
        '+Host web-2',
        '+  HostName 10.0.0.2',
        '+### STAGECRAFT END ###',
        '',
      ].join('\n'),
    );
    expect(stderr).toMatch(/^dry run: would write 2 hosts to .*; nothing written/);
    expect(readFileSync(sshConfig(), 'utf8')).toBe('Host own\n  User me\n');
  });

  it('--dry-run on a missing file diffs against /dev/null and creates nothing', async () => {
    const { stdout } = await stagecraft(['--from-json', writeInput(), '--dry-run']);
    expect(stdout).toMatch(/^--- \/dev\/null\n\+\+\+ .*\n@@ -0,0 \+1,9 @@\n/);
    expect(existsSync(join(home, '.ssh'))).toBe(false);
  });

  it('--dry-run prints nothing on stdout when nothing would change', async () => {
    const input = writeInput();
    await stagecraft(['--from-json', input]);
    const { code, stdout } = await stagecraft(['--from-json', input, '--dry-run']);
    expect(code).toBe(0);
    expect(stdout).toBe('');
  });

  it('--json prints the hosts as JSON on stdout (and still writes the file)', async () => {
    const { code, stdout } = await stagecraft([
      '--from-json',
      writeInput(),
      '--json',
      '--user',
      'u',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { host: 'web', hostName: '10.0.0.1', instanceId: 'i-web1', user: 'u' },
      { host: 'web-2', hostName: '10.0.0.2', instanceId: 'i-web2', user: 'u' },
    ]);
    expect(readFileSync(sshConfig(), 'utf8')).toContain('Host web-2');
  });

  it('--json with --dry-run prints only the JSON and writes nothing', async () => {
    const { stdout } = await stagecraft(['--from-json', writeInput(), '--json', '--dry-run']);
    expect(JSON.parse(stdout)).toHaveLength(2);
    expect(existsSync(sshConfig())).toBe(false);
  });

  it('--backup keeps the previous file as PATH.bak and says so', async () => {
    mkdirSync(join(home, '.ssh'));
    writeFileSync(sshConfig(), 'Host own\n');
    const { stderr } = await stagecraft(['--from-json', writeInput(), '--backup']);
    expect(readFileSync(`${sshConfig()}.bak`, 'utf8')).toBe('Host own\n');
    expect(stderr).toContain(`previous file kept as ${sshConfig()}.bak`);
  });

  it.each([
    [
      'invalid JSON',
      '{"Reservations": [',
      /is not valid JSON: document 1 starting at line 1 is cut off/,
    ],
    ['another command’s output', '{"Volumes": []}', /not 'aws ec2 describe-instances' output/],
    ['an empty file', '', /is empty; expected the JSON output of 'aws ec2 describe-instances'/],
  ])('refuses %s with exit 1 and leaves the config untouched', async (_, content, message) => {
    mkdirSync(join(home, '.ssh'));
    writeFileSync(sshConfig(), 'Host own\n');
    const { code, stderr } = await stagecraft(['--from-json', writeInput(content)]);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(readFileSync(sshConfig(), 'utf8')).toBe('Host own\n');
  });

  it('refuses a missing --from-json file with exit 1', async () => {
    const { code, stderr } = await stagecraft(['--from-json', 'nope.json']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot read --from-json nope\.json: ENOENT/);
  });

  it('refuses malformed markers with exit 1 and leaves the file byte for byte', async () => {
    mkdirSync(join(home, '.ssh'));
    const before = 'Host own\r\n### STAGECRAFT BEGIN ###\r\nHost old\r\n';
    writeFileSync(sshConfig(), before);
    const { code, stderr } = await stagecraft(['--from-json', writeInput()]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /"### STAGECRAFT BEGIN ###" on line 2 has no "### STAGECRAFT END ###" after it; the file was left unchanged/,
    );
    expect(readFileSync(sshConfig(), 'utf8')).toBe(before);
  });
});

describe('ssh-config from AWS', () => {
  const ec2 = mockClient(EC2Client);
  afterEach(() => {
    ec2.reset();
  });

  const pageFor = (region: string, token?: string): DescribeInstancesCommandOutput => ({
    $metadata: {},
    ...(token !== undefined && { NextToken: token }),
    Reservations: [
      {
        Instances: [
          {
            InstanceId: `i-${region}-${token ?? 'last'}`,
            PrivateIpAddress: '10.0.0.1',
            LaunchTime: new Date('2016-07-26T00:00:00Z'),
            State: { Name: 'running', Code: 16 },
            Tags: [{ Key: 'Name', Value: `app-${region}-${token ?? 'last'}` }],
          },
        ],
      },
    ],
  });

  async function runAws(args: string[]) {
    const targets: AwsTarget[] = [];
    const createEc2Client = (target: AwsTarget) => {
      targets.push(target);
      return new EC2Client({
        region: target.region ?? 'ap-northeast-1',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      });
    };
    const { ctx, stdout, stderr } = context(args);
    const code = await runSshConfig(ctx, { createEc2Client });
    return { code, targets, stdout: stdout(), stderr: stderr() };
  }

  it('lists every profile in every region through the paginator and writes their hosts', async () => {
    ec2.on(DescribeInstancesCommand).callsFake(async (input: { NextToken?: string }, getClient) => {
      const region = await getClient().config.region();
      return pageFor(region, input.NextToken === undefined ? 'p1' : undefined);
    });
    const { code, targets, stderr } = await runAws([
      '--profile',
      'prod',
      '--profile',
      'stg',
      '--region',
      'us-east-1',
      '--region',
      'eu-west-1',
      '--region',
      'us-east-1',
    ]);
    expect(code).toBe(0);
    expect(targets).toEqual([
      { profile: 'prod', region: 'us-east-1' },
      { profile: 'prod', region: 'eu-west-1' },
      { profile: 'stg', region: 'us-east-1' },
      { profile: 'stg', region: 'eu-west-1' },
    ]);
    // Two pages per target; the same instances from both profiles are written once.
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(8);
    expect(stderr).toMatch(/^wrote 4 hosts /);
    expect(stderr).toMatch(/4 listed more than once \(same InstanceId\)/);
    expect(readFileSync(sshConfig(), 'utf8').match(/^Host .*$/gm)).toEqual([
      'Host app-eu-west-1-last',
      'Host app-eu-west-1-p1',
      'Host app-us-east-1-last',
      'Host app-us-east-1-p1',
    ]);
  });

  it('uses the SDK defaults when neither --profile nor --region is given', async () => {
    ec2.on(DescribeInstancesCommand).resolves(pageFor('default'));
    const { code, targets } = await runAws([]);
    expect(code).toBe(0);
    expect(targets).toEqual([{}]);
  });

  it('turns an AWS failure into exit 1 with the target named, writing nothing', async () => {
    ec2.on(DescribeInstancesCommand).rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), {
        name: 'UnauthorizedOperation',
      }),
    );
    const error = await runAws(['--profile', 'prod']).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'aws',
      message:
        'DescribeInstances failed (profile prod, region (default)): UnauthorizedOperation: ' +
        'You are not authorized to perform this operation.',
    });
    expect(existsSync(join(home, '.ssh'))).toBe(false);
  });
});
