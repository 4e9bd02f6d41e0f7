// The alias moves a rollout makes on AWS, through the AWS control plane: prod's canary weight
// 20 % → 50 % → 100 %, each UpdateAlias guarded by the RevisionId the previous call returned,
// so a concurrent change (another releaser, a `release rollback`) stops the next step.
import {
  GetAliasCommand,
  PreconditionFailedException,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsControlPlane } from '../../src/platform/aws/control-plane.ts';
import { callLog, FUNCTION, newLambda, prodAlias } from './aws-helpers.ts';
import { codeOf } from './release-error-code.ts';

let lambda: ReturnType<typeof newLambda>;
let plane: AwsControlPlane;

beforeEach(() => {
  lambda = newLambda();
  plane = new AwsControlPlane({
    lambda: lambda.client,
    functionName: FUNCTION,
    stageUrls: { staging: 'https://x/staging/', prod: 'https://x/prod/' },
  });
});
afterEach(() => {
  lambda.mock.restore();
});

const update = (
  FunctionVersion: string,
  AdditionalVersionWeights: Record<string, number>,
  RevisionId: string,
) => [
  'UpdateAlias',
  {
    FunctionName: FUNCTION,
    Name: 'prod',
    FunctionVersion,
    RoutingConfig: { AdditionalVersionWeights },
    RevisionId,
  },
];

describe('AWS: the alias moves of a rollout (1 → 2 through 20 %, 50 %, 100 %)', () => {
  it('sends fractions, keeps the baseline version until 100 %, and chains the RevisionIds', async () => {
    lambda.mock.on(GetAliasCommand).resolves(prodAlias('1', {}, 'rev-1'));
    lambda.mock
      .on(UpdateAliasCommand)
      .resolvesOnce(prodAlias('1', { '2': 0.2 }, 'rev-2'))
      .resolvesOnce(prodAlias('1', { '2': 0.5 }, 'rev-3'))
      .resolvesOnce(prodAlias('2', {}, 'rev-4'));

    const start = await plane.getAlias('prod');
    const at20 = await plane.updateAlias(
      'prod',
      { version: '1', weights: { '2': 0.2 } },
      start.revision,
    );
    const at50 = await plane.updateAlias(
      'prod',
      { version: '1', weights: { '2': 0.5 } },
      at20.revision,
    );
    const done = await plane.updateAlias('prod', { version: '2' }, at50.revision);

    expect([at20, at50, done]).toEqual([
      { version: '1', weights: { '2': 0.2 }, revision: 'rev-2' },
      { version: '1', weights: { '2': 0.5 }, revision: 'rev-3' },
      { version: '2', revision: 'rev-4' },
    ]);
    expect(callLog(lambda.mock)).toEqual([
      ['GetAlias', { FunctionName: FUNCTION, Name: 'prod' }],
      update('1', { '2': 0.2 }, 'rev-1'),
      update('1', { '2': 0.5 }, 'rev-2'),
      // 100 %: the new version becomes the alias's own, the weights are cleared.
      update('2', {}, 'rev-3'),
    ]);
  });

  it('stops a step with alias.conflict when the alias changed since the last move', async () => {
    lambda.mock
      .on(UpdateAliasCommand)
      .rejects(new PreconditionFailedException({ message: 'RevisionId mismatch', $metadata: {} }));
    expect(
      await codeOf(plane.updateAlias('prod', { version: '1', weights: { '2': 0.5 } }, 'rev-2')),
    ).toBe('alias.conflict');
  });
});
