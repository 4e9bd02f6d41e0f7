// The dependency rule lives in eslint.config.js and runs with `npm test` (npm run lint). These
// tests lint virtual files through ESLint's Node API, so they show the rule firing (and not
// firing) without a broken file in the tree.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The dependency-rule messages ESLint reports for `code` as if it were at `filePath`. */
async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === 'no-restricted-imports')
    .map((message) => message.message);
}

const use = (names: string): string => `\nexport const used = [${names}];\n`;

describe('dependency rule', () => {
  it('stops service/ from importing local/, and says which rule it broke', async () => {
    const found = await violations(
      'src/service/fixture.ts',
      `import { startLocalStack } from '../local/stack.ts';${use('startLocalStack')}`,
    );
    expect(found).toEqual([
      "'../local/stack.ts' import is restricted from being used by a pattern. service/ must not import local/ (dependency rule, docs/architecture.md).",
    ]);
  });

  it.each([
    ['src/service/fixture.ts', '../release/plan.ts', 'service/ must not import release/'],
    ['src/service/fixture.ts', '../platform/alias.ts', 'service/ must not import platform/'],
    ['src/platform/aws/fixture.ts', '../../release/plan.ts', 'platform/ must not import release/'],
    ['src/platform/fixture.ts', '../local/stack.ts', 'platform/ must not import local/'],
    ['src/state/fixture.ts', '../cli/main.ts', 'state/ must not import cli/'],
    [
      'src/dynamo/expression/fixture.ts',
      '../../service/users.ts',
      'dynamo/ must not import service/',
    ],
    ['src/release/fixture.ts', '../local/stack.ts', 'release/ must not import local/'],
    ['src/local/gateway/fixture.ts', '../../release/plan.ts', 'local/ must not import release/'],
    ['src/infra/fixture.ts', '../state/history.ts', 'infra/ must not import state/'],
    ['src/local/fixture.ts', '../console/routes.ts', 'local/ must not import console/'],
    ['src/release/fixture.ts', '../console/state.ts', 'release/ must not import console/'],
    ['src/console/fixture.ts', '../local/stack.ts', 'console/ must not import local/'],
    [
      'src/console/web/fixture.ts',
      '../../local/gateway/server.ts',
      'console/ must not import local/',
    ],
    ['src/console/fixture.ts', '../cli/main.ts', 'console/ must not import cli/'],
    ['src/infra/fixture.ts', '@aws-sdk/client-lambda', 'infra/ must not import the AWS SDK'],
    ['src/service/fixture.ts', '@aws-sdk/client-dynamodb', 'service/ must not import the AWS SDK'],
    [
      'src/cli/commands/release/history/fixture.ts',
      '@aws-sdk/client-lambda',
      undefined, // cli/ sits on top: it may import anything
    ],
  ])('%s importing %s: %s', async (filePath, source, expected) => {
    const found = await violations(filePath, `import * as m from '${source}';${use('m')}`);
    if (expected === undefined) expect(found).toEqual([]);
    else expect(found).toEqual([expect.stringContaining(expected)]);
  });

  it('counts ../ steps, so a sibling folder of the same name is not another part', async () => {
    // src/platform/local/ is platform's own file-backed implementation, not src/local/.
    const sibling = await violations(
      'src/platform/aws/fixture.ts',
      `import * as m from '../local/control-plane.ts';${use('m')}`,
    );
    expect(sibling).toEqual([]);
    const part = await violations(
      'src/platform/aws/fixture.ts',
      `import * as m from '../../local/stack.ts';${use('m')}`,
    );
    expect(part).toEqual([expect.stringContaining('platform/ must not import local/')]);
  });

  it('exempts no file: the state dir reads bundle names from config/, not build/', async () => {
    const found = await violations(
      'src/state/function-store.ts',
      `import type { LambdaBundle } from '../build/bundle.ts';\nexport type L = LambdaBundle;\n`,
    );
    expect(found).toEqual([expect.stringContaining('state/ must not import build/')]);
    const allowed = await violations(
      'src/state/function-store.ts',
      `import type { LambdaBundle } from '../config/bundle-layout.ts';\nexport type L = LambdaBundle;\n`,
    );
    expect(allowed).toEqual([]);
  });

  it('catches re-exports and type-only imports too', async () => {
    const found = await violations(
      'src/service/fixture.ts',
      `export { startLocalStack } from '../local/stack.ts';\nimport type { Plan } from '../release/plan.ts';\nexport type P = Plan;\n`,
    );
    expect(found).toHaveLength(2);
  });

  it('allows the imports the architecture wants', async () => {
    const found = await violations(
      'src/local/gateway/fixture.ts',
      `import { ROUTES } from '../../service/routes.ts';\nimport { STAGES } from '../../config/stages.ts';\nimport { StagecraftError } from '../../errors.ts';${use('ROUTES, STAGES, StagecraftError')}`,
    );
    expect(found).toEqual([]);
  });

  it('lets console/ read release state and register routes through the internal-routes contract', async () => {
    const found = await violations(
      'src/console/fixture.ts',
      `import { releaseStatus } from '../release/operations/status.ts';\nimport { InternalRoutes } from '../local/gateway/internal-routes.ts';\nimport { ROUTES } from '../service/routes.ts';\nimport { readHistory } from '../state/history.ts';${use('releaseStatus, InternalRoutes, ROUTES, readHistory')}`,
    );
    expect(found).toEqual([]);
    // Only that file: a sibling whose name starts the same is still local/'s own.
    const sibling = await violations(
      'src/console/fixture.ts',
      `import * as m from '../local/gateway/internal-routes.ts.bak';${use('m')}`,
    );
    expect(sibling).toEqual([expect.stringContaining('console/ must not import local/')]);
  });
});
