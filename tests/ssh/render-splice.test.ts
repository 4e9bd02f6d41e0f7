import { describe, expect, it } from 'vitest';
import { SshConfigError } from '../../src/ssh/errors.ts';
import {
  hostsAsJson,
  markerNameProblem,
  markersFor,
  optionValueProblem,
  renderBlock,
} from '../../src/ssh/render.ts';
import { findBlock, lineEnding, spliceBlock } from '../../src/ssh/splice.ts';

const markers = markersFor('EXAMPLE');
const hosts = [
  { name: 'db', address: '10.0.0.2', instanceId: 'i-2' },
  { name: 'web', address: '10.0.0.1', instanceId: 'i-1' },
];
const block = ['### EXAMPLE BEGIN ###', 'Host a', '  HostName 10.0.0.9', '### EXAMPLE END ###'];

describe('renderBlock', () => {
  it('writes each host with its instance id comment between the markers', () => {
    expect(renderBlock(markers, hosts, {})).toEqual([
      '### EXAMPLE BEGIN ###',
      '# i-2',
      'Host db',
      '  HostName 10.0.0.2',
      '',
      '# i-1',
      'Host web',
      '  HostName 10.0.0.1',
      '### EXAMPLE END ###',
    ]);
  });

  it('adds User, IdentityFile and ProxyJump to every host, quoting values with spaces', () => {
    const lines = renderBlock(markers, hosts.slice(0, 1), {
      user: 'ec2-user',
      identityFile: '~/My Keys/prod.pem',
      proxyJump: 'admin@bastion:2222',
    });
    expect(lines.slice(1, -1)).toEqual([
      '# i-2',
      'Host db',
      '  HostName 10.0.0.2',
      '  User ec2-user',
      '  IdentityFile "~/My Keys/prod.pem"',
      '  ProxyJump admin@bastion:2222',
    ]);
  });

  it('notes the platform of Windows hosts in the comment line and in --json', () => {
    const web = { name: 'web', address: '10.0.0.1', instanceId: 'i-1' };
    const windows = {
      name: 'ad',
      address: '10.0.4.60',
      instanceId: 'i-w',
      platform: 'windows' as const,
    };
    expect(renderBlock(markers, [windows, web], {}).slice(1, -1)).toEqual([
      '# i-w (windows)',
      'Host ad',
      '  HostName 10.0.4.60',
      '',
      '# i-1',
      'Host web',
      '  HostName 10.0.0.1',
    ]);
    expect(hostsAsJson([windows, web], {})).toEqual([
      { host: 'ad', hostName: '10.0.4.60', instanceId: 'i-w', platform: 'windows' },
      { host: 'web', hostName: '10.0.0.1', instanceId: 'i-1' },
    ]);
  });

  it('renders an empty block when there are no hosts', () => {
    expect(renderBlock(markers, [], {})).toEqual([markers.begin, markers.end]);
  });

  it('gives --json the same hosts, fields named after the ssh keywords', () => {
    expect(hostsAsJson(hosts, { user: 'u' })).toEqual([
      { host: 'db', hostName: '10.0.0.2', instanceId: 'i-2', user: 'u' },
      { host: 'web', hostName: '10.0.0.1', instanceId: 'i-1', user: 'u' },
    ]);
  });

  it('refuses marker names and option values that would break the file', () => {
    expect(markerNameProblem('STAGECRAFT')).toBeUndefined();
    expect(markerNameProblem('my-team.v2')).toBeUndefined();
    for (const bad of ['', 'TWO WORDS', 'A###', '-dash', 'new\nline']) {
      expect(markerNameProblem(bad)).toMatch(/must be letters, digits/);
    }
    expect(optionValueProblem('~/.ssh/id ed25519')).toBeUndefined();
    expect(optionValueProblem('')).toBe('must not be empty');
    expect(optionValueProblem('a\nHost *')).toMatch(/line breaks/);
    expect(optionValueProblem('say "x"')).toMatch(/must not contain '"'/);
  });
});

function refusal(text: string): string {
  try {
    findBlock(text, markers, 'config');
  } catch (error) {
    if (error instanceof SshConfigError && error.code === 'config.markers') return error.message;
    throw error;
  }
  throw new Error('expected the markers to be refused');
}

