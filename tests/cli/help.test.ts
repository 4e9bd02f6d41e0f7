// Help is data: every command's `--help` is its spec rendered by the one renderer, lists every
// flag the parser accepts, and is printed without loading the command.
import { describe, expect, it } from 'vitest';
import { type CommandSpec, type GroupSpec, isGroup } from '../../src/cli/command.ts';
import { PROGRAM } from '../../src/cli/commands.ts';
import { renderCommandHelp, renderGroupHelp } from '../../src/cli/help.ts';
import { runMain } from './capture.ts';

function commands(group: GroupSpec, path: string[] = []): [string[], CommandSpec][] {
  return group.commands.flatMap((spec) =>
    isGroup(spec) ? commands(spec, [...path, spec.name]) : [[[...path, spec.name], spec]],
  ) as [string[], CommandSpec][];
}

const ALL = commands(PROGRAM);

describe('help', () => {
  it('covers every command', () => {
    expect(ALL.map(([path]) => path.join(' '))).toEqual([
      'deploy',
      'dev',
      'release status',
      'release verify',
      'release publish',
      'release promote',
      'release rollout',
      'release rollback',
      'release history',
      'ssh-config',
    ]);
  });

  it.each(ALL.map(([path, spec]) => [path.join(' '), path, spec] as const))(
    '%s --help prints its spec, every flag and exit 0',
    async (_name, path, spec) => {
      for (const flag of ['--help', '-h']) {
        const result = await runMain([...path, flag]);
        expect(result).toEqual({ code: 0, stdout: renderCommandHelp(spec), stderr: '' });
      }
      const text = renderCommandHelp(spec);
      expect(text).toMatch(new RegExp(`^Usage: stagecraft ${path.join(' ')}`));
      for (const flag of spec.sections.flatMap((s) => s.flags)) {
        expect(text).toContain(`  ${flag.label}  `);
      }
    },
  );

  it('stagecraft --help lists every command with its summary', async () => {
    const result = await runMain(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(renderGroupHelp(PROGRAM));
    expect(result.stdout).toBe(
      [
        'Usage: stagecraft <command> [options]',
        '',
        'Build, run and release a serverless user API through staging and prod.',
        '',
        'Commands:',
        '  deploy      deploy the AWS stack with cdk, keeping the prod alias where it is live',
        '  dev         run both stages, versions and aliases locally on an embedded DynamoDB',
        '  release     verify staging, publish, promote (with canary), roll back; status and history',
        '  ssh-config  write EC2 instances into ~/.ssh/config between marker lines',
        '',
        'Options:',
        "  -h, --help     show this help, or a command's help after its name",
        '  -v, --version  print the version',
        '',
      ].join('\n'),
    );
  });

  it('renders a release subcommand as before: usage, sentence, own then common options', async () => {
    const result = await runMain(['release', 'rollback', '--help']);
    expect(result.stdout).toBe(
      [
        'Usage: stagecraft release rollback [--to VERSION] [--code-only | --api-only] [options]',
        '',
        'Abort a canary, or point prod back at the previous prod version (and API deployment, when the last promote moved it).',
        '',
        'Options:',
        '  --to VERSION        the version to go back to (default: previous, from history)',
        "  --code-only         roll back prod's alias only (so does --to)",
        "  --api-only          roll back prod's API deployment only",
        '  --state-dir DIR     state dir: history, verification, lock (default .stagecraft)',
        '  --target local|aws  the local stack or AWS Lambda (default local)',
        '  --stack NAME        with --target aws: the CloudFormation stack (default Stagecraft)',
        '  --profile NAME      with --target aws: the AWS profile (default: AWS_PROFILE / default)',
        '  --region REGION     with --target aws: the AWS region (default: AWS_REGION / the profile’s)',
        '  --json              print one JSON object, no progress',
        '  -h, --help          show help',
        '',
      ].join('\n'),
    );
  });

  it('renders a flag default after its text', async () => {
    const result = await runMain(['dev', '--help']);
    expect(result.stdout).toContain(
      '  --port N                 port of the local API Gateway; 0 picks a free one (default: 3000)\n',
    );
  });

  it('prints a group help with exit 2 when no command is given', async () => {
    expect(await runMain([])).toMatchObject({ code: 2, stdout: renderGroupHelp(PROGRAM) });
    const release = PROGRAM.commands.find((c) => c.name === 'release') as GroupSpec;
    expect(await runMain(['release'])).toMatchObject({ code: 2, stdout: renderGroupHelp(release) });
    expect(await runMain(['release', 'help'])).toMatchObject({ code: 0 });
  });

  it('a bad flag wins over --help: usage error, exit 2', async () => {
    const result = await runMain(['deploy', '--bogus', '--help']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^stagecraft deploy: Unknown option '--bogus'/);
  });
});
