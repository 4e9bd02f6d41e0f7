import { mkdtemp, rm } from 'node:fs/promises';
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
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStackOutputs } from '../../src/release/aws/stack-outputs.ts';
import { isReleaseError } from '../../src/release/errors.ts';
import { SHA_V1, SHA_V2, version } from './aws-helpers.ts';
import { runCli } from './cli-helpers.ts';

// Class-level mocks: the CLI builds its own clients (once, at the command's entry).
const lambda = mockClient(LambdaClient);
const cloudformation = mockClient(CloudFormationClient);
let stateDir: string;

const OUTPUTS = [
  { OutputKey: 'FunctionName', OutputValue: 'Stagecraft-Fn-123' },
  { OutputKey: 'StagingUrl', OutputValue: 'https://api.example/staging/' },
  { OutputKey: 'ProdUrl', OutputValue: 'https://api.example/prod/' },
  { OutputKey: 'ApiId', OutputValue: 'abc' },
];

beforeEach(async () => {
  lambda.reset();
  cloudformation.reset();
  stateDir = await mkdtemp(join(tmpdir(), 'stagecraft-aws-cli-'));
  process.env.AWS_REGION ??= 'eu-west-1';
});
afterEach(() => rm(stateDir, { recursive: true, force: true }));

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
    });
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
