// End to end through bin/stagecraft in a child process, with HOME pointed at a temporary
// directory (the real ~/.ssh is never touched).
import { spawn } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = new URL('../../bin/stagecraft', import.meta.url).pathname;
const fixture = new URL('../fixtures/ssh/describe-instances.json', import.meta.url).pathname;

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'stagecraft-ssh-e2e-'));
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

function stagecraft(args: string[], options: { home: string; stdin?: string }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(bin, ['ssh-config', ...args], {
      env: { ...process.env, HOME: options.home },
      cwd: options.home,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

const expectedBlock = [
  '### STAGECRAFT BEGIN ###',
  '# i-0a00000000000win1 (windows)',
  'Host ad-controller',
  '  HostName 10.0.4.60',
  '',
  '# i-0a000000000000bat',
  'Host batch-1-nightly',
  '  HostName 10.0.2.30',
  '',
  '# i-0a0000000000000db',
  'Host db-master',
  '  HostName 10.0.2.20',
  '',
  '# i-0a00000000000web2',
  'Host web',
  '  HostName 10.0.1.11',
  '',
  '# i-0a00000000000web1',
  'Host web-2',
  '  HostName 10.0.1.10',
  '### STAGECRAFT END ###',
];

describe('bin/stagecraft ssh-config', () => {
  it('creates ~/.ssh (0700) and config (0600), then a second run leaves it byte-identical', async () => {
    const dir = join(home, 'fresh');
    mkdirSync(dir);
    const first = await stagecraft(['--from-json', fixture], { home: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain(`wrote 5 hosts to ${join(dir, '.ssh', 'config')}`);
    expect(first.stderr).toContain('including 1 Windows host (ssh needs OpenSSH Server');
    expect(first.stderr).toContain(
      'without a Name tag (--fallback-id names them by instance id): i-0a00000000000notag',
    );
    expect(first.stderr).not.toContain('i-0a00000000000win1');
    const config = join(dir, '.ssh', 'config');
    expect(statSync(join(dir, '.ssh')).mode & 0o777).toBe(0o700);
    expect(statSync(config).mode & 0o777).toBe(0o600);
    const written = readFileSync(config);
    expect(written.toString()).toBe(expectedBlock.join('\n') + '\n');

    const second = await stagecraft(['--from-json', fixture], { home: dir });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/is up to date/);
    expect(readFileSync(config).equals(written)).toBe(true);
  });

  it('replaces the block in a symlinked CRLF config read from stdin, keeping every other byte', async () => {
    const dir = join(home, 'crlf');
    mkdirSync(join(dir, 'dotfiles'), { recursive: true });
    mkdirSync(join(dir, '.ssh'));
    const head = 'Host own\r\n  User me\r\n\r\n';
    const tail = '\r\nHost *\r\n  ServerAliveInterval 60'; // no final line break
    const target = join(dir, 'dotfiles', 'ssh_config');
    writeFileSync(
      target,
      `${head}### STAGECRAFT BEGIN ###\r\nHost stale\r\n### STAGECRAFT END ###${tail}`,
    );
    symlinkSync(target, join(dir, '.ssh', 'config'));

    const result = await stagecraft(['--from-json', '-'], {
      home: dir,
      stdin: readFileSync(fixture, 'utf8'),
    });
    expect(result.code).toBe(0);
    expect(lstatSync(join(dir, '.ssh', 'config')).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(`${head}${expectedBlock.join('\r\n')}${tail}`);
    expect(readdirSync(join(dir, 'dotfiles'))).toEqual(['ssh_config']);
  });

  it('--dry-run prints the diff and writes nothing; --json prints the hosts', async () => {
    const dir = join(home, 'dry');
    mkdirSync(join(dir, '.ssh'), { recursive: true });
    writeFileSync(join(dir, '.ssh', 'config'), 'Host own\n');
    const dry = await stagecraft(['--from-json', fixture, '--dry-run'], { home: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /^--- .*\n\+\+\+ .*\n@@ -1 \+1,22 @@\n Host own\n\+### STAGECRAFT BEGIN ###\n/,
    );
    expect(readFileSync(join(dir, '.ssh', 'config'), 'utf8')).toBe('Host own\n');

    const json = await stagecraft(['--from-json', fixture, '--json', '--dry-run'], { home: dir });
    expect(JSON.parse(json.stdout).map((h: { host: string }) => h.host)).toEqual([
      'ad-controller',
      'batch-1-nightly',
      'db-master',
      'web',
      'web-2',
    ]);
  });

  it('exits 1 for invalid input and malformed markers, 2 for a bad command line; nothing written', async () => {
    const dir = join(home, 'errors');
    mkdirSync(join(dir, '.ssh'), { recursive: true });
    const config = join(dir, '.ssh', 'config');
    const before = 'Host own\n### STAGECRAFT END ###\n### STAGECRAFT BEGIN ###\n';
    writeFileSync(config, before);

    const invalid = await stagecraft(['--from-json', '-'], {
      home: dir,
      stdin: '{"Reservations": [}',
    });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^stagecraft ssh-config: standard input is not valid JSON/);

    const markers = await stagecraft(['--from-json', fixture], { home: dir });
    expect(markers.code).toBe(1);
    expect(markers.stderr).toMatch(/comes before "### STAGECRAFT BEGIN ###" \(line 3\)/);

    const usage = await stagecraft(['--address', 'ipv6'], { home: dir });
    expect(usage.code).toBe(2);

    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(readdirSync(join(dir, '.ssh'))).toEqual(['config']);
  });
});
