// `stagecraft deploy`: the live read is driven by aws-sdk-client-mock, the cdk process is a
// recording fake, so nothing reaches AWS and cdk is never spawned. Each test runs in its own
// temp dir, which holds the default state dir and so the release lock.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { APIGatewayClient, GetStageCommand } from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { runDeploy, type DeployDeps } from '../../src/cli/commands/deploy/index.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { StagecraftError } from '../../src/errors.ts';
import { cdkCliPath, PROJECT_ROOT, type ProcessRunner } from '../../src/infra/cdk-cli.ts';
import { acquireLock, lockPathFor } from '../../src/state/release-lock.ts';
import { deploy as deployOperation } from '../../src/release/operations/deploy.ts';
import { isReleaseError } from '../../src/errors.ts';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const apigateway = mockClient(APIGatewayClient);

function context(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  return {
    ctx: { argv, cwd, stdout, stderr, stdin: new PassThrough(), env: { PATH: '/bin' } },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

function stack(
  status: string,
  outputs: Record<string, string> = { FunctionName: 'example' },
): Stack {
  return {
    StackName: 'Stagecraft',
    StackStatus: status as Stack['StackStatus'],
    CreationTime: new Date(0),
    Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
      OutputKey,
      OutputValue,
    })),
  };
}

let cwd: string;
let calls: { command: string; args: readonly string[]; cwd: string }[];
let exitCode: number;
/** The release lock file as the fake cdk saw it while running (undefined: no lock file). */
let lockDuringRun: string | undefined;
let defaultLock: string;
const recordRun: ProcessRunner = async (command, args, options) => {
  calls.push({ command, args, cwd: options.cwd });
  lockDuringRun = existsSync(defaultLock) ? await readFile(defaultLock, 'utf8') : undefined;
  return exitCode;
};
const deps: DeployDeps = { runProcess: recordRun };

async function deploy(...argv: string[]) {
  const io = context(argv);
  const code = await runDeploy(io.ctx, deps);
  return { code, out: io.out(), err: io.err() };
}

function cdkArgs(stackName: string, version: string, ...rest: string[]) {
  return [
    cdkCliPath(),
    'deploy',
    stackName,
    '--context',
    `stackName=${stackName}`,
    '--parameters',
    `${stackName}:ProdVersion=${version}`,
    '--no-notices',
    ...rest,
  ];
}

beforeEach(async () => {
  cfn.reset();
  lambda.reset();
  apigateway.reset();
  calls = [];
  exitCode = 0;
  lockDuringRun = undefined;
  cwd = await mkdtemp(join(tmpdir(), 'stagecraft-deploy-'));
  defaultLock = lockPathFor(join(cwd, '.stagecraft'));
});
afterEach(async () => {
  cfn.reset();
  lambda.reset();
  await rm(cwd, { recursive: true, force: true });
});

