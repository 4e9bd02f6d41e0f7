import { access } from 'node:fs/promises';
import { LambdaClient, GetAliasCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsControlPlane } from '../../src/platform/aws/control-plane.ts';
import type { ReleaseContext } from '../../src/release/context.ts';
import { isReleaseError } from '../../src/errors.ts';
import { verifyStaging } from '../../src/release/operations/verify.ts';
import { historyPathFor, readHistory } from '../../src/state/history.ts';
import { readVerification, verificationPathFor } from '../../src/state/verification.ts';
import { awsContext, FUNCTION, SHA_V1, SHA_V2 } from '../platform/aws-helpers.ts';
import { startFakeUserApi } from './fixtures/fake-user-api.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** AWS control plane (mocked Lambda) whose staging URL is a fake user API. */
async function setUp(options: { servedVersion?: string; down?: boolean } = {}) {
  const fake = await startFakeUserApi({ version: options.servedVersion ?? '$LATEST' });
  cleanups.push(fake.stop);
  if (options.down === true) await cleanups.pop()?.();
  const client = new LambdaClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  const mock = mockClient(client);
  cleanups.push(async () => mock.restore());
  mock
    .on(GetAliasCommand, { FunctionName: FUNCTION, Name: 'staging' })
    .resolves({ FunctionVersion: '$LATEST', RevisionId: 'r' });
  const base = await awsContext(client);
  cleanups.push(base.cleanup);
  const ctx: ReleaseContext = {
    ...base.ctx,
    controlPlane: new AwsControlPlane({
      lambda: client,
      functionName: FUNCTION,
      stageUrls: { staging: fake.url, prod: 'https://unused/prod/' },
    }),
  };
  return { ctx, mock };
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.catch((e: unknown) => e);
  if (!isReleaseError(error)) throw new Error(`expected a ReleaseError, got ${String(error)}`);
  return error;
}

describe('release verify', () => {
  it('records the code staging served before and after a passing run', async () => {
    const { ctx, mock } = await setUp();
    mock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    const record = await verifyStaging(ctx);
    expect(record).toMatchObject({
      code_sha256: SHA_V2,
      passed: true,
      target: 'aws',
      function_name: FUNCTION,
      version: '$LATEST',
    });
    expect(await readVerification(verificationPathFor(ctx.stateDir))).toEqual(record);
    expect(await readHistory(historyPathFor(ctx.stateDir))).toMatchObject([
      { action: 'verify', stage: 'staging', code_sha256: SHA_V2, passed: true },
    ]);
    expect(mock.commandCalls(GetFunctionCommand)).toHaveLength(2); // before and after
  });

  it('is void when the code changed during the run: nothing recorded as verified', async () => {
    const { ctx, mock } = await setUp();
    mock
      .on(GetFunctionCommand)
      .resolvesOnce({ Configuration: { CodeSha256: SHA_V1 } })
      .resolves({ Configuration: { CodeSha256: SHA_V2 } });
    const error = await failure(verifyStaging(ctx));
    expect(error.code).toBe('verify.void');
    expect(error.message).toContain(`${SHA_V1} before, ${SHA_V2} after`);
    await expect(access(verificationPathFor(ctx.stateDir))).rejects.toThrow();
    expect(await readHistory(historyPathFor(ctx.stateDir))).toMatchObject([
      { action: 'verify', passed: false, void: true },
    ]);
  });

  it('is void when staging answered from another version than its alias names', async () => {
    const { ctx, mock } = await setUp({ servedVersion: '7' });
    mock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    const error = await failure(verifyStaging(ctx));
    expect(error.code).toBe('verify.void');
    expect(error.message).toContain('answered from version 7');
  });

  it('says so when nothing answers at the staging URL', async () => {
    const { ctx, mock } = await setUp({ down: true });
    mock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    const error = await failure(verifyStaging(ctx));
    expect(error.code).toBe('stage.unreachable');
    expect(error.message).toMatch(/nothing answers at the staging URL .*ECONNREFUSED/);
  });
});
