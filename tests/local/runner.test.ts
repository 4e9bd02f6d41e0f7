import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildLambdaBundle } from '../../src/build/bundle.ts';
import { FunctionRunner } from '../../src/local/lambda/runner.ts';
import type { InvokeOutcome } from '../../src/local/lambda/runner.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/local/${name}.ts`, import.meta.url));

let dir: string;
const code: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stagecraft-runner-'));
  for (const name of ['misbehaving-handler', 'init-error-handler', 'callback-handler']) {
    const { files } = await buildLambdaBundle({ entry: fixture(name), outDir: join(dir, name) });
    code[name] = files?.code ?? '';
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function request(id: string, version = '1', name = 'misbehaving-handler') {
  return {
    version,
    codeKey: `${name}@${version}`,
    codePath: code[name] ?? '',
    alias: 'prod',
    event: { pathParameters: { id } },
  };
}

function body(outcome: InvokeOutcome) {
  if (outcome.kind !== 'result') throw new Error(`expected a result, got ${outcome.kind}`);
  return JSON.parse(JSON.parse(outcome.payload).body);
}

describe('FunctionRunner', () => {
  it('runs the handler with a Lambda context and a Lambda environment', async () => {
    const runner = new FunctionRunner({
      functionName: 'example',
      timeoutMs: 2000,
      environment: { STAGECRAFT_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' },
      output: null,
    });
    try {
      const seen = body(await runner.invoke(request('someuser01')));
      expect(seen.context).toMatchObject({
        functionName: 'example',
        functionVersion: '1',
        invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:example:prod',
        memoryLimitInMB: '256',
        logGroupName: '/aws/lambda/example',
      });
      expect(seen.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(seen.context.remaining).toBeGreaterThan(1000);
      expect(seen.context.remaining).toBeLessThanOrEqual(2000);
      expect(seen.env).toMatchObject({
        AWS_REGION: 'local',
        AWS_LAMBDA_FUNCTION_NAME: 'example',
        AWS_LAMBDA_FUNCTION_VERSION: '1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        STAGECRAFT_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
        // The gateway counts locally: the function's EMF lines are off (src/service/emf.ts).
        STAGECRAFT_EMF: 'off',
      });
      // The developer's own environment does not leak into the function.
      expect(seen.env.AWS_PROFILE).toBeUndefined();
      expect(Object.keys(seen.env).some((k) => k === 'HOME' || k === 'PATH')).toBe(false);
    } finally {
      await runner.close();
    }
  });

  it('keeps one warm worker per version and serves them concurrently', async () => {
    const runner = new FunctionRunner({ functionName: 'example', output: null });
    try {
      const outcomes = await Promise.all([
        ...Array.from({ length: 20 }, () => runner.invoke(request('slowish', '1'))),
        runner.invoke(request('slowish', '2')),
      ]);
      expect(outcomes.every((o) => o.kind === 'result')).toBe(true);
      expect(runner.workerCount).toBe(2);
      expect(body(outcomes[20] as InvokeOutcome).context.functionVersion).toBe('2');
    } finally {
      await runner.close();
    }
  });

  it('reports thrown and rejected errors without losing the worker', async () => {
    const runner = new FunctionRunner({ functionName: 'example', output: null });
    try {
      expect(await runner.invoke(request('throwing'))).toEqual({
        kind: 'error',
        errorType: 'Error',
        errorMessage: 'boom',
      });
      expect(await runner.invoke(request('rejecting'))).toMatchObject({ errorType: 'TypeError' });
      expect((await runner.invoke(request('fine1234'))).kind).toBe('result');
      expect(runner.workerCount).toBe(1);
    } finally {
      await runner.close();
    }
  });

  it('times out a hanging or spinning handler and replaces its worker', async () => {
    const runner = new FunctionRunner({ functionName: 'example', timeoutMs: 300, output: null });
    try {
      for (const id of ['hanging', 'spinning']) {
        const started = Date.now();
        expect(await runner.invoke(request(id))).toEqual({ kind: 'timeout' });
        expect(Date.now() - started).toBeLessThan(2000);
        expect((await runner.invoke(request('fine1234'))).kind).toBe('result');
      }
    } finally {
      await runner.close();
    }
  });

  it('answers a crashed worker as a crash, and the next invocation gets a fresh one', async () => {
    const runner = new FunctionRunner({ functionName: 'example', timeoutMs: 3000, output: null });
    try {
      const exiting = await runner.invoke(request('exiting'));
      expect(exiting).toMatchObject({
        kind: 'crash',
        reason: expect.stringMatching(/exit code 3/),
      });
      const uncaught = await runner.invoke(request('uncaught'));
      expect(uncaught).toMatchObject({ kind: 'crash' });
      expect(uncaught.kind === 'crash' && uncaught.reason).toMatch(/thrown outside the handler/);
      expect((await runner.invoke(request('fine1234'))).kind).toBe('result');
    } finally {
      await runner.close();
    }
  });

  it('ends a worker that exhausts its memory size, not the server', async () => {
    const runner = new FunctionRunner({
      functionName: 'example',
      memoryMb: 32,
      timeoutMs: 10_000,
      output: null,
    });
    try {
      const outcome = await runner.invoke(request('allocating'));
      expect(outcome).toMatchObject({ kind: 'crash' });
      expect(outcome.kind === 'crash' && outcome.reason).toMatch(/memory/i);
      expect((await runner.invoke(request('fine1234'))).kind).toBe('result');
    } finally {
      await runner.close();
    }
  });

  it('fails every invocation of a bundle that cannot initialise, retrying init each time', async () => {
    const runner = new FunctionRunner({ functionName: 'example', output: null });
    try {
      for (let i = 0; i < 2; i++) {
        expect(await runner.invoke(request('x', '1', 'init-error-handler'))).toEqual({
          kind: 'error',
          errorType: 'Error',
          errorMessage: 'cannot initialise',
        });
      }
    } finally {
      await runner.close();
    }
  });

  it("supports callback handlers and refuses results over Lambda's 6 MB", async () => {
    const runner = new FunctionRunner({ functionName: 'example', output: null });
    try {
      const outcome = await runner.invoke(request('x', '3', 'callback-handler'));
      expect(outcome).toEqual({ kind: 'result', payload: '{"statusCode":202,"body":"3"}' });
      expect(await runner.invoke(request('huge'))).toMatchObject({
        kind: 'error',
        errorType: 'Function.ResponseSizeTooLarge',
      });
    } finally {
      await runner.close();
    }
  });

  it('retires the old worker when a version gets new code', async () => {
    const runner = new FunctionRunner({ functionName: 'example', output: null });
    try {
      await runner.invoke({ ...request('fine1234', '$LATEST'), codeKey: 'a' });
      await runner.invoke({ ...request('fine1234', '$LATEST'), codeKey: 'b' });
      expect(runner.workerCount).toBe(1);
    } finally {
      await runner.close();
    }
  });

  it('writes the function logs straight to the output descriptor, or through the stream without one', async () => {
    const file = join(dir, 'function-logs.txt');
    const fd = openSync(file, 'w');
    const viaStream: Buffer[] = [];
    // A stream on a descriptor, like the dev server's stdout: its write() must not be needed.
    const onFd = Object.assign(new PassThrough(), { fd });
    onFd.on('data', (chunk: Buffer) => viaStream.push(chunk));
    const withFd = new FunctionRunner({ functionName: 'example', output: onFd });
    try {
      expect((await withFd.invoke(request('throwing'))).kind).toBe('error');
    } finally {
      await withFd.close();
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toMatch(
      /\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"boom"/,
    );
    expect(Buffer.concat(viaStream).toString()).toBe('');

    // Without a descriptor (a plain stream) the logs arrive through it.
    const plain = new PassThrough();
    const seen: Buffer[] = [];
    plain.on('data', (chunk: Buffer) => seen.push(chunk));
    const withStream = new FunctionRunner({ functionName: 'example', output: plain });
    try {
      expect((await withStream.invoke(request('throwing'))).kind).toBe('error');
      await vi.waitFor(() => expect(Buffer.concat(seen).toString()).toContain('Invoke Error'), {
        timeout: 5000,
      });
    } finally {
      await withStream.close();
    }
  });
});
