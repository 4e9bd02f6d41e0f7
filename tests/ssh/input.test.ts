import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SshConfigError } from '../../src/ssh/errors.ts';
import { instancesFromDocuments } from '../../src/ssh/instances.ts';
import { parseJsonDocuments } from '../../src/ssh/parse-input.ts';
import { describeInstances, instanceJson } from './helpers.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/ssh/${name}`, import.meta.url), 'utf8');

function read(text: string) {
  return instancesFromDocuments(parseJsonDocuments(text, 'input.json'));
}

function errorOf(fn: () => unknown): SshConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SshConfigError) return error;
    throw error;
  }
  throw new Error('expected an SshConfigError');
}

describe('parseJsonDocuments', () => {
  it('reads one describe-instances document', () => {
    const documents = parseJsonDocuments(fixture('describe-instances.json'), 'f');
    expect(documents).toHaveLength(1);
    expect(documents[0]?.label).toBe('document 1 (line 1)');
  });

  it('reads concatenated documents, with or without whitespace between them', () => {
    const a = JSON.stringify(describeInstances([{ id: 'i-a', name: 'a' }]), null, 2);
    const b = JSON.stringify(describeInstances([{ id: 'i-b', name: 'b' }]));
    const c = JSON.stringify(describeInstances([{ id: 'i-c', name: 'c' }]));
    const documents = parseJsonDocuments(`${a}\n${b}${c}\n`, 'f');
    expect(documents.map((d) => d.label)).toEqual([
      'document 1 (line 1)',
      `document 2 (line ${a.split('\n').length + 1})`,
      `document 3 (line ${a.split('\n').length + 1})`,
    ]);
    expect(read(`${a}\n${b}${c}\n`).map((i) => i.instanceId)).toEqual(['i-a', 'i-b', 'i-c']);
  });

  it('reads an array of documents', () => {
    const text = JSON.stringify([
      describeInstances([{ id: 'i-a', name: 'a' }]),
      describeInstances([{ id: 'i-b', name: 'b' }]),
    ]);
    expect(read(text).map((i) => i.instanceId)).toEqual(['i-a', 'i-b']);
  });

  it('does not split on brackets inside strings', () => {
    const doc = describeInstances([{ id: 'i-a', name: 'a } { [ "quoted" \\' }]);
    const text = JSON.stringify(doc) + JSON.stringify(doc);
    expect(read(text).map((i) => i.name)).toEqual(['a } { [ "quoted" \\', 'a } { [ "quoted" \\']);
  });

  it('ignores a UTF-8 byte order mark', () => {
    const text = '\ufeff' + JSON.stringify(describeInstances([{ id: 'i-a', name: 'a' }]));
    expect(read(text)).toHaveLength(1);
  });

  it.each([
    [
      'empty input',
      '',
      /input\.json is empty; expected the JSON output of 'aws ec2 describe-instances'/,
    ],
    ['whitespace only', ' \n\t', /input\.json is empty/],
    ['an empty array', '[]', /holds an empty array/],
    ['a syntax error', '{"Reservations": [}', /not valid JSON: .*line 1/],
    ['a truncated document', '{"Reservations": [', /document 1 starting at line 1 is cut off/],
    ['text after a document', '{"Reservations": []}\nhello', /unexpected 'h' at line 2 column 1/],
    ['a bare scalar', '42 43', /unexpected '4' at line 1 column 1/],
  ])('refuses %s with a clear input.json error', (_, text, message) => {
    const error = errorOf(() => parseJsonDocuments(text, 'input.json'));
    expect(error.code).toBe('input.json');
    expect(error.message).toMatch(message);
  });

  it('points at the line and column of a syntax error in a later document', () => {
    const text = '{"Reservations": []}\n{"Reservations": [\n  {"Instances": [,]}\n]}';
    const error = errorOf(() => parseJsonDocuments(text, 'input.json'));
    expect(error.message).toBe(
      "input.json is not valid JSON: Unexpected token ',' in document 2 (which starts at line 2 column 1)",
    );
    const positioned = errorOf(() => parseJsonDocuments('{"Reservations": []}\n\n  {"a" 1}', 'f'));
    expect(positioned.message).toBe(
      "f is not valid JSON: Expected ':' after property name at line 3 column 8",
    );
  });
});

