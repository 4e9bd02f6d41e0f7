import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetAliasCommand,
  GetFunctionCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import {
  APIGatewayClient,
  GetDeploymentsCommand,
  GetStageCommand,
} from '@aws-sdk/client-api-gateway';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { translateAwsError } from '../../src/platform/aws/errors.ts';
import { readStackOutputs } from '../../src/platform/aws/stack-outputs.ts';
import { isReleaseError } from '../../src/errors.ts';
import { historyPathFor } from '../../src/state/history.ts';
import { SHA_V1, SHA_V2, version } from '../platform/aws-helpers.ts';
import { runCli } from './cli-helpers.ts';

// Class-level mocks: the CLI builds its own clients (once, at the command's entry). Made per
// test so the real-SDK tests below can take them off.
// The two clients' stubs share this shape for what the tests use (calls, restore).
type Stub = AwsStub<object, { $metadata: object }, object>;
let lambda: Stub;
let cloudformation: Stub;
let apigateway: Stub;
let stateDir: string;

const OUTPUTS = [
  { OutputKey: 'FunctionName', OutputValue: 'Stagecraft-Fn-123' },
  { OutputKey: 'StagingUrl', OutputValue: 'https://api.example/staging/' },
  { OutputKey: 'ProdUrl', OutputValue: 'https://api.example/prod/' },
  { OutputKey: 'ApiId', OutputValue: 'abc' },
];

beforeEach(async () => {
  lambda = mockClient(LambdaClient) as unknown as Stub;
  cloudformation = mockClient(CloudFormationClient) as unknown as Stub;
  apigateway = mockClient(APIGatewayClient) as unknown as Stub;
  apigateway.on(GetStageCommand).resolves({ deploymentId: 'dep1' });
  apigateway.on(GetDeploymentsCommand).resolves({
    items: [{ id: 'dep1', createdDate: new Date('2024-05-01T09:00:00Z'), description: 'first' }],
  });
  stateDir = await mkdtemp(join(tmpdir(), 'stagecraft-aws-cli-'));
  process.env.AWS_REGION ??= 'eu-west-1';
});
afterEach(async () => {
  lambda.restore();
  cloudformation.restore();
  apigateway.restore();
  vi.unstubAllEnvs();
  await rm(stateDir, { recursive: true, force: true });
});

