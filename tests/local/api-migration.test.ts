// A state dir written before API deployments existed (built by the state code as main wrote
// it: versions, aliases, history, no <state>/api/) opens in the local stack: the first start
// records the current API definition and puts both stages on it; the gateway then enforces its
// request model with API Gateway's BAD_REQUEST_BODY answer.
import { readdir, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../src/local/stack.ts';
import { releaseStatus } from '../../src/release/operations/status.ts';
import { apiDefinition, apiDefinitionId } from '../../src/service/api-definition.ts';
import { stateLayout } from '../../src/state/layout.ts';
import { publishedStateDir, releaseContext } from '../state/fixture.ts';
import { fixture } from './helpers.ts';

let stateDir: string;
let stack: LocalStack;
const logs: string[] = [];

beforeAll(async () => {
  ({ stateDir } = await publishedStateDir(2));
  expect(await readdir(stateDir)).not.toContain('api');
  stack = await startLocalStack({
    port: 0,
    stateDir,
    watch: false,
    functionLogs: null,
    log: (line) => logs.push(line),
    entry: fixture('parity-handler'),
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe('migrating a state dir without API deployments', () => {
  it('puts both stages on one initial deployment: the current definition', async () => {
    const id = apiDefinitionId(apiDefinition());
    const status = await releaseStatus(await releaseContext(stateDir, 'release status'));
    expect(status.api?.staging.deployment).toBe(id);
    expect(status.api?.prod.deployment).toBe(id);
    expect(await readdir(stateLayout(stateDir).api.deploymentsDir)).toEqual([`${id}.json`]);
    // The code half is untouched.
    expect(status.aliases.prod.version).toBe('1');
    expect(logs).toContain(`API stage prod → ${id} (first deployment)`);
  });

  it('answers an invalid body with the gateway response the deployed API sends', async () => {
    for (const stage of ['staging', 'prod']) {
      const response = await fetch(`${stack.url}/${stage}/user/migrated01`, {
        method: 'POST',
        // Bytes, so that fetch adds no Content-Type: API Gateway then assumes application/json.
        body: new TextEncoder().encode('{"nickname":"x"}'),
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      expect(response.headers.get('content-type')).toBe('application/json');
      const requestId = response.headers.get('x-amzn-requestid');
      expect(response.headers.get('x-request-id')).toBe(requestId);
      expect(await response.json()).toEqual({
        error: 'Invalid request body',
        message: 'Invalid request body',
      });
    }
    // A content type the model is not keyed on is not validated: the function answers.
    const plain = await fetch(`${stack.url}/staging/user/migrated01`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"nickname":"x"}',
    });
    expect(plain.headers.get('x-amzn-errortype')).not.toBe('BadRequestException');
  });
});
