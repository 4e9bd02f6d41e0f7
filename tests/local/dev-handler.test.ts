// `stagecraft dev --handler FILE` (issue 11): any module's `handler` export behind the emulated
// gateway, its stages, aliases and versions, for the route table's resources (every method, as
// the deployed API's ANY methods pass them); watch mode rebuilds it; a missing file or export is
// a clear error.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedEvents, expectSameEvent, replay } from './captured-events.ts';
import { ROOT, eventually, spawnDev, tempDir } from './helpers.ts';
import type { DevProcess } from './helpers.ts';

const run = promisify(execFile);

describe('stagecraft dev --handler tests/fixtures/echo-handler.ts', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let dev: DevProcess;
  beforeAll(async () => {
    temp = await tempDir();
    dev = await spawnDev([
      '--handler',
      'tests/fixtures/echo-handler.ts',
      '--state-dir',
      join(temp.dir, 'state'),
      '--no-watch',
    ]);
  }, 120_000);
  afterAll(async () => {
    if (dev !== undefined) expect(await dev.stop()).toBe(0);
    await temp?.remove();
  });

  // Captured POSTs whose bodies the route table's request model refuses: a JSON object without
  // `name` (aws-lambda-go), and no body and no Content-Type, which API Gateway checks as
  // application/json (shepherd). The form-encoded POST is not checked (no model for its type).
  const REFUSED_BY_MODEL = new Set([
    'aws-lambda-go-apigw-request.json',
    'shepherd-myip-regular-call.json',
  ]);

  it('returns the raw event, which matches captured ones field by field', async () => {
    expect(dev.output.stderr).toContain(
      'serving the handler export of tests/fixtures/echo-handler.ts',
    );
    // Each captured request, sent to the route table's resource (the only one this API has):
    // everything but the resource-derived fields is compared with what API Gateway sent.
    for (const [name, captured] of capturedEvents()) {
      for (const stage of ['staging', 'prod']) {
        if (REFUSED_BY_MODEL.has(name)) {
          // This API's POST has a request model: API Gateway (and the local gateway) refuses
          // these bodies before the function runs, so there is no event to compare.
          await expect(replay(captured, dev.url, `/${stage}/user/abc12345`)).rejects.toThrow(
            /^400: \{"error":"Invalid request body","message":"Invalid request body"\}$/,
          );
          continue;
        }
        const local = await replay(captured, dev.url, `/${stage}/user/abc12345`);
        expectSameEvent(`${name} on ${stage}`, captured, local, {
          stage,
          path: '/user/abc12345',
          resource: '/user/{id}',
          pathParameters: { id: 'abc12345' },
        });
        expect(local.stageVariables).toEqual({ stage });
      }
    }
  });

  it('gets every method of the routed resources (ANY), and nothing else', async () => {
    const put = await fetch(`${dev.url}/prod/user/abc12345`, { method: 'PATCH', body: 'x' });
    expect(put.status).toBe(200);
    const event = (await put.json()) as { httpMethod: string; requestContext: object };
    expect(event.httpMethod).toBe('PATCH');
    expect(Object.keys(event.requestContext)).not.toContain('operationName');
    for (const path of ['/prod/other', '/prod/user', '/staging/']) {
      const unmapped = await fetch(`${dev.url}${path}`);
      expect(unmapped.status, path).toBe(404);
      expect(unmapped.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    }
  });
});

describe('stagecraft dev --handler with watch mode', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let dev: DevProcess | undefined;
  const module = (mark: string) =>
    `export const handler = async (event) => ({ statusCode: 200, body: ${JSON.stringify(mark)} + ' ' + event.path });\n`;
  beforeAll(async () => {
    temp = await tempDir();
    await writeFile(join(temp.dir, 'fn.mjs'), module('one'));
    dev = await spawnDev([
      '--handler',
      join(temp.dir, 'fn.mjs'),
      '--state-dir',
      join(temp.dir, 'state'),
    ]);
  }, 120_000);
  afterAll(async () => {
    if (dev !== undefined) expect(await dev.stop()).toBe(0);
    await temp?.remove();
  });

  const body = async (path: string) => (await fetch(`${dev?.url}${path}`)).text();

  it('runs a JavaScript module and rebuilds $LATEST when it is saved; prod keeps its version', async () => {
    expect(await body('/staging/user/abc12345')).toBe('one /user/abc12345');
    await writeFile(join(temp.dir, 'fn.mjs'), module('two'));
    await eventually(async () => (await body('/staging/user/abc12345')).startsWith('two'), 15_000);
    expect(await body('/prod/user/abc12345')).toBe('one /user/abc12345');
    // A save that loses the export is refused; the previous $LATEST keeps serving.
    await writeFile(join(temp.dir, 'fn.mjs'), 'export const other = 1;\n');
    await eventually(async () => (dev?.output.stderr ?? '').includes('not rebuilt'), 15_000);
    expect(dev?.output.stderr).toMatch(/no `handler` export \(its exports: other\)/);
    expect(await body('/staging/user/abc12345')).toBe('two /user/abc12345');
  });
});

describe('stagecraft dev --handler errors', () => {
  const devJson = async (handler: string) => {
    const temp = await tempDir();
    try {
      const args = [
        'dev',
        '--port',
        '0',
        '--handler',
        handler,
        '--state-dir',
        join(temp.dir, 's'),
        '--json',
      ];
      const result = await run(join(ROOT, 'bin/stagecraft'), args, { cwd: ROOT }).then(
        () => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => error,
      );
      return {
        code: result.code,
        error: (JSON.parse(result.stdout) as { error: { code: string; message: string } }).error,
      };
    } finally {
      await temp.remove();
    }
  };

  it('names a missing file and a module without a handler export', async () => {
    const missing = await devJson('tests/fixtures/nope.ts');
    expect(missing.code).toBe(1);
    expect(missing.error.code).toBe('local.handler-not-found');
    expect(missing.error.message).toContain('nope.ts does not exist');
    const noExport = await devJson('tests/fixtures/local/no-handler-export.ts');
    expect(noExport.code).toBe(1);
    expect(noExport.error).toMatchObject({ code: 'local.handler-export' });
    expect(noExport.error.message).toContain('has no `handler` export (its exports: main)');
  }, 60_000);
});
