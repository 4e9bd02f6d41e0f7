// The AWS adapter's API-stage calls, exactly as sent: GetStage to read, the guard's re-read,
// and UpdateStage with the one `replace /deploymentId` patch.
import {
  APIGatewayClient,
  GetStageCommand,
  NotFoundException,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsControlPlane } from '../../src/platform/aws/control-plane.ts';
import { codeOf } from './release-error-code.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const apigateway = new APIGatewayClient({ region: 'eu-west-1', credentials });
const mock = mockClient(apigateway);

function controlPlane(options: { api?: boolean } = {}): AwsControlPlane {
  return new AwsControlPlane({
    lambda: new LambdaClient({ region: 'eu-west-1', credentials }),
    functionName: 'stagecraft-example',
    stageUrls: { staging: 'https://x/staging/', prod: 'https://x/prod/' },
    ...(options.api !== false && { apigateway, restApiId: 'r3st' }),
  });
}

beforeEach(() => mock.reset());

describe('AwsControlPlane API stages', () => {
  it('moves prod with exactly one UpdateStage `replace /deploymentId`, after re-reading it', async () => {
    mock.on(GetStageCommand).resolves({ stageName: 'prod', deploymentId: 'old111' });
    mock.on(UpdateStageCommand).resolves({ stageName: 'prod', deploymentId: 'new222' });
    await controlPlane().updateApiStage('prod', 'new222', 'old111');
    expect(mock.commandCalls(GetStageCommand).map((c) => c.args[0].input)).toEqual([
      { restApiId: 'r3st', stageName: 'prod' },
    ]);
    expect(mock.commandCalls(UpdateStageCommand).map((c) => c.args[0].input)).toEqual([
      {
        restApiId: 'r3st',
        stageName: 'prod',
        patchOperations: [{ op: 'replace', path: '/deploymentId', value: 'new222' }],
      },
    ]);
  });

  it('refuses (api.conflict) without writing when prod is no longer on the expected deployment', async () => {
    mock.on(GetStageCommand).resolves({ stageName: 'prod', deploymentId: 'someon3' });
    const refused = controlPlane().updateApiStage('prod', 'new222', 'old111');
    await expect(refused).rejects.toThrow(/now serves deployment someon3, not old111/);
    expect(mock.commandCalls(UpdateStageCommand)).toHaveLength(0);
  });

  it('detects a change that landed between the re-read and the write', async () => {
    mock.on(GetStageCommand).resolves({ stageName: 'prod', deploymentId: 'old111' });
    mock.on(UpdateStageCommand).resolves({ stageName: 'prod', deploymentId: 'other3' });
    expect(await codeOf(controlPlane().updateApiStage('prod', 'new222', 'old111'))).toBe(
      'api.conflict',
    );
  });

  it('says api.not-found for an unknown deployment or stage, and without the API client', async () => {
    mock.on(GetStageCommand).resolves({ stageName: 'prod', deploymentId: 'old111' });
    mock
      .on(UpdateStageCommand)
      .rejects(new NotFoundException({ message: 'Invalid deployment', $metadata: {} }));
    expect(await codeOf(controlPlane().updateApiStage('prod', 'nope', 'old111'))).toBe(
      'api.not-found',
    );
    mock.on(GetStageCommand).rejects(new NotFoundException({ message: 'no stage', $metadata: {} }));
    expect(await codeOf(controlPlane().getApiStage('staging'))).toBe('api.not-found');
    expect(await codeOf(controlPlane({ api: false }).getApiStage('prod'))).toBe('api.not-found');
  });
});