describe('deploy --target aws on an existing stack', () => {
  beforeEach(() => {
    cfn.on(DescribeStacksCommand, { StackName: 'Stagecraft' }).resolves({
      Stacks: [stack('UPDATE_COMPLETE')],
    });
    lambda.on(GetAliasCommand, { FunctionName: 'example', Name: 'prod' }).resolves({
      Name: 'prod',
      FunctionVersion: '7',
    });
  });

  it('passes the live prod alias version as ProdVersion and runs the project cdk', async () => {
    const result = await deploy('--target', 'aws');
    expect(result.code).toBe(0);
    expect(calls).toEqual([
      { command: process.execPath, args: cdkArgs('Stagecraft', '7'), cwd: PROJECT_ROOT },
    ]);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(1);
    expect(lambda.commandCalls(GetAliasCommand)[0]?.args[0].input).toEqual({
      FunctionName: 'example',
      Name: 'prod',
    });
    expect(result.err).toContain('prod stays at 7 (the live example:prod alias)');
  });

  it("passes prod's live API deployment as ProdApiDeployment (GetStage), so a deploy never moves prod's API", async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Stagecraft' }).resolves({
      Stacks: [stack('UPDATE_COMPLETE', { FunctionName: 'example', ApiId: 'api123' })],
    });
    apigateway
      .on(GetStageCommand, { restApiId: 'api123', stageName: 'prod' })
      .resolves({ stageName: 'prod', deploymentId: 'dep0ld' });
    const result = await deploy('--target', 'aws');
    expect(result.code).toBe(0);
    expect(calls[0]?.args).toEqual([
      ...cdkArgs('Stagecraft', '7').slice(0, -1),
      '--parameters',
      'Stagecraft:ProdApiDeployment=dep0ld',
      '--no-notices',
    ]);
    expect(apigateway.commandCalls(GetStageCommand)).toHaveLength(1);
    expect(result.err).toContain(
      'prod stays at 7 (the live example:prod alias) and on API deployment dep0ld',
    );
  });

  it('accepts --prod-version equal to the live version', async () => {
    expect((await deploy('--target', 'aws', '--prod-version', '7')).code).toBe(0);
    expect(calls[0]?.args).toEqual(cdkArgs('Stagecraft', '7'));
  });

  it('refuses a --prod-version that would move prod, and runs nothing', async () => {
    await expect(deploy('--target', 'aws', '--prod-version', '8')).rejects.toThrow(
      /prod is live at version 7; a deploy never moves prod.*release promote 8 --target aws/,
    );
    expect(calls).toEqual([]);
  });

  it('refuses while a canary runs on prod', async () => {
    lambda.on(GetAliasCommand).resolves({
      FunctionVersion: '7',
      RoutingConfig: { AdditionalVersionWeights: { '8': 0.1 } },
    });
    await expect(deploy('--target', 'aws')).rejects.toThrow(
      /prod is mid-canary \(7, with version 8 at 10%\).*promote --complete.*rollback/,
    );
    expect(calls).toEqual([]);
  });

  it('passes --profile, --region and the arguments after -- through', async () => {
    const seen: unknown[] = [];
    const io = context([
      '--target',
      'aws',
      '--profile',
      'ops',
      '--region',
      'eu-west-1',
      '--',
      '--require-approval',
      'never',
    ]);
    const code = await runDeploy(io.ctx, {
      ...deps,
      createClients: (options) => {
        seen.push(options);
        return { cloudformation: new CloudFormationClient({}), lambda: new LambdaClient({}) };
      },
    });
    expect(code).toBe(0);
    expect(seen).toEqual([{ profile: 'ops', region: 'eu-west-1' }]);
    expect(calls[0]?.args).toEqual(
      cdkArgs(
        'Stagecraft',
        '7',
        '--profile',
        'ops',
        '--region',
        'eu-west-1',
        '--require-approval',
        'never',
      ),
    );
  });

  it('--dry-run prints the cdk command and runs nothing', async () => {
    const result = await deploy('--target', 'aws', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      'cdk deploy Stagecraft --context stackName=Stagecraft --parameters Stagecraft:ProdVersion=7 --no-notices\n',
    );
    expect(calls).toEqual([]);
  });

  it('reports a failed cdk deploy as exit 1', async () => {
    exitCode = 3;
    await expect(deploy('--target', 'aws')).rejects.toMatchObject({
      code: 'deploy.failed',
      message: 'cdk deploy failed (exit code 3); its output is above',
    });
  });

  it('deploys another stack by --stack', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'StagecraftDev' }).resolves({
      Stacks: [stack('CREATE_COMPLETE')],
    });
    await deploy('--target', 'aws', '--stack', 'StagecraftDev');
    expect(calls[0]?.args).toEqual(cdkArgs('StagecraftDev', '7'));
  });
});

