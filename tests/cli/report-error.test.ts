// The one error mapper: every StagecraftError the same way, JSON on request, bugs rethrown.
import { describe, expect, it } from 'vitest';
import { ReportedFailure, UsageError } from '../../src/cli/errors.ts';
import { errorPrefix, reportError } from '../../src/cli/report-error.ts';
import { ReleaseError, StagecraftError } from '../../src/errors.ts';
import { SshConfigError } from '../../src/ssh/errors.ts';
import { streams } from './capture.ts';

function report(error: unknown, path: string[], json: boolean) {
  const io = streams();
  const code = reportError(io, error, { path, json });
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('reportError', () => {
  it('prints the message after the command and exits 1', () => {
    const error = new ReleaseError('lock.busy', 'another release command holds the lock');
    expect(report(error, ['release', 'promote'], false)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'stagecraft release: promote: another release command holds the lock\n',
    });
  });

  it('exits 2 for a usage error', () => {
    expect(report(new UsageError('--port must be a number'), ['dev'], false)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'stagecraft dev: --port must be a number\n',
    });
  });

  it('with --json also prints {"error":{"code","message"}} on stdout', () => {
    const result = report(new SshConfigError('input.json', 'x is not JSON'), ['ssh-config'], true);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'input.json', message: 'x is not JSON' },
    });
    expect(result.stderr).toBe('stagecraft ssh-config: x is not JSON\n');
  });

  it('prints no error object for a failure whose result is already on stdout', () => {
    const failure = new ReportedFailure('1 of 9 checks failed', 'verify.failed');
    expect(report(failure, ['release', 'verify'], true)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'stagecraft release: verify: 1 of 9 checks failed\n',
    });
  });

  it('rethrows anything that is not a StagecraftError, printing nothing', () => {
    const io = streams();
    const bug = new TypeError('x is undefined');
    expect(() => reportError(io, bug, { path: ['deploy'], json: true })).toThrow(bug);
    expect(io.out() + io.err()).toBe('');
  });

  it('names the command path as the messages always have', () => {
    expect(errorPrefix([])).toBe('stagecraft');
    expect(errorPrefix(['deploy'])).toBe('stagecraft deploy');
    expect(errorPrefix(['release', 'status'])).toBe('stagecraft release: status');
  });

  it('maps every code the same way, whatever the class', () => {
    const error = new StagecraftError('some.code', 'message');
    expect(report(error, ['dev'], true)).toMatchObject({
      code: 1,
      stdout: `${JSON.stringify({ error: { code: 'some.code', message: 'message' } }, null, 2)}\n`,
    });
  });
});
