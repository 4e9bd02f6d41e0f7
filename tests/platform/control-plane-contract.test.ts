// One contract, two implementations: every release operation is written once against
// ControlPlane, so the local one (real files in a temp state dir) and the AWS one (the SDK
// adapter over an in-memory fake Lambda, tests/platform/fake-lambda.ts) must behave the same.
// Modelled on the ItemClient contract suite (tests/dynamo/client-contract.test.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeOf } from './release-error-code.ts';
import type { Stage } from '../../src/config/stages.ts';
import { type AliasRouting, routingOf } from '../../src/platform/alias.ts';
import { AwsControlPlane } from '../../src/platform/aws/control-plane.ts';
import type { ControlPlane } from '../../src/platform/control-plane.ts';
import { LocalControlPlane } from '../../src/platform/local/control-plane.ts';
import type { ReleaseContext } from '../../src/release/context.ts';
import { promote } from '../../src/release/operations/promote.ts';
import { rollback } from '../../src/release/operations/rollback.ts';
import { SILENT_PROGRESS } from '../../src/release/progress.ts';
import { LocalFunctionStore } from '../../src/state/function-store.ts';
import { FakeLambda } from './fake-lambda.ts';
import { FakeApiGateway } from './fake-api-gateway.ts';
import { recordApiDeployment, writeApiStage } from '../../src/state/api-deployments.ts';
import { verificationPathFor, writeVerification } from '../../src/state/verification.ts';
import { readHistory } from '../../src/state/history.ts';
import { stateLayout } from '../../src/state/layout.ts';

const SHA_ONE = 'c2hhLW9uZQ==';
const SHA_TWO = 'c2hhLXR3bw==';

/** One implementation, and the ways a test changes the function outside the control plane. */
interface Implementation {
  readonly controlPlane: ControlPlane;
  readonly stateDir: string;
  /** New code in `$LATEST` (a rebuild locally, a `cdk deploy` on AWS). */
  deploy(sha: string): Promise<void>;
  /** What exists after set-up: `$LATEST` at `sha`, version 1, staging → `$LATEST`, prod → 1. */
  setUp(sha: string): Promise<void>;
  /** Moves an alias behind the control plane's back (a hand edit, the console). */
  moveBehind(stage: Stage, routing: AliasRouting): Promise<void>;
  /** API deployments `ids` (oldest first), both stages on the first. */
  setUpApi(ids: readonly string[]): Promise<void>;
  /** Points a stage at another API deployment behind the control plane's back. */
  moveApiBehind(stage: Stage, id: string): Promise<void>;
}

async function localImplementation(stateDir: string): Promise<Implementation> {
  const store = await LocalFunctionStore.open(stateDir);
  const deploy = async (sha: string) => {
    const code = new TextEncoder().encode(`export const handler = async () => '${sha}';`);
    await store.setLatest({ code, zip: new Uint8Array(), codeSha256: sha });
  };
  return {
    controlPlane: await LocalControlPlane.open({ stateDir, devUrl: 'http://127.0.0.1:3000/' }),
    stateDir,
    deploy,
    async setUp(sha) {
      await deploy(sha);
      await store.publish('first');
      await store.setAliases({ staging: { version: '$LATEST' }, prod: { version: '1' } });
    },
    moveBehind: (stage, routing) => store.setAlias(stage, routing),
    async setUpApi(ids) {
      for (const [index, id] of ids.entries()) {
        await recordApiDeployment(stateDir, {
          id,
          created_at: new Date(Date.UTC(2024, 4, 1, 9, 0, index)).toISOString(),
          description: `deployment ${id}`,
          definition: { format: 1, routes: [], gateway_responses: {}, binary_media_types: [] },
        });
      }
      await writeApiStage(stateDir, 'prod', ids[0] ?? '');
      await writeApiStage(stateDir, 'staging', ids[0] ?? '');
    },
    moveApiBehind: (stage, id) => writeApiStage(stateDir, stage, id),
  };
}

