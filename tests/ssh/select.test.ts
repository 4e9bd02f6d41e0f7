import { describe, expect, it } from 'vitest';
import { hostNameKey, isIPv4, sanitizeHostName } from '../../src/ssh/names.ts';
import { selectHosts } from '../../src/ssh/select.ts';
import type { SelectOptions } from '../../src/ssh/select.ts';
import { ec2Instance } from './helpers.ts';

const defaults: SelectOptions = {
  address: 'private',
  includeStopped: false,
  fallbackId: false,
  prefix: '',
};

const at = (iso: string) => Date.parse(iso);

describe('sanitizeHostName', () => {
  it.each([
    ['web', 'web'],
    ['db master', 'db-master'],
    ['  db \t\n master  ', 'db-master'],
    ['a\u00a0b\u3000c', 'a-b-c'],
    ['batch #1, nightly*', 'batch-1-nightly'],
    ['what?!', 'what'],
    ['say "hi"', 'say-hi'],
    ['back\\slash', 'backslash'],
    ['bell\u0007 and\u0000nul\u007f\u0085', 'bell-andnul'],
    ['a * b', 'a-b'],
    ['ウェブ サーバー', 'ウェブ-サーバー'],
    ['web-01.example', 'web-01.example'],
    ['***', ''],
    ['   ', ''],
  ])('%j → %j', (raw, safe) => {
    expect(sanitizeHostName(raw)).toBe(safe);
  });
});

describe('isIPv4 and hostNameKey', () => {
  it.each(['10.0.0.1', '0.0.0.0', '255.255.255.255', '172.31.9.200'])('accepts %s', (ip) => {
    expect(isIPv4(ip)).toBe(true);
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.256',
    '10.0.0.01',
    '10.0.0.1 ',
    'fe80::1',
    'ip-10-0-0-1',
    '1.2.3.4.5',
  ])('rejects %j', (ip) => {
    expect(isIPv4(ip)).toBe(false);
  });

  it('folds ASCII case only, as OpenSSH matches host names', () => {
    expect(hostNameKey('Web-ÄB')).toBe('web-Äb');
  });
});

