// @ts-check
import js from '@eslint/js';
import jsdoc from 'eslint-plugin-jsdoc';
import tseslint from 'typescript-eslint';

/**
 * The dependency rule (docs/architecture.md): the top-level parts of src/ each part must not
 * import. Dependencies run one way: cli → console → release/local → platform/state → config, with dynamo
 * and service below everything that runs them, infra and ssh off to the side, and no SDK in the
 * CDK constructs or the Lambda. `src/errors.ts` (the shared error base) is open to every part.
 */
const FORBIDDEN = {
  config: [
    'build',
    'dynamo',
    'service',
    'platform',
    'state',
    'release',
    'local',
    'console',
    'infra',
    'ssh',
    'cli',
  ],
  build: [
    'dynamo',
    'service',
    'platform',
    'state',
    'release',
    'local',
    'console',
    'infra',
    'ssh',
    'cli',
  ],
  dynamo: [
    'build',
    'service',
    'platform',
    'state',
    'release',
    'local',
    'console',
    'infra',
    'ssh',
    'cli',
  ],
  service: ['build', 'platform', 'state', 'release', 'local', 'console', 'infra', 'ssh', 'cli'],
  platform: ['build', 'service', 'release', 'local', 'console', 'infra', 'ssh', 'cli'],
  state: ['build', 'service', 'release', 'local', 'console', 'infra', 'ssh', 'cli'],
  release: ['build', 'service', 'local', 'console', 'infra', 'ssh', 'cli'],
  local: ['release', 'console', 'infra', 'ssh', 'cli'],
  // The release console reads release state and registers its routes on the dev server through
  // the one contract local/ exports for that (OPEN_FILES); local/ does not know it exists.
  console: ['build', 'dynamo', 'local', 'infra', 'ssh', 'cli'],
  infra: ['platform', 'state', 'release', 'local', 'console', 'ssh', 'cli'],
  ssh: [
    'build',
    'dynamo',
    'service',
    'platform',
    'state',
    'release',
    'local',
    'console',
    'infra',
    'cli',
  ],
  cli: [],
};

/**
 * Files of a forbidden part that a part may still import: its published contract, not its
 * internals. part → forbidden part → paths below it.
 * @type {Record<string, Record<string, string[]>>}
 */
const OPEN_FILES = {
  console: { local: ['gateway/internal-routes.ts'] },
};

/** Parts that must not import the AWS SDK: CDK constructs make no calls; the Lambda stays lean. */
const NO_AWS_SDK = ['infra', 'service'];

/**
 * Known breaks of the rule, each `{ file, allow: [part…] }` with a comment saying why and which
 * work removes it. None today.
 * @type {{ file: string, allow: string[] }[]}
 */
const EXEMPTIONS = [];

// Deepest folder under a part, in segments below src/<part>/ (cli/commands/release/history).
const MAX_DEPTH = 5;

/**
 * A regex lookahead that lets `part` import the OPEN_FILES of `target` (empty when none).
 * @param {string} part
 * @param {string} target
 */
function openFilesLookahead(part, target) {
  const open = OPEN_FILES[part]?.[target] ?? [];
  if (open.length === 0) return '';
  const escaped = open.map((file) => file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `(?!(?:${escaped.join('|')})$)`;
}

/**
 * The no-restricted-imports options for a file `depth` folders below src/: a relative import
 * reaches another part with exactly `depth` `../` steps, so the regex counts them (a deeper
 * `../local/` is a sibling folder such as platform/local/, not src/local/).
 * @param {string} part
 * @param {number} depth
 * @param {readonly string[]} allow
 */
function importRule(part, depth, allow = []) {
  const up = `(?:\\.\\./){${depth}}`;
  const patterns = FORBIDDEN[part]
    .filter((target) => !allow.includes(target))
    .map((target) => ({
      regex: `^${up}${target}/${openFilesLookahead(part, target)}`,
      message: `${part}/ must not import ${target}/ (dependency rule, docs/architecture.md).`,
    }));
  if (NO_AWS_SDK.includes(part)) {
    patterns.push({
      regex: '^@aws-sdk/',
      message: `${part}/ must not import the AWS SDK (dependency rule, docs/architecture.md).`,
    });
  }
  return { 'no-restricted-imports': ['error', { patterns }] };
}

const dependencyRule = Object.keys(FORBIDDEN).flatMap((part) => {
  const exempt = EXEMPTIONS.filter((entry) => entry.file.startsWith(`src/${part}/`));
  const blocks = Array.from({ length: MAX_DEPTH }, (_, index) => ({
    files: [`src/${part}/${'*/'.repeat(index)}*.ts`],
    ignores: exempt.map((entry) => entry.file),
    rules: importRule(part, index + 1),
  }));
  const exemptBlocks = exempt.map((entry) => ({
    files: [entry.file],
    rules: importRule(part, entry.file.split('/').length - 2, entry.allow),
  }));
  return [...blocks, ...exemptBlocks];
});

export default tseslint.config(
  { ignores: ['node_modules/', '.stagecraft/', 'cdk.out/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The seed's PEP 257 check, in TypeScript: every exported function and class says what it
    // is for. Not methods, interfaces, types or constants: there the name (or the interface a
    // method implements) usually says it all, and a forced comment only repeats it
    // (`/** GetItem. */`). Write one there when it says something the name does not.
    files: ['src/**/*.ts'],
    plugins: { jsdoc },
    rules: {
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: true,
          require: {
            FunctionDeclaration: true,
            ClassDeclaration: true,
            MethodDefinition: false,
            ArrowFunctionExpression: true,
          },
        },
      ],
    },
  },
  ...dependencyRule,
);
