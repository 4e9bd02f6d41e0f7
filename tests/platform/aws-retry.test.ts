// aws-sdk-client-mock replaces Client#send, so the SDK's retry middleware never runs under it.
// This test keeps the real SDK stack and fakes Lambda's HTTP endpoint instead, to show that
// throttling is retried by the SDK with the settings release commands use (AWS_RETRY). (When
// retries run out, the error becomes aws.throttled: tested with the mock, without the waits.)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { AWS_RETRY, createAwsClients } from '../../src/platform/aws/clients.ts';
import { AwsControlPlane } from '../../src/platform/aws/control-plane.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => {
    if (server === undefined) return resolve(undefined);
    server.close(resolve);
    server.closeAllConnections();
  });
  server = undefined;
});

/** A Lambda endpoint that throttles the first `throttled` GetAlias calls, then answers. */
async function fakeLambda(throttled: number): Promise<{ endpoint: string; calls: () => number }> {
  let calls = 0;
  server = createServer((req, res) => {
    req.resume();
    calls++;
    if (calls <= throttled) {
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'TooManyRequestsException',
      });
      res.end(JSON.stringify({ message: 'Rate exceeded', Reason: 'CallerRateLimitExceeded' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        Name: 'prod',
        FunctionVersion: '3',
        RevisionId: 'rev-9',
        RoutingConfig: { AdditionalVersionWeights: { '4': 0.25 } },
      }),
    );
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, calls: () => calls };
}

function controlPlane(endpoint: string) {
  const lambda = new LambdaClient({
    ...AWS_RETRY,
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return new AwsControlPlane({
    lambda,
    functionName: 'example',
    stageUrls: { staging: 'https://x/staging/', prod: 'https://x/prod/' },
  });
}

describe('AWS throttling', () => {
  it('is retried by the SDK until Lambda answers', async () => {
    const fake = await fakeLambda(2);
    const alias = await controlPlane(fake.endpoint).getAlias('prod');
    expect(alias).toEqual({ version: '3', weights: { '4': 0.25 }, revision: 'rev-9' });
    expect(fake.calls()).toBe(3);
  });

  it('is configured on the clients release commands build', async () => {
    const clients = createAwsClients();
    try {
      expect(await clients.lambda.config.maxAttempts()).toBe(AWS_RETRY.maxAttempts);
      expect(await clients.cloudformation.config.maxAttempts()).toBe(AWS_RETRY.maxAttempts);
      expect(await clients.cloudwatch?.config.maxAttempts()).toBe(AWS_RETRY.maxAttempts);
    } finally {
      clients.destroy();
    }
  });
});
