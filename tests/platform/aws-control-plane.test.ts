import {
  GetAliasCommand,
  GetFunctionCommand,
  InvalidParameterValueException,
  ListVersionsByFunctionCommand,
  PreconditionFailedException,
  PublishVersionCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from './release-error-code.ts';
import type { ReleaseContext } from '../../src/release/context.ts';
import { promote } from '../../src/release/operations/promote.ts';
import { publishLatest } from '../../src/release/operations/publish.ts';
import { rollback } from '../../src/release/operations/rollback.ts';
import { releaseStatus } from '../../src/release/operations/status.ts';
import { historyPathFor, readHistory } from '../../src/state/history.ts';
import {
  awsContext,
  callLog,
  FUNCTION,
  newLambda,
  prodAlias,
  SHA_V1,
  SHA_V2,
  verified,
  version,
} from './aws-helpers.ts';

let lambda: ReturnType<typeof newLambda>;
let ctx: ReleaseContext;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  lambda = newLambda();
  ({ ctx, cleanup } = await awsContext(lambda.client));
});
afterEach(async () => {
  lambda.mock.restore();
  await cleanup();
});

const LATEST_V = { ...version('$LATEST', SHA_V2), Description: '' };
const fn = { FunctionName: FUNCTION };
const noWeights = { AdditionalVersionWeights: {} };

function stubVersions(...versions: ReturnType<typeof version>[]) {
  lambda.mock.on(ListVersionsByFunctionCommand).resolves({ Versions: [LATEST_V, ...versions] });
}

const history = () => readHistory(historyPathFor(ctx.stateDir));

describe('AWS: publish', () => {
  it('publishes $LATEST guarded by the CodeSha256 it just read', async () => {
    lambda.mock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    stubVersions(version('1', SHA_V1));
    lambda.mock.on(PublishVersionCommand).resolves(version('2', SHA_V2));
    const outcome = await publishLatest(ctx, { description: 'release 2' });
    expect(outcome).toMatchObject({
      created: true,
      version: { version: '2', code_sha256: SHA_V2 },
    });
    expect(callLog(lambda.mock)).toEqual([
      ['GetFunction', { ...fn, Qualifier: '$LATEST' }],
      ['ListVersionsByFunction', fn],
      ['PublishVersion', { ...fn, CodeSha256: SHA_V2, Description: 'release 2' }],
    ]);
    expect(await history()).toMatchObject([
      { action: 'publish', from: '$LATEST', to: '2', code_sha256: SHA_V2, target: 'aws' },
    ]);
  });

  it('reports unchanged code as the existing version, and records nothing', async () => {
    lambda.mock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V1 } });
    stubVersions(version('1', SHA_V1));
    // Lambda answers an unchanged publish with the newest version.
    lambda.mock.on(PublishVersionCommand).resolves(version('1', SHA_V1));
    expect(await publishLatest(ctx)).toMatchObject({ created: false, version: { version: '1' } });
    expect(await history()).toEqual([]);
  });

  it('turns a CodeSha256 mismatch into publish.code-changed', async () => {
    lambda.mock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    stubVersions(version('1', SHA_V1));
    lambda.mock.on(PublishVersionCommand).rejects(
      new InvalidParameterValueException({
        $metadata: { httpStatusCode: 400 },
        message: `CodeSHA256 (${SHA_V2}) is different from current CodeSHA256 in $LATEST (${SHA_V1}). Please try again with the CodeSHA256 in $LATEST.`,
      }),
    );
    expect(await codeOf(publishLatest(ctx))).toBe('publish.code-changed');
    expect(await history()).toEqual([]);
  });

  it('paginates ListVersionsByFunction with the Marker', async () => {
    lambda.mock
      .on(ListVersionsByFunctionCommand, { ...fn })
      .resolves({ Versions: [LATEST_V, version('1', SHA_V1)], NextMarker: 'page-2' });
    lambda.mock
      .on(ListVersionsByFunctionCommand, { ...fn, Marker: 'page-2' })
      .resolves({ Versions: [version('2', SHA_V2)] });
    const versions = await ctx.controlPlane.listVersions();
    expect(versions.map((v) => v.version)).toEqual(['1', '2']);
    expect(versions[0]?.published_at).toBe('2024-04-30T09:00:00.000Z');
    expect(callLog(lambda.mock).map(([, input]) => input.Marker)).toEqual([undefined, 'page-2']);
  });
});