function awsImplementation(stateDir: string): Implementation {
  const client = new LambdaClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const fake = new FakeLambda(client, 'stagecraft-example');
  const apigateway = new APIGatewayClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const api = new FakeApiGateway(apigateway, 'abc');
  return {
    controlPlane: new AwsControlPlane({
      lambda: client,
      apigateway,
      restApiId: api.restApiId,
      functionName: fake.functionName,
      stageUrls: {
        staging: 'https://abc.execute-api.eu-west-1.amazonaws.com/staging/',
        prod: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
      },
    }),
    stateDir,
    deploy: async (sha) => fake.deploy(sha),
    async setUp(sha) {
      fake.deploy(sha);
      fake.publish(sha, 'first');
      fake.setAlias('staging', '$LATEST');
      fake.setAlias('prod', '1');
    },
    moveBehind: async (stage, routing) =>
      void fake.setAlias(stage, routing.version, { ...routing.weights }),
    async setUpApi(ids) {
      for (const id of ids) api.deploy(id, `deployment ${id}`);
      api.stages.set('prod', ids[0] ?? '');
      api.stages.set('staging', ids[0] ?? '');
    },
    moveApiBehind: async (stage, id) => void api.stages.set(stage, id),
  };
}

describe.each(['local', 'aws'] as const)('ControlPlane contract: %s', (kind) => {
  let impl: Implementation;
  let cp: ControlPlane;
  let stateDir: string;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), `stagecraft-contract-${kind}-`));
    impl = kind === 'local' ? await localImplementation(stateDir) : awsImplementation(stateDir);
    cp = impl.controlPlane;
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));

  // A release context on this implementation's control plane, at a fixed instant.
  const releaseContext = (): ReleaseContext => ({
    controlPlane: cp,
    stateDir,
    projectDir: stateDir,
    commandLine: 'release contract',
    user: 'tester',
    now: () => new Date('2024-05-01T10:00:00.000Z'),
    progress: SILENT_PROGRESS,
  });

  /** Set-up, then new code in `$LATEST` published as version 2. */
  async function twoVersions(): Promise<void> {
    await impl.setUp(SHA_ONE);
    await impl.deploy(SHA_TWO);
    await cp.publishVersion({ expectedCodeSha256: SHA_TWO, description: 'second' });
  }

  it('says what is missing before set-up: no code, no alias', async () => {
    expect(cp.target).toBe(kind);
    expect(await codeOf(cp.latestCodeSha256())).toBe('function.empty');
    expect(await cp.listVersions()).toEqual([]);
    expect(await codeOf(cp.getAlias('prod'))).toBe('alias.not-found');
    expect(await codeOf(cp.updateAlias('prod', { version: '$LATEST' }, 'any'))).toBe(
      'alias.not-found',
    );
  });

  it('reads $LATEST, the versions and the aliases after set-up', async () => {
    await impl.setUp(SHA_ONE);
    expect(await cp.latestCodeSha256()).toBe(SHA_ONE);
    const versions = await cp.listVersions();
    expect(versions.map((v) => [v.version, v.code_sha256, v.description])).toEqual([
      ['1', SHA_ONE, 'first'],
    ]);
    expect(routingOf(await cp.getAlias('staging'))).toEqual({ version: '$LATEST' });
    expect(routingOf(await cp.getAlias('prod'))).toEqual({ version: '1' });
    expect(await cp.stageUrl('prod')).toMatch(/^https?:\/\/[^/]+\/prod\/$/);
  });

  it('publishes new code once: the same code again returns that version, not a new one', async () => {
    await impl.setUp(SHA_ONE);
    // Version 1 already holds $LATEST's code.
    const unchanged = await cp.publishVersion({ expectedCodeSha256: SHA_ONE });
    expect(unchanged).toMatchObject({ created: false, version: { version: '1' } });

    await impl.deploy(SHA_TWO);
    const first = await cp.publishVersion({ expectedCodeSha256: SHA_TWO, description: 'two' });
    expect(first.created).toBe(true);
    expect(first.version).toMatchObject({ version: '2', code_sha256: SHA_TWO, description: 'two' });
    const again = await cp.publishVersion({ expectedCodeSha256: SHA_TWO });
    expect(again).toMatchObject({ created: false, version: { version: '2' } });
    expect((await cp.listVersions()).map((v) => v.version)).toEqual(['1', '2']);
  });

  it('publishes nothing when $LATEST no longer holds the expected code (CodeSha256 guard)', async () => {
    await impl.setUp(SHA_ONE);
    await impl.deploy(SHA_TWO);
    expect(await codeOf(cp.publishVersion({ expectedCodeSha256: SHA_ONE }))).toBe(
      'publish.code-changed',
    );
    expect((await cp.listVersions()).map((v) => v.version)).toEqual(['1']);
  });

  it('refuses an alias update whose revision is stale (RevisionId conflict)', async () => {
    await twoVersions();
    const read = await cp.getAlias('prod');
    await impl.moveBehind('prod', { version: '2' });
    const stale = cp.updateAlias('prod', { version: '1', weights: { '2': 0.5 } }, read.revision);
    expect(await codeOf(stale)).toBe('alias.conflict');
    // The other writer's change stands.
    expect(routingOf(await cp.getAlias('prod'))).toEqual({ version: '2' });
  });

  it('runs a canary: weights are stored, read back, and change the revision', async () => {
    await twoVersions();
    const before = await cp.getAlias('prod');
    const canary = { version: '1', weights: { '2': 0.1 } };
    const after = await cp.updateAlias('prod', canary, before.revision);
    expect(routingOf(after)).toEqual(canary);
    expect(after.revision).not.toBe(before.revision);
    const read = await cp.getAlias('prod');
    expect(routingOf(read)).toEqual(canary);
    expect(read.revision).toBe(after.revision);
    // The old revision is stale now.
    expect(await codeOf(cp.updateAlias('prod', { version: '2' }, before.revision))).toBe(
      'alias.conflict',
    );
  });

  it('completes a canary: all traffic to its version, no weights left', async () => {
    await twoVersions();
    const start = await cp.getAlias('prod');
    const canary = await cp.updateAlias(
      'prod',
      { version: '1', weights: { '2': 0.25 } },
      start.revision,
    );
    await cp.updateAlias('prod', { version: '2' }, canary.revision);
    const done = await cp.getAlias('prod');
    expect(done.version).toBe('2');
    expect(routingOf(done)).toEqual({ version: '2' });
    expect(done.weights ?? {}).toEqual({});
  });

  it('rolls back: aborts a canary, and moves prod to an earlier version', async () => {
    await twoVersions();
    const start = await cp.getAlias('prod');
    const canary = await cp.updateAlias(
      'prod',
      { version: '1', weights: { '2': 0.1 } },
      start.revision,
    );
    const aborted = await cp.updateAlias('prod', { version: '1' }, canary.revision);
    expect(routingOf(aborted)).toEqual({ version: '1' });
    const promoted = await cp.updateAlias('prod', { version: '2' }, aborted.revision);
    const back = await cp.updateAlias('prod', { version: '1' }, promoted.revision);
    expect(routingOf(back)).toEqual({ version: '1' });
    expect(routingOf(await cp.getAlias('prod'))).toEqual({ version: '1' });
  });

  it('runs the release operations the same: promote --canary, --complete, rollback', async () => {
    await twoVersions();
    const ctx = releaseContext();
    const canary = await promote(ctx, { version: '2', canaryPercent: 10, force: true });
    expect([canary.from, canary.to]).toEqual([
      { version: '1' },
      { version: '1', weights: { '2': 0.1 } },
    ]);
    const complete = await promote(ctx, { complete: true });
    expect(complete.to).toEqual({ version: '2' });
    const back = await rollback(ctx);
    expect([back.from, back.to]).toEqual([{ version: '2' }, { version: '1' }]);
    expect(routingOf(await cp.getAlias('prod'))).toEqual({ version: '1' });
  });

  it('API stages: none before set-up; deployments oldest first; a guarded move of prod', async () => {
    expect(await codeOf(cp.getApiStage('prod'))).toBe('api.not-found');
    await impl.setUpApi(['dA1', 'dB2', 'dC3']);
    expect((await cp.listApiDeployments()).map((d) => [d.id, d.description])).toEqual([
      ['dA1', 'deployment dA1'],
      ['dB2', 'deployment dB2'],
      ['dC3', 'deployment dC3'],
    ]);
    expect(await cp.getApiStage('staging')).toBe('dA1');
    await cp.updateApiStage('prod', 'dB2', 'dA1');
    expect(await cp.getApiStage('prod')).toBe('dB2');
    expect(await cp.getApiStage('staging')).toBe('dA1');
    // A move behind its back: the stale expectation is refused and the other change stands.
    await impl.moveApiBehind('prod', 'dC3');
    expect(await codeOf(cp.updateApiStage('prod', 'dA1', 'dB2'))).toBe('api.conflict');
    expect(await cp.getApiStage('prod')).toBe('dC3');
    expect(await codeOf(cp.updateApiStage('prod', 'nope', 'dC3'))).toBe('api.not-found');
    expect(await cp.getApiStage('prod')).toBe('dC3');
  });

  it('runs the API half of the release operations the same: promote --api-only, --force, rollback', async () => {
    await twoVersions();
    await impl.setUpApi(['dA1', 'dB2']);
    await impl.moveApiBehind('staging', 'dB2'); // a deploy (or a dev rebuild) moves staging
    const ctx = releaseContext();
    // Not verified: refused, nothing moves.
    expect(await codeOf(promote(ctx, { apiOnly: true }))).toBe('promote.unverified-api');
    expect(await cp.getApiStage('prod')).toBe('dA1');
    // Verified with staging on dB2: promoted, the alias untouched.
    await writeVerification(verificationPathFor(stateDir), {
      code_sha256: SHA_TWO,
      at: '2024-05-01T09:59:00.000Z',
      passed: true,
      report: {},
      target: cp.target,
      function_name: cp.functionName,
      version: '$LATEST',
      api_deployment: 'dB2',
    });
    const promoted = await promote(ctx, { apiOnly: true });
    expect(promoted.api).toEqual({
      changed: true,
      from: 'dA1',
      to: 'dB2',
      verified: true,
      forced: false,
    });
    expect(await cp.getApiStage('prod')).toBe('dB2');
    expect(routingOf(await cp.getAlias('prod'))).toEqual({ version: '1' });
    // Rollback restores what that promote moved: the API only.
    const back = await rollback(ctx);
    expect(back.api).toEqual({ changed: true, from: 'dB2', to: 'dA1' });
    expect(routingOf(await cp.getAlias('prod'))).toEqual({ version: '1' });
    // --force moves an unverified deployment, and says so in history.
    await impl.moveApiBehind('staging', 'dA1');
    await impl.moveApiBehind('prod', 'dB2');
    const forced = await promote(ctx, { apiOnly: true, force: true });
    expect(forced.api).toMatchObject({ from: 'dB2', to: 'dA1', verified: false, forced: true });
    const history = await readHistory(stateLayout(stateDir).history);
    expect(
      history.filter((e) => e.subject === 'api').map((e) => [e.action, e.from, e.to, e.forced]),
    ).toEqual([
      ['promote', 'dA1', 'dB2', false],
      ['rollback', 'dB2', 'dA1', false],
      ['promote', 'dB2', 'dA1', true],
    ]);
  });
});
