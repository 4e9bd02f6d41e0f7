// `stagecraft dev` end to end on a throwaway copy of the project whose src/service/handler.ts
// wraps the real handler: a saved source change reaches staging but not prod, and a handler that
// throws, hangs (past its timeout) or crashes its worker is answered 502, as API Gateway answers
// a failed Lambda invocation, while the server keeps serving.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, eventually, spawnDev } from './helpers.ts';
import type { DevProcess } from './helpers.ts';

const wrapper = (mark: string) => `
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { handler as real } from './handler-real.ts';

export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  switch (event.pathParameters?.id) {
    case 'throwingfixture':
      throw new Error('fixture throws');
    case 'hangingfixture':
      return new Promise(() => undefined);
    case 'crashingfixture':
      setTimeout(() => { throw new Error('fixture crashes its worker'); }, 0);
      return new Promise(() => undefined);
  }
  const result = await real(event, context);
  return { ...result, headers: { ...result.headers, 'X-Fixture-Mark': ${JSON.stringify(mark)} } };
}
`;

let project: Awaited<ReturnType<typeof copyProject>>;
let dev: DevProcess;

beforeAll(async () => {
  project = await copyProject();
  const service = join(project.root, 'src/service');
  await rename(join(service, 'handler.ts'), join(service, 'handler-real.ts'));
  await writeFile(join(service, 'handler.ts'), wrapper('one'));
  dev = await spawnDev(['--state-dir', join(project.root, 'state'), '--timeout', '1'], {
    root: project.root,
  });
});
afterAll(async () => {
  expect(await dev.stop()).toBe(0);
  await project.remove();
});

async function get(path: string) {
  const response = await fetch(`${dev.url}${path}`);
  return {
    status: response.status,
    version: response.headers.get('x-function-version'),
    requestId: response.headers.get('x-request-id'),
    amznRequestId: response.headers.get('x-amzn-requestid'),
    mark: response.headers.get('x-fixture-mark'),
    body: await response.text(),
  };
}

describe('stagecraft dev, end to end', () => {
  it('serves a saved change on staging ($LATEST) while prod stays on version 1', async () => {
    expect(dev.output.stderr).toContain('watching src/ for changes');
    expect(await get('/staging/user/watched01')).toMatchObject({
      status: 404,
      version: '$LATEST',
      mark: 'one',
    });
    expect(await get('/prod/user/watched01')).toMatchObject({
      status: 404,
      version: '1',
      mark: 'one',
    });

    await writeFile(join(project.root, 'src/service/handler.ts'), wrapper('two'));
    await eventually(async () => (await get('/staging/user/watched01')).mark === 'two', 15_000);
    expect(await get('/staging/user/watched01')).toMatchObject({ version: '$LATEST', mark: 'two' });
    expect(await get('/prod/user/watched01')).toMatchObject({ version: '1', mark: 'one' });
    expect(dev.output.stderr).toMatch(/built \$LATEST from .*handler\.ts/);

    // The rebuilt function still does its real work.
    const created = await fetch(`${dev.url}/staging/user/watched01`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":"after the rebuild"}',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-fixture-mark')).toBe('two');
  });

  it('answers a throwing, a hanging (function timeout) and a crashing handler 502, and keeps serving', async () => {
    const expected: [string, number, string][] = [
      ['throwingfixture', 502, 'function error Error: fixture throws'],
      ['hangingfixture', 502, 'no answer within the function timeout (Task timed out)'],
      ['crashingfixture', 502, 'fixture crashes its worker'],
    ];
    for (const [id, status, logged] of expected) {
      for (const stage of ['staging', 'prod']) {
        const answer = await get(`/${stage}/user/${id}`);
        expect(answer.status, `${stage} ${id}`).toBe(status);
        expect(answer.version).toBeNull(); // the gateway answered, not the function
        expect(answer.requestId, `${stage} ${id}`).toMatch(/^[0-9a-f-]{36}$/);
        expect(answer.requestId).toBe(answer.amznRequestId);
        expect(
          (await get(`/${stage}/user/watched01`)).status,
          `after ${id}`,
        ).not.toBeGreaterThanOrEqual(500);
      }
      expect(dev.output.stderr).toContain(logged);
    }
    expect(dev.child.exitCode).toBeNull();
  });
});