describe('instancesFromDocuments', () => {
  it('reads the fields naming and addressing need from the real output shape', () => {
    const instances = read(fixture('describe-instances.json'));
    expect(instances).toHaveLength(9);
    expect(instances[0]).toEqual({
      instanceId: 'i-0a00000000000web1',
      name: 'web',
      state: 'running',
      privateIp: '10.0.1.10',
      publicIp: '54.0.0.10',
      launchTime: Date.parse('2016-07-26T12:00:00.000Z'),
      platform: undefined,
    });
    // Offsets like "+00:00" (AWS CLI v2) parse as well as "Z".
    expect(instances[2]?.launchTime).toBe(Date.parse('2016-07-20T09:30:00Z'));
    expect(instances.find((i) => i.instanceId === 'i-0a00000000000win1')?.platform).toBe('windows');
  });

  it('handles instances without Tags, with an empty Name, and without addresses', () => {
    const text = JSON.stringify(
      describeInstances([
        { id: 'i-untagged', name: null },
        { id: 'i-no-name', name: undefined },
        { id: 'i-empty', name: '' },
        { id: 'i-stopped', name: 'x', state: 'stopped', privateIp: null },
      ]),
    );
    const instances = read(text);
    expect(instances.map((i) => [i.instanceId, i.name, i.privateIp])).toEqual([
      ['i-untagged', undefined, '10.0.0.1'],
      ['i-no-name', undefined, '10.0.0.1'],
      ['i-empty', '', '10.0.0.1'],
      ['i-stopped', 'x', undefined],
    ]);
  });

  it('accepts a Reservations list that is empty, and LaunchTime as a Date (SDK pages)', () => {
    expect(read('{"Reservations": []}')).toEqual([]);
    const page = {
      Reservations: [{ Instances: [{ InstanceId: 'i-a', LaunchTime: new Date(5) }] }],
    };
    expect(instancesFromDocuments([{ value: page, label: 'page 1' }])[0]?.launchTime).toBe(5);
  });

  it('takes the first Name tag when there are several', () => {
    const tagged = instanceJson({ id: 'i-a', name: 'first' });
    (tagged['Tags'] as unknown[]).push({ Key: 'Name', Value: 'second' });
    const doc = { Reservations: [{ Instances: [tagged] }] };
    expect(read(JSON.stringify(doc))[0]?.name).toBe('first');
  });

  it('refuses the output of another command, saying what it found', () => {
    const error = errorOf(() => read(fixture('describe-volumes.json')));
    expect(error.code).toBe('input.shape');
    expect(error.message).toBe(
      `document 1 (line 1): not 'aws ec2 describe-instances' output: it has no "Reservations" array (its keys: Volumes)`,
    );
  });

  const withInstance = (patch: Record<string, unknown>) =>
    JSON.stringify({
      Reservations: [{ Instances: [{ ...instanceJson({ id: 'i-a' }), ...patch }] }],
    });

  it.each([
    [
      'a scalar document',
      '"hello"',
      /document 1 \(line 1\): expected the JSON object printed by 'aws ec2 describe-instances', got a string/,
    ],
    [
      'an array item that is not a document',
      '[{"Reservations": []}, 3]',
      /document 2 \(array item 2, line 1\): expected the JSON object .* got a number/,
    ],
    ['an empty object', '{}', /no "Reservations" array \(it is an empty object\)/],
    ['Reservations that is not an array', '{"Reservations": {}}', /no "Reservations" array/],
    [
      'a reservation without Instances',
      '{"Reservations": [{}]}',
      /Reservations\[0\] has no "Instances" array/,
    ],
    [
      'an instance that is not an object',
      '{"Reservations": [{"Instances": [null]}]}',
      /Reservations\[0\]\.Instances\[0\] should be an object, got null/,
    ],
    [
      'an instance without InstanceId',
      withInstance({ InstanceId: undefined }),
      /Instances\[0\] has no "InstanceId" string/,
    ],
    [
      'an InstanceId with a line break',
      withInstance({ InstanceId: 'i-a\nHost evil' }),
      /InstanceId "i-a\\nHost evil" contains whitespace or control characters/,
    ],
    [
      'Tags that is not an array',
      withInstance({ Tags: { Name: 'x' } }),
      /Instances\[0\]\.Tags should be an array of \{Key, Value\}, got an object/,
    ],
    [
      'a tag without Key',
      withInstance({ Tags: [{ Value: 'x' }] }),
      /Tags\[0\] should be an object with a "Key" string/,
    ],
    [
      'a Name tag whose Value is a number',
      withInstance({ Tags: [{ Key: 'Name', Value: 7 }] }),
      /Tags\[0\]\.Value should be a string, got a number/,
    ],
    [
      'State without Name',
      withInstance({ State: { Code: 16 } }),
      /State should be an object with a "Name" string/,
    ],
    [
      'a numeric PrivateIpAddress',
      withInstance({ PrivateIpAddress: 10 }),
      /PrivateIpAddress should be a string, got a number/,
    ],
    [
      'an unparseable LaunchTime',
      withInstance({ LaunchTime: 'yesterday' }),
      /LaunchTime should be an ISO 8601 timestamp, got "yesterday"/,
    ],
  ])('refuses %s with a message naming the place', (_, text, message) => {
    const error = errorOf(() => read(text));
    expect(error.code).toBe('input.shape');
    expect(error.message).toMatch(message);
  });
});
