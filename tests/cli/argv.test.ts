// The one argv parser: flags come from the spec that also renders the help.
import { describe, expect, it } from 'vitest';
import { asksForJson, parseCommandArgs } from '../../src/cli/argv.ts';
import type { CommandSpec } from '../../src/cli/command.ts';
import { UsageError } from '../../src/cli/errors.ts';

const SPEC: CommandSpec = {
  name: 'demo',
  summary: 'a demo',
  usage: 'stagecraft demo [NAME] [--count N]',
  description: [],
  sections: [
    {
      title: 'Options',
      flags: [
        { label: '--count N', name: 'count', type: 'string', text: 'how many' },
        { label: '--tag T', name: 'tag', type: 'string', multiple: true, text: 'repeatable' },
        { label: '--json', name: 'json', text: 'JSON' },
        { label: '-h, --help', name: 'help', short: 'h', text: 'help' },
        { label: '-- ARGS…', text: 'passed on' },
      ],
    },
  ],
  positionals: 1,
  passThrough: true,
  load: () => Promise.reject(new Error('not loaded in these tests')),
};

function usageError(argv: string[], spec: CommandSpec = SPEC): UsageError {
  try {
    parseCommandArgs(spec, argv, 'demo');
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('parseCommandArgs', () => {
  it('reads the flags the spec declares, positionals and what follows --', () => {
    const args = parseCommandArgs(
      SPEC,
      ['one', '--count', '3', '--tag', 'a', '--tag', 'b', '-h', '--', '--x', 'y'],
      'demo',
    );
    expect(args).toEqual({
      values: { count: '3', tag: ['a', 'b'], help: true },
      positionals: ['one'],
      rest: ['--x', 'y'],
    });
  });

  it('refuses an unknown flag, pointing at the help', () => {
    const error = usageError(['--bogus']);
    expect(error.code).toBe('cli.usage');
    expect(error.message).toMatch(/^Unknown option '--bogus'/);
    expect(error.message).toMatch(/\nSee 'stagecraft demo --help'\.$/);
  });

  it('refuses a flag without its value', () => {
    expect(usageError(['--count']).message).toMatch(/Option '--count <value>' argument missing/);
  });

  it('refuses more positionals than the spec takes', () => {
    expect(usageError(['one', 'two']).message).toMatch(
      /^Unexpected argument 'two' \(usage: stagecraft demo \[NAME\] \[--count N\]\)/,
    );
  });

  it('treats -- as a positional marker when the command passes nothing through', () => {
    const closed = { ...SPEC, passThrough: false, positionals: 0 };
    expect(usageError(['--', 'x'], closed).message).toMatch(/^Unexpected argument 'x'/);
  });

  it('does not parse a display-only row as a flag', () => {
    expect(usageError(['--ARGS…']).message).toMatch(/Unknown option/);
  });
});

describe('asksForJson', () => {
  it('sees --json before --, not after', () => {
    expect(asksForJson(['--target', 'aws', '--json'])).toBe(true);
    expect(asksForJson(['--target', 'aws', '--', '--json'])).toBe(false);
    expect(asksForJson([])).toBe(false);
  });
});
