// Shared set-up for the AWS adapter tests: a mocked Lambda client, a release context on a temp
// state dir, and a readable call log.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsControlPlane } from '../../src/platform/aws/control-plane.ts';
import type { ReleaseContext } from '../../src/release/context.ts';
import type { ReleaseTarget } from '../../src/platform/control-plane.ts';
import { SILENT_PROGRESS } from '../../src/release/progress.ts';
import { verificationPathFor, writeVerification } from '../../src/state/verification.ts';

export const FUNCTION = 'stagecraft-example';
export const SHA_V1 = 'c2hhLW9mLXZlcnNpb24tb25lLWNvZGUtLS0tLS0tLS0=';
export const SHA_V2 = 'c2hhLW9mLXZlcnNpb24tdHdvLWNvZGUtLS0tLS0tLS0=';
export const NOW = new Date('2024-05-01T10:00:00.000Z');

export function newLambda() {
  const client = new LambdaClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return { client, mock: mockClient(client) };
}

export async function awsContext(client: LambdaClient): Promise<{
  ctx: ReleaseContext;
  cleanup: () => Promise<void>;
}> {
  const stateDir = await mkdtemp(join(tmpdir(), 'stagecraft-aws-'));
  const controlPlane = new AwsControlPlane({
    lambda: client,
    functionName: FUNCTION,
    stageUrls: {
      staging: 'https://abc.execute-api.eu-west-1.amazonaws.com/staging/',
      prod: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
    },
  });
  return {
    ctx: {
      controlPlane,
      stateDir,
      projectDir: stateDir,
      commandLine: 'release test',
      user: 'tester',
      now: () => NOW,
      progress: SILENT_PROGRESS,
    },
    cleanup: () => rm(stateDir, { recursive: true, force: true }),
  };
}

/**
 * Records a verification of `sha` on AWS staging (passing unless `passed` is false); `where`
 * records it for another target or function instead.
 */
export async function verified(
  ctx: ReleaseContext,
  sha: string,
  passed = true,
  where: { target?: ReleaseTarget; function_name?: string } = {},
): Promise<void> {
  await writeVerification(verificationPathFor(ctx.stateDir), {
    code_sha256: sha,
    at: NOW.toISOString(),
    passed,
    report: { url: 'u', passed, checks: [], function_versions: ['$LATEST'] },
    target: where.target ?? 'aws',
    function_name: where.function_name ?? FUNCTION,
    version: '$LATEST',
  });
}

/** The calls the mock received, as `[CommandName, input]`. */
export function callLog(mock: ReturnType<typeof mockClient>): [string, Record<string, unknown>][] {
  return mock.calls().map((call) => {
    const command = call.args[0] as {
      constructor: { name: string };
      input: Record<string, unknown>;
    };
    return [command.constructor.name.replace(/Command$/, ''), command.input];
  });
}

export function version(n: string, sha: string) {
  return {
    Version: n,
    CodeSha256: sha,
    LastModified: '2024-04-30T09:00:00.000+0000',
    Description: `v${n}`,
  };
}

/** Lambda's answer to GetAlias / UpdateAlias for prod. */
export function prodAlias(
  FunctionVersion: string,
  weights: Record<string, number> = {},
  RevisionId = 'rev-1',
) {
  return {
    Name: 'prod',
    FunctionVersion,
    RevisionId,
    RoutingConfig: { AdditionalVersionWeights: weights },
  };
}
