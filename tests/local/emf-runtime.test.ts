// The real handler bundle in the local Lambda runtime: `stagecraft dev` does not write the
// function's CloudWatch EMF lines (its gateway counts per version itself), and the same bundle
// writes exactly one bare-JSON EMF line per request when the switch is turned on — what it
// does inside Lambda, where nothing sets STAGECRAFT_EMF.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundle } from '../../src/build/bundle.ts';
import { FunctionRunner } from '../../src/local/lambda/runner.ts';
import { userEvent } from '../service/events.ts';
import { eventually } from './helpers.ts';

let dir: string;
let codePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stagecraft-emf-'));
  const { files } = await buildLambdaBundle({ outDir: dir });
  codePath = files?.code ?? '';
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Runs `count` requests for an unknown path (answered 404 by the router, no table needed)
// through prod and returns the function's stdout lines once `linesPerRequest` lines a request
// have arrived (logs reach the stream after the answer, so waiting on the answers is not enough).
async function run(
  count: number,
  linesPerRequest: number,
  environment: Record<string, string> = {},
) {
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const runner = new FunctionRunner({ functionName: 'example', environment, output });
  try {
    for (let i = 0; i < count; i++) {
      const outcome = await runner.invoke({
        version: '3',
        codeKey: 'handler@3',
        codePath,
        alias: 'prod',
        event: userEvent({ path: '/nowhere', stage: 'prod' }),
      });
      expect(outcome.kind).toBe('result');
    }
    const lines = () => text.split('\n').filter((line) => line !== '');
    await eventually(() => Promise.resolve(lines().length >= count * linesPerRequest), 10_000);
    return lines();
  } finally {
    await runner.close();
  }
}

describe('EMF in the local runtime', () => {
  it('writes none by default (the local runtime sets STAGECRAFT_EMF=off)', async () => {
    const lines = await run(2, 1);
    expect(lines).toHaveLength(2);
    expect(lines.some((line) => line.includes('"_aws"'))).toBe(false);
  });

  it('with the switch on, the bundle writes one bare JSON EMF line per request', async () => {
    // Two lines a request: the request log and the EMF line.
    const lines = await run(3, 2, { STAGECRAFT_EMF: 'on' });
    const emf = lines.filter((line) => line.includes('"_aws"'));
    expect(emf).toHaveLength(3);
    for (const line of emf) {
      // The whole log event is the JSON object, as the EMF specification requires.
      expect(line.startsWith('{')).toBe(true);
      expect(JSON.parse(line)).toMatchObject({
        _aws: { CloudWatchMetrics: [{ Namespace: 'Stagecraft' }] },
        Stage: 'prod',
        FunctionVersion: '3',
        Requests: 1,
        Errors5xx: 0,
        Latency: expect.any(Number),
      });
    }
  });
});