function stackNotFound(name: string) {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Stack with id ${name} does not exist`,
  });
}

describe('stack outputs', () => {
  it('reads FunctionName and the stage URLs from DescribeStacks', async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'Stagecraft' }).resolves({
      Stacks: [
        {
          StackName: 'Stagecraft',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: OUTPUTS,
        },
      ],
    });
    const outputs = await readStackOutputs(new CloudFormationClient({}), 'Stagecraft');
    expect(outputs).toMatchObject({
      FunctionName: 'Stagecraft-Fn-123',
      StagingUrl: 'https://api.example/staging/',
      ProdUrl: 'https://api.example/prod/',
    });
  });

  it('names a missing stack and missing outputs clearly', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(stackNotFound('Nope'));
    const missing = await readStackOutputs(new CloudFormationClient({}), 'Nope').catch(
      (e: unknown) => e,
    );
    expect(isReleaseError(missing, 'aws.stack')).toBe(true);
    expect((missing as Error).message).toMatch(/stack Nope does not exist/);
    // The first deploy of a stack needs --prod-version latest (docs/aws.md).
    expect((missing as Error).message).toContain(
      'stagecraft deploy --target aws --prod-version latest',
    );

    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'S',
          StackStatus: 'CREATE_IN_PROGRESS',
          CreationTime: new Date(),
          Outputs: OUTPUTS.slice(0, 1),
        },
      ],
    });
    const partial = await readStackOutputs(new CloudFormationClient({}), 'S').catch(
      (e: unknown) => e,
    );
    expect((partial as Error).message).toMatch(
      /no outputs StagingUrl, ProdUrl \(status CREATE_IN_PROGRESS\)/,
    );
  });
});

describe('stagecraft release --target aws', () => {
  it('status --json: the function named by the stack, its aliases and versions', async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: 'Other' }).resolves({
      Stacks: [
        {
          StackName: 'Other',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: OUTPUTS,
        },
      ],
    });
    lambda.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [version('1', SHA_V1)] });
    lambda
      .on(GetAliasCommand, { FunctionName: 'Stagecraft-Fn-123', Name: 'staging' })
      .resolves({ FunctionVersion: '$LATEST', RevisionId: 'a' });
    lambda
      .on(GetAliasCommand, { FunctionName: 'Stagecraft-Fn-123', Name: 'prod' })
      .resolves({ FunctionVersion: '1', RevisionId: 'b' });
    const result = await runCli([
      'release',
      'status',
      '--target',
      'aws',
      '--stack',
      'Other',
      '--json',
      '--state-dir',
      stateDir,
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      target: 'aws',
      function_name: 'Stagecraft-Fn-123',
      aliases: {
        staging: { version: '$LATEST', code_sha256: SHA_V2 },
        prod: { version: '1', code_sha256: SHA_V1, description: 'v1' },
      },
      versions: [{ version: '1', code_sha256: SHA_V1 }],
      verification: null,
      api: {
        staging: {
          deployment: 'dep1',
          created_at: '2024-05-01T09:00:00.000Z',
          description: 'first',
          verified: false,
        },
        prod: {
          deployment: 'dep1',
          created_at: '2024-05-01T09:00:00.000Z',
          description: 'first',
          verified: false,
        },
      },
    });
    expect(apigateway.commandCalls(GetStageCommand).map((c) => c.args[0].input)).toEqual([
      { restApiId: 'abc', stageName: 'staging' },
      { restApiId: 'abc', stageName: 'prod' },
    ]);
  });

  it('a missing stack: exit 1, the reason on stderr, a JSON error on stdout', async () => {
    cloudformation.on(DescribeStacksCommand).rejects(stackNotFound('Stagecraft'));
    const result = await runCli([
      'release',
      'promote',
      '--target',
      'aws',
      '--json',
      '--state-dir',
      stateDir,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/promote: stack Stagecraft does not exist/);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'aws.stack' } });
    expect(lambda.calls()).toHaveLength(0);
  });

  it('--stack without --target aws is a usage error (exit 2)', async () => {
    const result = await runCli(['release', 'status', '--stack', 'X', '--state-dir', stateDir]);
    expect(result).toMatchObject({ code: 2 });
    expect(result.stderr).toMatch(/--stack applies to --target aws only/);
  });
});

describe('--profile and --region', () => {
  it('reach every SDK client of every AWS command', async () => {
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Stagecraft',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: OUTPUTS,
        },
      ],
    });
    lambda.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    lambda.on(ListVersionsByFunctionCommand).resolves({ Versions: [] });
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '$LATEST', RevisionId: 'a' });
    const result = await runCli([
      'release',
      'status',
      '--target',
      'aws',
      '--profile',
      'release-admin',
      '--region',
      'eu-central-1',
      '--json',
      '--state-dir',
      stateDir,
    ]);
    expect(result.code).toBe(0);
    for (const stub of [cloudformation, lambda, apigateway]) {
      // The client the command built and sent through: its resolved config.
      const config = (stub.call(0).thisValue as LambdaClient).config;
      expect(await config.region()).toBe('eu-central-1');
      expect((config as { profile?: string }).profile).toBe('release-admin');
    }
  });

  it.each(['--profile', '--region'])(
    '%s with --target local is a usage error (exit 2)',
    async (flag) => {
      const result = await runCli(['release', 'promote', flag, 'x', '--state-dir', stateDir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${flag} applies to --target aws only`);
      expect(lambda.calls()).toHaveLength(0);
    },
  );

  it("are in every command's --help", async () => {
    for (const command of ['status', 'verify', 'publish', 'promote', 'rollback', 'history']) {
      const result = await runCli(['release', command, '--help']);
      expect(result.stdout).toMatch(/--profile NAME .*--target aws/);
      expect(result.stdout).toMatch(/--region REGION .*--target aws/);
    }
  });
});