describe('AWS: promote', () => {
  it('publishes the verified $LATEST with its CodeSha256, then moves prod with the RevisionId', async () => {
    await verified(ctx, SHA_V2);
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1'));
    stubVersions(version('1', SHA_V1));
    lambda.mock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    lambda.mock.on(PublishVersionCommand).resolves(version('2', SHA_V2));
    lambda.mock.on(UpdateAliasCommand).resolves(prodAlias('2', {}, 'rev-2'));
    const result = await promote(ctx);
    expect(result).toMatchObject({
      changed: true,
      action: 'promote',
      from: { version: '1' },
      to: { version: '2' },
      verified: true,
      forced: false,
    });
    expect(callLog(lambda.mock)).toEqual([
      ['GetAlias', { ...fn, Name: 'prod' }],
      ['ListVersionsByFunction', fn],
      ['GetFunction', { ...fn, Qualifier: '$LATEST' }],
      ['ListVersionsByFunction', fn],
      ['PublishVersion', { ...fn, CodeSha256: SHA_V2 }],
      [
        'UpdateAlias',
        {
          ...fn,
          Name: 'prod',
          FunctionVersion: '2',
          RoutingConfig: noWeights,
          RevisionId: 'rev-1',
        },
      ],
    ]);
    expect(await history()).toMatchObject([
      { action: 'publish', to: '2' },
      { action: 'promote', stage: 'prod', from: '1', to: '2', code_sha256: SHA_V2, forced: false },
    ]);
  });

  it('refuses unverified code before any write, and --force records the override', async () => {
    await verified(ctx, SHA_V1); // verified other code
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1'));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    lambda.mock.on(UpdateAliasCommand).resolves(prodAlias('2', {}, 'rev-2'));
    expect(await codeOf(promote(ctx, { version: '2' }))).toBe('promote.unverified');
    expect(callLog(lambda.mock).map(([name]) => name)).toEqual([
      'GetAlias',
      'ListVersionsByFunction',
    ]);
    const forced = await promote(ctx, { version: '2', force: true });
    expect(forced).toMatchObject({ changed: true, forced: true, verified: false });
    expect(await history()).toMatchObject([{ action: 'promote', to: '2', forced: true }]);
  });

  it.each([
    ['a failed verification', false, {}],
    // The same code passing on the local stack proves nothing about AWS staging.
    ['a verification from the local target', true, { target: 'local' as const }],
    // Nor does a pass recorded for another function (another stack, same state dir).
    ['a verification of another function', true, { function_name: 'other-fn' }],
  ])('does not trust %s', async (_name, passed, where) => {
    await verified(ctx, SHA_V2, passed, where);
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1'));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    expect(await codeOf(promote(ctx, { version: '2' }))).toBe('promote.unverified');
    expect(callLog(lambda.mock).map(([name]) => name)).not.toContain('UpdateAlias');
  });

  it('trusts the same verification recorded for this target and function', async () => {
    // The control for the cases above: only `where` differs.
    await verified(ctx, SHA_V2);
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1'));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    lambda.mock.on(UpdateAliasCommand).resolves(prodAlias('2', {}, 'rev-2'));
    expect(await promote(ctx, { version: '2' })).toMatchObject({ to: { version: '2' } });
  });

  it('starts a canary: prod keeps its version, AdditionalVersionWeights sends 10% to the new one', async () => {
    await verified(ctx, SHA_V2);
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1'));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    lambda.mock.on(UpdateAliasCommand).resolves(prodAlias('1', { '2': 0.1 }, 'rev-2'));
    const result = await promote(ctx, { version: '2', canaryPercent: 10 });
    expect(result).toMatchObject({ action: 'canary', to: { version: '1', weights: { '2': 0.1 } } });
    expect(callLog(lambda.mock).at(-1)).toEqual([
      'UpdateAlias',
      {
        ...fn,
        Name: 'prod',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
        RevisionId: 'rev-1',
      },
    ]);
    expect(await history()).toMatchObject([{ action: 'canary', from: '1', to: '1+2@10%' }]);
  });

  it('completes a canary: all traffic to its version, weights cleared', async () => {
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1', { '2': 0.1 }, 'rev-7'));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    lambda.mock.on(UpdateAliasCommand).resolves(prodAlias('2', {}, 'rev-8'));
    expect(await promote(ctx, { complete: true })).toMatchObject({
      action: 'complete',
      to: { version: '2' },
    });
    expect(callLog(lambda.mock)).toEqual([
      ['GetAlias', { ...fn, Name: 'prod' }],
      ['ListVersionsByFunction', fn],
      [
        'UpdateAlias',
        {
          ...fn,
          Name: 'prod',
          FunctionVersion: '2',
          RoutingConfig: noWeights,
          RevisionId: 'rev-7',
        },
      ],
    ]);
  });

  it('refuses a plain promote while a canary runs, without publishing', async () => {
    await verified(ctx, SHA_V2);
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1', { '2': 0.1 }));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    expect(await codeOf(promote(ctx))).toBe('canary.running');
    expect(lambda.mock.commandCalls(PublishVersionCommand)).toHaveLength(0);
    expect(lambda.mock.commandCalls(UpdateAliasCommand)).toHaveLength(0);
  });

  it('turns a RevisionId conflict into alias.conflict and records nothing', async () => {
    await verified(ctx, SHA_V2);
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1'));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    lambda.mock.on(UpdateAliasCommand).rejects(
      new PreconditionFailedException({
        $metadata: { httpStatusCode: 412 },
        message: 'The Revision Id provided does not match the latest Revision Id.',
      }),
    );
    expect(await codeOf(promote(ctx, { version: '2' }))).toBe('alias.conflict');
    expect(await history()).toEqual([]);
  });

  it('turns a missing alias into alias.not-found', async () => {
    lambda.mock.on(GetAliasCommand).rejects(
      new ResourceNotFoundException({
        $metadata: { httpStatusCode: 404 },
        message: `Alias not found: arn:aws:lambda:eu-west-1:123:function:${FUNCTION}:prod`,
      }),
    );
    expect(await codeOf(promote(ctx, { version: '2' }))).toBe('alias.not-found');
    await expect(promote(ctx, { version: '2' })).rejects.toThrow(
      /deploy it \(stagecraft deploy --target aws;/,
    );
  });

  it('turns a missing function into aws.stack, pointing at stagecraft deploy', async () => {
    lambda.mock.on(GetFunctionCommand).rejects(
      new ResourceNotFoundException({
        $metadata: { httpStatusCode: 404 },
        message: `Function not found: arn:aws:lambda:eu-west-1:123:function:${FUNCTION}`,
      }),
    );
    expect(await codeOf(ctx.controlPlane.latestCodeSha256())).toBe('aws.stack');
    await expect(ctx.controlPlane.latestCodeSha256()).rejects.toThrow(
      `function ${FUNCTION} does not exist; deploy the stack first ` +
        '(stagecraft deploy --target aws; see docs/aws.md)',
    );
  });

  it('turns throttling that outlasted the SDK retries into aws.throttled', async () => {
    lambda.mock.on(GetAliasCommand).rejects(
      new TooManyRequestsException({
        $metadata: { httpStatusCode: 429 },
        message: 'Rate exceeded',
      }),
    );
    expect(await codeOf(promote(ctx, { version: '2' }))).toBe('aws.throttled');
  });
});

