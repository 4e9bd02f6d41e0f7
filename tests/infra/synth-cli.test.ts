// `npm run synth` on a fresh clone: the real cdk CLI runs the real app as a child process with
// no AWS credentials or config (AWS_* removed, HOME an empty dir, so no ~/.aws), and with every
// proxied request sent to a closed port, so a synth that needed AWS or the network would fail.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAME, STAGES, tableNameFor } from '../../src/config/stages.ts';
import { cdkCliPath, PROJECT_ROOT } from '../../src/infra/cdk-cli.ts';
import { DEFAULT_STACK_NAME, OUTPUTS, PROD_VERSION_PARAMETER } from '../../src/config/aws-stack.ts';

const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The environment of a machine that has never seen AWS. */
function freshCloneEnv(home: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      // STAGECRAFT_TABLE_* would rename the tables; a fresh clone has none set.
      ([name]) => !name.startsWith('AWS_') && !name.startsWith('STAGECRAFT_'),
    ),
  );
  return {
    ...env,
    HOME: home,
    USERPROFILE: home,
    // The cdk CLI sends its HTTP through these; a closed local port makes any attempt fail.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '',
  };
}

function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString() }));
  });
}

describe('npm run synth on a fresh clone (no AWS credentials, no network)', () => {
  let dir: string;
  let result: { code: number | null; output: string };
  let outdir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stagecraft-synth-cli-'));
    outdir = join(dir, 'cdk.out');
    // `npm run synth` is `cdk synth …`; run the same arguments with the same cdk binary npm
    // would (node_modules/.bin/cdk), adding only the output dir.
    const [bin, ...args] = pkg.scripts.synth?.split(' ') ?? [];
    expect(bin).toBe('cdk');
    result = await run(process.execPath, [cdkCliPath(), ...args, '--output', outdir], {
      cwd: PROJECT_ROOT,
      env: freshCloneEnv(join(dir, 'home')),
    });
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is the quiet, notice-free synth the docs promise', () => {
    expect(pkg.scripts.synth).toBe('cdk synth --quiet --no-notices');
  });

  it('exits 0 and writes the template with the function, aliases, tables and API', async () => {
    expect(result.code, result.output).toBe(0);
    const json = JSON.parse(
      await readFile(join(outdir, `${DEFAULT_STACK_NAME}.template.json`), 'utf8'),
    ) as Record<string, unknown>;
    const template = Template.fromJSON(json);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: FUNCTION_NAME,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
    });
    template.resourceCountIs('AWS::Lambda::Alias', STAGES.length);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    for (const stage of STAGES) {
      template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: stage });
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: tableNameFor(stage, {}),
      });
    }
    template.hasParameter(PROD_VERSION_PARAMETER, {});
  });

  it('writes the Lambda zip whose sha256 the CodeSha256 output names', async () => {
    const json = JSON.parse(
      await readFile(join(outdir, `${DEFAULT_STACK_NAME}.template.json`), 'utf8'),
    ) as { Outputs: Record<string, { Value: unknown }> };
    const zips = readdirSync(outdir).filter((name) => /^asset\..+\.zip$/.test(name));
    const digests = zips.map((name) =>
      createHash('sha256')
        .update(readFileSync(join(outdir, name)))
        .digest('base64'),
    );
    expect(digests).toContain(json.Outputs[OUTPUTS.codeSha256]?.Value);
  });
});
