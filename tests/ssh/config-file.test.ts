import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readConfigFile, writeConfigFile } from '../../src/ssh/config-file.ts';
import { SshConfigError } from '../../src/ssh/errors.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-ssh-file-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

describe('readConfigFile', () => {
  it('returns no content for a missing file', async () => {
    const file = await readConfigFile(join(dir, 'config'));
    expect(file).toMatchObject({
      target: join(dir, 'config'),
      content: undefined,
      stats: undefined,
    });
  });

  it('follows symlinks, relative and chained, to the real file', async () => {
    mkdirSync(join(dir, 'dotfiles'));
    writeFileSync(join(dir, 'dotfiles', 'ssh_config'), 'Host a\n');
    symlinkSync('dotfiles/ssh_config', join(dir, 'middle'));
    symlinkSync(join(dir, 'middle'), join(dir, 'config'));
    const file = await readConfigFile(join(dir, 'config'));
    expect(file.target).toBe(join(dir, 'dotfiles', 'ssh_config'));
    expect(file.content?.toString()).toBe('Host a\n');
  });

  it('refuses a symlink loop and an unreadable path with config.io errors', async () => {
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    await expect(readConfigFile(join(dir, 'a'))).rejects.toMatchObject({
      code: 'config.io',
      message: expect.stringMatching(/more than 40 symbolic links/),
    });
    mkdirSync(join(dir, 'adir'));
    await expect(readConfigFile(join(dir, 'adir'))).rejects.toMatchObject({
      code: 'config.io',
      message: expect.stringMatching(/^cannot read .*adir: EISDIR/),
    });
  });
});

describe('writeConfigFile', () => {
  it('replaces the file through a rename, leaving no temporary file behind', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, 'old\n');
    const inodeBefore = statSync(path).ino;
    await writeConfigFile(await readConfigFile(path), Buffer.from('new\n'));
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    // A new inode: the old file was never truncated in place, so no reader saw half of it.
    expect(statSync(path).ino).not.toBe(inodeBefore);
    expect(readdirSync(dir)).toEqual(['config']);
  });

  it('keeps the existing mode even under a restrictive umask', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, 'old\n');
    chmodSync(path, 0o644);
    const umask = process.umask(0o077);
    try {
      await writeConfigFile(await readConfigFile(path), Buffer.from('new\n'));
    } finally {
      process.umask(umask);
    }
    expect(mode(path)).toBe(0o644);
  });

  it('creates a missing ~/.ssh with mode 0700 and the file with mode 0600', async () => {
    const path = join(dir, 'home', '.ssh', 'config');
    const umask = process.umask(0o000);
    try {
      await writeConfigFile(await readConfigFile(path), Buffer.from('x\n'));
    } finally {
      process.umask(umask);
    }
    expect(mode(join(dir, 'home'))).toBe(0o700);
    expect(mode(join(dir, 'home', '.ssh'))).toBe(0o700);
    expect(mode(path)).toBe(0o600);
  });

  it('leaves an existing directory mode alone', async () => {
    mkdirSync(join(dir, '.ssh'), { mode: 0o755 });
    chmodSync(join(dir, '.ssh'), 0o755);
    await writeConfigFile(await readConfigFile(join(dir, '.ssh', 'config')), Buffer.from('x\n'));
    expect(mode(join(dir, '.ssh'))).toBe(0o755);
  });

  it('writes through a symlink: the link stays a link, the target gets the content', async () => {
    mkdirSync(join(dir, 'dotfiles'));
    const target = join(dir, 'dotfiles', 'ssh_config');
    writeFileSync(target, 'old\n');
    chmodSync(target, 0o640);
    symlinkSync('dotfiles/ssh_config', join(dir, 'config'));
    await writeConfigFile(await readConfigFile(join(dir, 'config')), Buffer.from('new\n'));
    expect(lstatSync(join(dir, 'config')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'config'))).toBe('dotfiles/ssh_config');
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(mode(target)).toBe(0o640);
    // The temporary file lived next to the target (same file system), and is gone.
    expect(readdirSync(join(dir, 'dotfiles'))).toEqual(['ssh_config']);
  });

  it('creates the target of a dangling symlink', async () => {
    symlinkSync('real_config', join(dir, 'config'));
    await writeConfigFile(await readConfigFile(join(dir, 'config')), Buffer.from('x\n'));
    expect(readFileSync(join(dir, 'real_config'), 'utf8')).toBe('x\n');
    expect(lstatSync(join(dir, 'config')).isSymbolicLink()).toBe(true);
  });

  it('keeps the previous content as PATH.bak with the same mode when asked', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, 'old\n');
    chmodSync(path, 0o600);
    const backup = await writeConfigFile(await readConfigFile(path), Buffer.from('new\n'), {
      backup: true,
    });
    expect(backup).toBe(`${path}.bak`);
    expect(readFileSync(`${path}.bak`, 'utf8')).toBe('old\n');
    expect(mode(`${path}.bak`)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('new\n');
  });

  it('writes no backup for a file that did not exist', async () => {
    const path = join(dir, 'config');
    const backup = await writeConfigFile(await readConfigFile(path), Buffer.from('x\n'), {
      backup: true,
    });
    expect(backup).toBeUndefined();
    expect(readdirSync(dir)).toEqual(['config']);
  });

  it('fails with config.io and cleans up when the rename cannot happen', async () => {
    const path = join(dir, 'config');
    const file = await readConfigFile(path);
    mkdirSync(path); // appears between read and write: the rename onto it fails
    writeFileSync(join(path, 'inside'), '');
    const error = await writeConfigFile(file, Buffer.from('x\n')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshConfigError);
    expect(error).toMatchObject({
      code: 'config.io',
      message: expect.stringMatching(/^cannot write /),
    });
    expect(readdirSync(dir)).toEqual(['config']);
  });

  it.runIf(process.getuid?.() === 0)('keeps the owner when run as root', async () => {
    const path = join(dir, 'config');
    writeFileSync(path, 'old\n');
    chownSync(path, 1234, 5678);
    await writeConfigFile(await readConfigFile(path), Buffer.from('new\n'));
    expect(statSync(path)).toMatchObject({ uid: 1234, gid: 5678 });
  });
});