describe('AWS: rollback', () => {
  it('aborts a running canary: weights cleared, main version kept', async () => {
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1', { '2': 0.5 }, 'rev-3'));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    lambda.mock.on(UpdateAliasCommand).resolves(prodAlias('1', {}, 'rev-4'));
    expect(await rollback(ctx)).toMatchObject({ action: 'abort', to: { version: '1' } });
    expect(callLog(lambda.mock).at(-1)).toEqual([
      'UpdateAlias',
      { ...fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: noWeights, RevisionId: 'rev-3' },
    ]);
    expect(await history()).toMatchObject([{ action: 'abort', from: '1+2@50%', to: '1' }]);
  });

  it('goes back to the previous prod version from the history', async () => {
    await verified(ctx, SHA_V2);
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1'));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    lambda.mock.on(UpdateAliasCommand).resolves(prodAlias('2', {}, 'rev-2'));
    await promote(ctx, { version: '2' });
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('2', {}, 'rev-2'));
    lambda.mock.on(UpdateAliasCommand).resolves(prodAlias('1', {}, 'rev-3'));
    expect(await rollback(ctx)).toMatchObject({
      action: 'rollback',
      from: { version: '2' },
      to: { version: '1' },
    });
    expect(callLog(lambda.mock).at(-1)).toEqual([
      'UpdateAlias',
      { ...fn, Name: 'prod', FunctionVersion: '1', RoutingConfig: noWeights, RevisionId: 'rev-2' },
    ]);
  });

  it('refuses without history or --to, and --to must name an existing version', async () => {
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('2'));
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    expect(await codeOf(rollback(ctx))).toBe('rollback.no-previous');
    expect(await codeOf(rollback(ctx, { to: '9' }))).toBe('version.not-found');
    expect(lambda.mock.commandCalls(UpdateAliasCommand)).toHaveLength(0);
  });
});

describe('AWS: status', () => {
  it('shows each alias with its code, weights and whether it is verified', async () => {
    await verified(ctx, SHA_V2);
    lambda.mock.on(GetFunctionCommand).resolves({ Configuration: { CodeSha256: SHA_V2 } });
    stubVersions(version('1', SHA_V1), version('2', SHA_V2));
    lambda.mock
      .on(GetAliasCommand, { ...fn, Name: 'staging' })
      .resolves({ FunctionVersion: '$LATEST', RevisionId: 's' });
    lambda.mock.on(GetAliasCommand, { ...fn, Name: 'prod' }).resolves(prodAlias('1', { '2': 0.1 }));
    const status = await releaseStatus(ctx);
    expect(status).toMatchObject({
      target: 'aws',
      function_name: FUNCTION,
      aliases: {
        staging: { version: '$LATEST', code_sha256: SHA_V2, verified: true },
        prod: {
          version: '1',
          code_sha256: SHA_V1,
          weights: { '2': 0.1 },
          verified: false,
          description: 'v1',
        },
      },
      versions: [{ version: '1' }, { version: '2' }],
      verification: { code_sha256: SHA_V2, passed: true },
    });
  });
});