describe('deploy --target aws and the release lock', () => {
  beforeEach(() => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    lambda.on(GetAliasCommand).resolves({ Name: 'prod', FunctionVersion: '7' });
  });

  it('refuses with exit 1 while a release command holds the lock: no AWS read, no cdk', async () => {
    const held = await acquireLock(defaultLock, { command: 'release promote 3' });
    try {
      const io = context(['deploy', '--target', 'aws']);
      const code = await main(io.ctx);
      expect(code).toBe(1);
      expect(io.err()).toMatch(
        /^stagecraft deploy: not deploying now: 'release promote 3' \(pid \d+ on .*\) holds the release lock .*\.stagecraft\/release\.lock/,
      );
      expect(cfn.calls()).toHaveLength(0);
      expect(lambda.calls()).toHaveLength(0);
      expect(calls).toEqual([]);
      // The holder's lock is left alone.
      expect(JSON.parse(await readFile(defaultLock, 'utf8'))).toMatchObject({
        token: held.owner.token,
      });
    } finally {
      await held.release();
    }
  });

  it('holds the lock across the live read and the cdk run, then releases it', async () => {
    let releaseCommandSaw: unknown;
    const result = await runDeploy(context(['--target', 'aws']).ctx, {
      runProcess: async (...args) => {
        // A release command started now must be refused, naming the deploy.
        releaseCommandSaw = await acquireLock(defaultLock, { command: 'release promote' }).then(
          () => 'got the lock',
          (error: unknown) => error,
        );
        return recordRun(...args);
      },
    });
    expect(result).toBe(0);
    expect(calls).toHaveLength(1);
    expect(JSON.parse(lockDuringRun ?? 'null')).toMatchObject({
      pid: process.pid,
      command: 'deploy --target aws',
    });
    expect(releaseCommandSaw).toMatchObject({ code: 'lock.busy' });
    expect(String(releaseCommandSaw)).toContain("'deploy --target aws'");
    expect(existsSync(defaultLock)).toBe(false);
  });

  it('releases the lock when cdk fails', async () => {
    exitCode = 3;
    await expect(deploy('--target', 'aws')).rejects.toThrow(/cdk deploy failed \(exit code 3\)/);
    expect(lockDuringRun).toContain('deploy --target aws');
    expect(existsSync(defaultLock)).toBe(false);
  });

  it('releases the lock when the live read is refused', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
    await expect(deploy('--target', 'aws')).rejects.toThrow(/UPDATE_IN_PROGRESS/);
    expect(calls).toEqual([]);
    expect(existsSync(defaultLock)).toBe(false);
  });

  it('uses the lock of --state-dir DIR (relative to the working directory)', async () => {
    const otherLock = lockPathFor(join(cwd, 'state-b'));
    const held = await acquireLock(otherLock, { command: 'release rollback' });
    try {
      await expect(deploy('--target', 'aws', '--state-dir', 'state-b')).rejects.toThrow(
        /'release rollback' .* holds the release lock .*state-b\/release\.lock/,
      );
      expect(calls).toEqual([]);
      // The default state dir's lock is free, so a deploy without --state-dir runs.
      expect((await deploy('--target', 'aws')).code).toBe(0);
      expect(calls).toHaveLength(1);
    } finally {
      await held.release();
    }
  });

  it('--dry-run only reads, so it takes no lock and runs while one is held', async () => {
    const held = await acquireLock(defaultLock, { command: 'release promote 3' });
    try {
      const result = await deploy('--target', 'aws', '--dry-run');
      expect(result.code).toBe(0);
      expect(result.out).toContain('Stagecraft:ProdVersion=7');
    } finally {
      await held.release();
    }
  });
});