describe('failures before AWS answers', () => {
  it.each<[string, Error, string, RegExp]>([
    [
      'a missing region',
      new Error('Region is missing'),
      'aws.region',
      /--region REGION or set AWS_REGION/,
    ],
    [
      'missing credentials',
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      'aws.credentials',
      /pass --profile NAME or set AWS_PROFILE/,
    ],
    ...['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED'].map(
      (code) =>
        [
          code,
          Object.assign(new Error(`connect ${code}`), { code }),
          'aws.network',
          /cannot reach AWS/,
        ] as [string, Error, string, RegExp],
    ),
    [
      'an SDK timeout',
      Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }),
      'aws.network',
      /cannot reach AWS/,
    ],
  ])('%s becomes a ReleaseError saying what to set', (_name, error, code, message) => {
    let thrown: unknown;
    try {
      translateAwsError(error, 'DescribeStacks Stagecraft', 'cloudformation:DescribeStacks');
    } catch (caught) {
      thrown = caught;
    }
    expect(isReleaseError(thrown, code)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toMatch(/^DescribeStacks Stagecraft: /);
  });
});

// The real SDK clients, no mocks: region, credentials and endpoint come from an environment
// isolated from the machine's (no shared config, no IMDS), and "AWS" is a closed local port.
describe('real SDK clients: region, credentials, network', () => {
  let closedPort: string;

  beforeEach(async () => {
    lambda.restore();
    cloudformation.restore();
    for (const name of [
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_ENDPOINT_URL',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_ROLE_ARN',
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_CONFIG_FILE', join(stateDir, 'aws-config'));
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(stateDir, 'aws-credentials'));
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    closedPort = await freePort();
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${closedPort}`);
  });

  function release(...argv: string[]) {
    return runCli(['release', ...argv, '--target', 'aws', '--state-dir', stateDir]);
  }

  function expectJsonError(result: { code: number; stdout: string; stderr: string }, code: string) {
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code, message: expect.any(String) } });
    // One line, no stack trace.
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  }

  it('no region: exit 1, says --region / AWS_REGION; --json prints the error object', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const json = await release('status', '--json');
    expectJsonError(json, 'aws.region');
    expect(json.stderr).toMatch(/pass --region REGION or set AWS_REGION/);
    const text = await release('promote');
    expect(text).toMatchObject({ code: 1, stdout: '' });
    expect(text.stderr).toMatch(
      /^stagecraft release: promote: DescribeStacks Stagecraft: no AWS region/,
    );
  });

  it('no credentials: exit 1, says --profile / credentials', async () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const result = await release('publish', '--json');
    expectJsonError(result, 'aws.credentials');
    expect(result.stderr).toMatch(
      /no AWS credentials found .*pass --profile NAME or set AWS_PROFILE/,
    );
  });

  it('no network (connection refused): exit 1, says so', async () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const result = await release('rollback', '--json');
    expectJsonError(result, 'aws.network');
    expect(result.stderr).toMatch(/cannot reach AWS \(.*ECONNREFUSED/);
  });

  it('--region and --profile supply what the environment lacks', async () => {
    await writeFile(
      join(stateDir, 'aws-config'),
      '[profile release-admin]\nregion = eu-central-1\n',
    );
    await writeFile(
      join(stateDir, 'aws-credentials'),
      '[release-admin]\naws_access_key_id = test\naws_secret_access_key = test\n',
    );
    // Without the profile: no region, no credentials.
    expectJsonError(await release('status', '--json'), 'aws.region');
    expectJsonError(await release('status', '--json', '--region', 'eu-west-1'), 'aws.credentials');
    // With it, both resolve and the command gets as far as the (closed) endpoint.
    expectJsonError(await release('status', '--json', '--profile', 'release-admin'), 'aws.network');
  });

  it('history --target aws reads only the state dir: works with no region, credentials or network', async () => {
    const entry = {
      user: 'u',
      command: 'release promote',
      forced: false,
      stage: 'prod',
      from: '1',
      to: '2',
    };
    await writeFile(
      historyPathFor(stateDir),
      [
        { ...entry, at: '2024-05-01T10:00:00.000Z', target: 'aws', function: 'Stagecraft-Fn-123' },
        { ...entry, at: '2024-05-01T11:00:00.000Z', target: 'local', function: 'stagecraft-api' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    const result = await release('history', '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      entries: [expect.objectContaining({ target: 'aws', at: '2024-05-01T10:00:00.000Z' })],
    });
  });
});

/** A 127.0.0.1 port nothing listens on: bound by the OS, then closed. */
async function freePort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return String(address.port);
}