describe('spliceBlock', () => {
  it('replaces the block in place, keeping everything around it byte for byte', () => {
    const before =
      'Host own\n  User me\n\n### EXAMPLE BEGIN ###\nHost old\n### EXAMPLE END ###\n# tail\n';
    expect(spliceBlock(before, block, markers, 'config')).toBe(
      'Host own\n  User me\n\n' + block.join('\n') + '\n# tail\n',
    );
  });

  it('keeps CRLF files CRLF', () => {
    const before =
      'Host own\r\n### EXAMPLE BEGIN ###\r\nHost old\r\n### EXAMPLE END ###\r\nHost z\r\n';
    expect(spliceBlock(before, block, markers, 'config')).toBe(
      'Host own\r\n' + block.join('\r\n') + '\r\nHost z\r\n',
    );
    expect(spliceBlock('Host own\r\n', block, markers, 'config')).toBe(
      'Host own\r\n' + block.join('\r\n') + '\r\n',
    );
  });

  it('appends when there is no block, adding a line break only if the file lacks one', () => {
    expect(spliceBlock('Host own\n', block, markers, 'config')).toBe(
      'Host own\n' + block.join('\n') + '\n',
    );
    expect(spliceBlock('Host own', block, markers, 'config')).toBe(
      'Host own\n' + block.join('\n') + '\n',
    );
    expect(spliceBlock('', block, markers, 'config')).toBe(block.join('\n') + '\n');
  });

  it('keeps a final END line without line break as it was', () => {
    const before = 'Host own\n### EXAMPLE BEGIN ###\n### EXAMPLE END ###';
    expect(spliceBlock(before, block, markers, 'config')).toBe('Host own\n' + block.join('\n'));
  });

  it('is idempotent: splicing the same block again changes nothing', () => {
    for (const start of [
      '',
      'Host own',
      'Host own\r\n',
      '# x\n### EXAMPLE BEGIN ###\n### EXAMPLE END ###',
    ]) {
      const once = spliceBlock(start, block, markers, 'config');
      expect(spliceBlock(once, block, markers, 'config')).toBe(once);
    }
  });

  it('recognises indented marker lines and leaves blocks with other names alone', () => {
    const other = '### OTHER BEGIN ###\nHost keep\n### OTHER END ###\n';
    const before = other + '  ### EXAMPLE BEGIN ###  \nHost old\n### EXAMPLE END ###\n';
    expect(spliceBlock(before, block, markers, 'config')).toBe(other + block.join('\n') + '\n');
  });

  it('copies bytes outside the block exactly, even when they are not UTF-8', () => {
    // One character per byte (latin1), as the command reads the file.
    const before =
      '\xef\xbb\xbf# caf\xe9 \xff\xfe\n### EXAMPLE BEGIN ###\n### EXAMPLE END ###\n\xc3\x28\n';
    const after = spliceBlock(before, block, markers, 'config');
    expect(after.startsWith('\xef\xbb\xbf# caf\xe9 \xff\xfe\n')).toBe(true);
    expect(after.endsWith('### EXAMPLE END ###\n\xc3\x28\n')).toBe(true);
  });

  it.each([
    [
      'two BEGIN markers',
      '### EXAMPLE BEGIN ###\n### EXAMPLE BEGIN ###\n### EXAMPLE END ###\n',
      'config: "### EXAMPLE BEGIN ###" appears 2 times (lines 1, 2)',
    ],
    [
      'two END markers',
      '### EXAMPLE BEGIN ###\n### EXAMPLE END ###\n### EXAMPLE END ###\n',
      'config: "### EXAMPLE END ###" appears 2 times (lines 2, 3)',
    ],
    [
      'END before BEGIN',
      'Host a\n### EXAMPLE END ###\n### EXAMPLE BEGIN ###\n',
      'config: "### EXAMPLE END ###" (line 2) comes before "### EXAMPLE BEGIN ###" (line 3)',
    ],
    [
      'BEGIN without END',
      'Host a\n### EXAMPLE BEGIN ###\nHost b\n',
      'config: "### EXAMPLE BEGIN ###" on line 2 has no "### EXAMPLE END ###" after it',
    ],
    [
      'END without BEGIN',
      '### EXAMPLE END ###\n',
      'config: "### EXAMPLE END ###" on line 1 has no "### EXAMPLE BEGIN ###" before it',
    ],
  ])('refuses %s, saying where', (_, text, problem) => {
    expect(refusal(text)).toBe(
      `${problem}; the file was left unchanged. Fix the markers by hand (or use --marker NAME for a separate block).`,
    );
  });

  it('judges the line ending by the first line break', () => {
    expect(lineEnding('a\r\nb\n')).toBe('\r\n');
    expect(lineEnding('a\nb\r\n')).toBe('\n');
    expect(lineEnding('no break')).toBe('\n');
    expect(lineEnding('\n')).toBe('\n');
  });
});