describe('deploy --target aws when prod cannot be read from a live alias', () => {
  const missing = awsError('ValidationError', 'Stack with id Stagecraft does not exist');

  it('refuses a first deploy without --prod-version, explaining the first-deploy flow', async () => {
    cfn.on(DescribeStacksCommand).rejects(missing);
    await expect(deploy('--target', 'aws')).rejects.toThrow(
      /does not exist yet: this is a first deploy.*--prod-version latest/,
    );
    expect(lambda.commandCalls(GetAliasCommand)).toHaveLength(0);
    expect(calls).toEqual([]);
  });

  it('first-deploys with --prod-version latest (or $LATEST) and says what comes next', async () => {
    cfn.on(DescribeStacksCommand).rejects(missing);
    for (const value of ['latest', '$LATEST']) {
      calls = [];
      const result = await deploy('--target', 'aws', '--prod-version', value);
      expect(calls[0]?.args).toEqual(cdkArgs('Stagecraft', '$LATEST'));
      expect(result.err).toContain('first deploy done; next: stagecraft release verify');
    }
  });

  it('refuses a version number on a first deploy: it cannot exist yet', async () => {
    cfn.on(DescribeStacksCommand).rejects(missing);
    await expect(deploy('--target', 'aws', '--prod-version', '1')).rejects.toThrow(
      /version 1 cannot exist either/,
    );
  });

  it('treats a stack whose creation rolled back as a first deploy', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('ROLLBACK_COMPLETE', {})] });
    await expect(deploy('--target', 'aws')).rejects.toThrow(/first deploy/);
    await deploy('--target', 'aws', '--prod-version', 'latest');
    expect(calls[0]?.args).toEqual(cdkArgs('Stagecraft', '$LATEST'));
  });

  it('refuses while the stack is busy', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_IN_PROGRESS')] });
    await expect(deploy('--target', 'aws', '--prod-version', '3')).rejects.toThrow(
      /stack Stagecraft is UPDATE_IN_PROGRESS; wait/,
    );
  });

  it('needs --prod-version when the alias is missing, and then uses it', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_ROLLBACK_COMPLETE')] });
    lambda.on(GetAliasCommand).rejects(awsError('ResourceNotFoundException', 'Alias not found'));
    await expect(deploy('--target', 'aws')).rejects.toThrow(
      /cannot read the live prod alias of stack Stagecraft \(alias example:prod does not exist\)/,
    );
    await deploy('--target', 'aws', '--prod-version', '4');
    expect(calls[0]?.args).toEqual(cdkArgs('Stagecraft', '4'));
  });

  it('needs --prod-version when the stack has no FunctionName output', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE', {})] });
    await expect(deploy('--target', 'aws')).rejects.toThrow(/has no FunctionName output/);
    expect(lambda.commandCalls(GetAliasCommand)).toHaveLength(0);
  });

  // The live read explains AWS failures with the platform's one translator, as release does,
  // naming the IAM action of the call that was refused.
  it.each([
    [
      awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      /^DescribeStacks Stagecraft: no AWS credentials found .*pass --profile NAME/,
    ],
    [awsError('Error', 'Region is missing'), /no AWS region: pass --region REGION/],
    [
      awsError(
        'AccessDenied',
        'User: x is not authorized to perform: cloudformation:DescribeStacks',
      ),
      /AWS refused the credentials .*may call cloudformation:DescribeStacks$/,
    ],
  ])('explains %s', async (error, message) => {
    cfn.on(DescribeStacksCommand).rejects(error);
    const attempt = deploy('--target', 'aws');
    await expect(attempt).rejects.toBeInstanceOf(StagecraftError);
    await expect(attempt).rejects.toThrow(message);
    expect(calls).toEqual([]);
  });

  it('names lambda:GetAlias when the prod alias read is refused', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    lambda
      .on(GetAliasCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: lambda:GetAlias'));
    await expect(deploy('--target', 'aws')).rejects.toThrow(
      /^GetAlias prod: AWS refused the credentials .*may call lambda:GetAlias$/,
    );
    expect(calls).toEqual([]);
  });
});