describe('selectHosts', () => {
  it('writes running instances with an address and a Name, sorted by name (numbers in order)', () => {
    const { hosts, skipped, renamed } = selectHosts(
      [
        ec2Instance({ instanceId: 'i-3', name: 'web-10', privateIp: '10.0.0.3' }),
        ec2Instance({ instanceId: 'i-1', name: 'web-2', privateIp: '10.0.0.1' }),
        ec2Instance({ instanceId: 'i-2', name: 'Api', privateIp: '10.0.0.2' }),
        ec2Instance({ instanceId: 'i-4', name: 'db', privateIp: '10.0.0.4' }),
      ],
      defaults,
    );
    expect(hosts).toEqual([
      { name: 'Api', address: '10.0.0.2', instanceId: 'i-2' },
      { name: 'db', address: '10.0.0.4', instanceId: 'i-4' },
      { name: 'web-2', address: '10.0.0.1', instanceId: 'i-1' },
      { name: 'web-10', address: '10.0.0.3', instanceId: 'i-3' },
    ]);
    expect(skipped).toEqual([]);
    expect(renamed).toEqual([]);
  });

  it('uses the public address with address: public, skipping instances without one', () => {
    const { hosts, skipped } = selectHosts(
      [
        ec2Instance({ instanceId: 'i-1', name: 'a', privateIp: '10.0.0.1', publicIp: '54.1.2.3' }),
        ec2Instance({ instanceId: 'i-2', name: 'b', privateIp: '10.0.0.2' }),
      ],
      { ...defaults, address: 'public' },
    );
    expect(hosts).toEqual([{ name: 'a', address: '54.1.2.3', instanceId: 'i-1' }]);
    expect(skipped).toEqual([{ instanceId: 'i-2', reason: 'no-address', detail: 'public' }]);
  });

  it('skips what cannot be written, each with its reason, in input order', () => {
    const { hosts, skipped } = selectHosts(
      [
        ec2Instance({ instanceId: 'i-stopped', name: 's', state: 'stopped', privateIp: undefined }),
        ec2Instance({ instanceId: 'i-noaddr', name: 'n', privateIp: undefined }),
        ec2Instance({ instanceId: 'i-emptyaddr', name: 'n', privateIp: '' }),
        ec2Instance({ instanceId: 'i-badaddr', name: 'n', privateIp: '10.0.0.999' }),
        ec2Instance({ instanceId: 'i-untagged', name: undefined }),
        ec2Instance({ instanceId: 'i-blank', name: '  ' }),
        ec2Instance({ instanceId: 'i-stars', name: '*?*' }),
        ec2Instance({ instanceId: 'i-ok', name: 'ok' }),
        ec2Instance({ instanceId: 'i-ok', name: 'ok again' }),
      ],
      defaults,
    );
    expect(hosts.map((h) => h.instanceId)).toEqual(['i-ok']);
    expect(skipped).toEqual([
      { instanceId: 'i-stopped', reason: 'not-running', detail: 'stopped' },
      { instanceId: 'i-noaddr', reason: 'no-address', detail: 'private' },
      { instanceId: 'i-emptyaddr', reason: 'no-address', detail: 'private' },
      { instanceId: 'i-badaddr', reason: 'invalid-address', detail: '10.0.0.999' },
      { instanceId: 'i-untagged', reason: 'no-name' },
      { instanceId: 'i-blank', reason: 'no-name' },
      { instanceId: 'i-stars', reason: 'empty-name', detail: '*?*' },
      { instanceId: 'i-ok', reason: 'duplicate-instance' },
    ]);
  });

  it('writes Windows instances like any other, marked as Windows; skips them for the same reasons', () => {
    const { hosts, skipped } = selectHosts(
      [
        ec2Instance({
          instanceId: 'i-win',
          name: 'ad',
          platform: 'windows',
          privateIp: '10.0.4.60',
        }),
        ec2Instance({
          instanceId: 'i-WIN',
          name: 'rdp',
          platform: 'Windows',
          privateIp: '10.0.4.61',
        }),
        ec2Instance({ instanceId: 'i-linux', name: 'web', privateIp: '10.0.1.10' }),
        // Other Platform values are not ours to write anywhere.
        ec2Instance({ instanceId: 'i-odd', name: 'odd', platform: 'x\nHost *' }),
        ec2Instance({
          instanceId: 'i-win-noaddr',
          name: 'w',
          platform: 'windows',
          privateIp: undefined,
        }),
        ec2Instance({ instanceId: 'i-win-untagged', name: undefined, platform: 'windows' }),
      ],
      defaults,
    );
    expect(hosts).toEqual([
      { name: 'ad', address: '10.0.4.60', instanceId: 'i-win', platform: 'windows' },
      { name: 'odd', address: '10.0.0.1', instanceId: 'i-odd' },
      { name: 'rdp', address: '10.0.4.61', instanceId: 'i-WIN', platform: 'windows' },
      { name: 'web', address: '10.0.1.10', instanceId: 'i-linux' },
    ]);
    expect(skipped).toEqual([
      { instanceId: 'i-win-noaddr', reason: 'no-address', detail: 'private' },
      { instanceId: 'i-win-untagged', reason: 'no-name' },
    ]);
  });

  it('writes only running instances unless includeStopped; never shutting-down or terminated', () => {
    const instances = [
      'running',
      'pending',
      'stopping',
      'stopped',
      'shutting-down',
      'terminated',
    ].map((state, i) =>
      ec2Instance({ instanceId: `i-${state}`, name: state, state, privateIp: `10.0.0.${i}` }),
    );
    expect(selectHosts(instances, defaults).hosts.map((h) => h.name)).toEqual(['running']);
    expect(
      selectHosts(instances, { ...defaults, includeStopped: true }).hosts.map((h) => h.name),
    ).toEqual(['pending', 'running', 'stopped', 'stopping']);
    // A hand-written document without State is taken as running.
    const stateless = ec2Instance({ instanceId: 'i-x', name: 'x', state: undefined });
    expect(selectHosts([stateless], defaults).hosts).toHaveLength(1);
  });

  it('names untagged, blank and unusable names by instance id with fallbackId', () => {
    const { hosts, skipped } = selectHosts(
      [
        ec2Instance({ instanceId: 'i-untagged', name: undefined, privateIp: '10.0.0.1' }),
        ec2Instance({ instanceId: 'i-blank', name: '', privateIp: '10.0.0.2' }),
        ec2Instance({ instanceId: 'i-stars', name: '**', privateIp: '10.0.0.3' }),
      ],
      { ...defaults, fallbackId: true },
    );
    expect(hosts.map((h) => h.name)).toEqual(['i-blank', 'i-stars', 'i-untagged']);
    expect(skipped).toEqual([]);
  });

  it('prepends the prefix', () => {
    const { hosts } = selectHosts(
      [ec2Instance({ instanceId: 'i-1', name: 'web' }), ec2Instance({ instanceId: 'i-2' })],
      { ...defaults, prefix: 'prod-', fallbackId: true },
    );
    expect(hosts.map((h) => h.name)).toEqual(['prod-i-2', 'prod-web']);
  });

  it('keeps a duplicate name for the earliest launch and numbers the later ones', () => {
    const { hosts, renamed } = selectHosts(
      [
        ec2Instance({
          instanceId: 'i-c',
          name: 'web',
          launchTime: at('2016-07-03T00:00:00Z'),
          privateIp: '10.0.0.3',
        }),
        ec2Instance({
          instanceId: 'i-a',
          name: 'web',
          launchTime: at('2016-07-01T00:00:00Z'),
          privateIp: '10.0.0.1',
        }),
        ec2Instance({
          instanceId: 'i-b',
          name: 'web',
          launchTime: at('2016-07-02T00:00:00Z'),
          privateIp: '10.0.0.2',
        }),
      ],
      defaults,
    );
    expect(hosts.map((h) => [h.name, h.instanceId])).toEqual([
      ['web', 'i-a'],
      ['web-2', 'i-b'],
      ['web-3', 'i-c'],
    ]);
    expect(renamed).toEqual([
      { instanceId: 'i-b', from: 'web', to: 'web-2' },
      { instanceId: 'i-c', from: 'web', to: 'web-3' },
    ]);
  });

  it('breaks LaunchTime ties by InstanceId, and puts instances without LaunchTime last', () => {
    const same = at('2016-07-01T00:00:00Z');
    const { hosts } = selectHosts(
      [
        ec2Instance({ instanceId: 'i-none', name: 'db' }),
        ec2Instance({ instanceId: 'i-2', name: 'db', launchTime: same }),
        ec2Instance({ instanceId: 'i-1', name: 'db', launchTime: same }),
      ],
      defaults,
    );
    expect(hosts.map((h) => [h.name, h.instanceId])).toEqual([
      ['db', 'i-1'],
      ['db-2', 'i-2'],
      ['db-3', 'i-none'],
    ]);
  });

  it('treats names differing only in case as duplicates, because ssh does', () => {
    const { hosts } = selectHosts(
      [
        ec2Instance({ instanceId: 'i-1', name: 'web', launchTime: 1 }),
        ec2Instance({ instanceId: 'i-2', name: 'WEB', launchTime: 2 }),
      ],
      defaults,
    );
    expect(hosts.map((h) => h.name)).toEqual(['web', 'WEB-2']);
  });

  it('never renames onto a name an instance really has', () => {
    const { hosts, renamed } = selectHosts(
      [
        ec2Instance({ instanceId: 'i-1', name: 'web', launchTime: 1 }),
        ec2Instance({ instanceId: 'i-2', name: 'web', launchTime: 2 }),
        ec2Instance({ instanceId: 'i-3', name: 'web-2', launchTime: 3 }),
        ec2Instance({ instanceId: 'i-4', name: 'web', launchTime: 4 }),
      ],
      defaults,
    );
    expect(hosts.map((h) => [h.name, h.instanceId])).toEqual([
      ['web', 'i-1'],
      ['web-2', 'i-3'],
      ['web-3', 'i-2'],
      ['web-4', 'i-4'],
    ]);
    expect(renamed.map((r) => r.to)).toEqual(['web-3', 'web-4']);
  });

  it('detects duplicates after sanitising and prefixing', () => {
    const { hosts } = selectHosts(
      [
        ec2Instance({ instanceId: 'i-1', name: 'db master', launchTime: 1 }),
        ec2Instance({ instanceId: 'i-2', name: 'db  master!', launchTime: 2 }),
      ],
      { ...defaults, prefix: 'p-' },
    );
    expect(hosts.map((h) => h.name)).toEqual(['p-db-master', 'p-db-master-2']);
  });
});
