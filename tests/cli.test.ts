import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = new URL('../bin/stagecraft', import.meta.url).pathname;

async function stagecraft(...args: string[]) {
  try {
    const { stdout, stderr } = await run(bin, args);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('bin/stagecraft', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const result = await stagecraft('--version');
    expect(result).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('prints usage on --help and exits 0', async () => {
    const result = await stagecraft('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: stagecraft <command>/);
  });

  it('refuses an unknown command with exit code 2', async () => {
    const result = await stagecraft('no-such-command');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'no-such-command'");
  });
});