describe('deploy command line', () => {
  async function viaMain(...argv: string[]) {
    const io = context(['deploy', ...argv]);
    const code = await main(io.ctx);
    return { code, out: io.out(), err: io.err() };
  }

  it('--help describes the flags and the first-deploy rule, with exit 0', async () => {
    const result = await viaMain('--help');
    expect(result.code).toBe(0);
    for (const flag of [
      '--target aws|local',
      '--stack NAME',
      '--profile',
      '--region',
      '--prod-version',
      '--state-dir DIR',
      '--dry-run',
    ]) {
      expect(result.out).toContain(flag);
    }
    expect(result.out).toContain('--prod-version latest');
  });

  it('--target local explains that stagecraft dev is the local deploy, touching no AWS', async () => {
    const result = await viaMain('--target', 'local');
    expect(result.code).toBe(0);
    expect(result.out).toContain('`stagecraft dev` is the local deploy');
    expect(cfn.calls()).toHaveLength(0);
  });

  it.each([
    [[], /--target is required/],
    [['--target', 'gcp'], /--target must be aws or local, not 'gcp'/],
    [['--target', 'aws', '--prod-version', 'v2'], /--prod-version 'v2' is not a Lambda version/],
    [['--target', 'aws', '--prod-version', '0'], /--prod-version '0' is not a Lambda version/],
    [
      ['--target', 'aws', '--stack', 'bad_name'],
      /--stack 'bad_name' is not a CloudFormation stack name/,
    ],
    [['--target', 'aws', 'extra'], /Unexpected argument 'extra'/],
    [['--target', 'aws', '--force'], /Unknown option '--force'/],
    [['--target', 'aws', '--state-dir', ''], /--state-dir needs a value/],
  ])('rejects %j with exit 2 before any AWS call', async (argv, message) => {
    const result = await viaMain(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('is a UsageError when called directly', async () => {
    await expect(runDeploy(context([]).ctx, deps)).rejects.toBeInstanceOf(UsageError);
  });
});

// The operation itself, without the command line: its failures carry stable codes.
describe('the deploy operation', () => {
  function options(overrides: { dryRun?: boolean; exit?: number; prodVersion?: string } = {}) {
    return {
      clients: { cloudformation: new CloudFormationClient({}), lambda: new LambdaClient({}) },
      request: {
        stackName: 'Stagecraft',
        ...(overrides.prodVersion !== undefined && { prodVersion: overrides.prodVersion }),
      },
      stateDir: join(cwd, '.stagecraft'),
      commandLine: 'deploy --target aws',
      dryRun: overrides.dryRun ?? false,
      runCdk: async (args: readonly string[]) => {
        calls.push({ command: 'cdk', args, cwd });
        return overrides.exit ?? 0;
      },
    };
  }

  beforeEach(() => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [stack('UPDATE_COMPLETE')] });
    lambda.on(GetAliasCommand).resolves({ Name: 'prod', FunctionVersion: '7' });
  });

  it('resolves to the plan it ran', async () => {
    const plan = await deployOperation(options());
    expect(plan).toMatchObject({ prodVersion: '7', firstDeploy: false });
    expect(calls.map((call) => call.args)).toEqual([plan.cdkArgs]);
  });

  it.each([
    ['deploy.refused', { prodVersion: '8' }, 0],
    ['deploy.failed', {}, 3],
  ])('fails with %s', async (code, request, exit) => {
    const attempt = deployOperation(options({ ...request, exit }));
    await expect(attempt).rejects.toSatisfy((error: unknown) => isReleaseError(error, code));
  });

  it('fails with lock.busy while a release command holds the lock', async () => {
    const held = await acquireLock(defaultLock, { command: 'release promote 3' });
    try {
      await expect(deployOperation(options())).rejects.toSatisfy((error: unknown) =>
        isReleaseError(error, 'lock.busy'),
      );
      expect(calls).toEqual([]);
    } finally {
      await held.release();
    }
  });
});
