// The byte scanner is only a faster road to the full parse's answer: wherever it answers, the
// answer must equal the full parse's, and wherever the full parse refuses the input, it must
// decline (undefined) so the full parse's error is what the user sees.
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { describeInstancesJson } from '../../bench/ssh-config.ts';
import { instancesFromDocuments, instancesFromJson } from '../../src/ssh/instances.ts';
import type { Ec2Instance } from '../../src/ssh/model.ts';
import { parseJsonDocuments } from '../../src/ssh/parse-input.ts';
import { scanDescribeInstances } from '../../src/ssh/scan-instances.ts';

function fullParse(bytes: Buffer): Ec2Instance[] | 'refused' {
  try {
    return instancesFromDocuments(parseJsonDocuments(bytes.toString('utf8'), 'input'));
  } catch {
    return 'refused';
  }
}

/** The property: the scanner declines, or agrees with the full parse. */
function agrees(bytes: Buffer): { fast: Ec2Instance[] | undefined; ok: boolean } {
  const fast = scanDescribeInstances(bytes);
  if (fast === undefined) return { fast, ok: true };
  const slow = fullParse(bytes);
  return { fast, ok: slow !== 'refused' && isDeepStrictEqual(fast, slow) };
}

// Values a field may hold: right types, wrong types, null, nested junk, escapes, non-ASCII.
const text = fc.oneof(
  fc.constantFrom('running', 'stopped', 'web 1', 'app', '10.0.0.1', '', 'Windows', 'windows'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const anyValue = fc.oneof(text, fc.constant(null), fc.integer(), fc.boolean(), fc.jsonValue());
const tag = fc.oneof(
  fc.record({ Key: fc.constantFrom('Name', 'env', 'Name'), Value: fc.oneof(text, anyValue) }),
  fc.record({ Key: fc.constantFrom('Name', 'env') }),
  fc.record({ Key: anyValue, Value: text }),
);
const instance = fc.record(
  {
    InstanceId: fc.oneof(
      fc.constantFrom('i-0123456789abcdef0', 'i-1', 'i-0abc'),
      fc.string({ maxLength: 8 }),
      anyValue,
    ),
    State: fc.oneof(
      fc.record({ Code: fc.integer(), Name: fc.constantFrom('running', 'stopped') }),
      fc.record({ Name: anyValue }),
      anyValue,
    ),
    Tags: fc.oneof(fc.array(tag, { maxLength: 4 }), anyValue),
    PrivateIpAddress: fc.oneof(text, anyValue),
    PublicIpAddress: fc.oneof(text, anyValue),
    LaunchTime: fc.oneof(fc.constant('2016-07-01T00:00:00.000Z'), text, anyValue),
    Platform: fc.oneof(fc.constant('windows'), anyValue),
    NetworkInterfaces: fc.array(fc.jsonValue(), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const documentValue = fc.record({
  Reservations: fc.array(
    fc.record({ Instances: fc.array(instance, { maxLength: 4 }), OwnerId: fc.string() }),
    { maxLength: 3 },
  ),
});

// Serialised as the AWS CLI prints it, compact, or with tabs; one document, several, or an array.
const input = fc
  .tuple(
    fc.array(documentValue, { minLength: 1, maxLength: 3 }),
    fc.constantFrom(0, 2, 4, '\t'),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([documents, indent, asArray, bom]) => {
    const body = asArray
      ? JSON.stringify(documents, null, indent)
      : documents.map((document) => JSON.stringify(document, null, indent)).join('\n');
    return Buffer.from(`${bom ? '\ufeff' : ''}${body}\n`);
  });

// One byte inserted, deleted or replaced anywhere, with bytes that matter to JSON.
const damage = fc.tuple(
  input,
  fc.nat(),
  fc.constantFrom('insert', 'delete', 'replace'),
  fc.constantFrom(...'{}[],:"\\ 0-.e\t\u0001nxu'.split('').map((c) => c.charCodeAt(0))),
);

describe('the describe-instances byte scanner', () => {
  it('gives what the full parse gives for the benchmark document (so the fast path runs)', () => {
    const bytes = Buffer.from(describeInstancesJson(200));
    const fast = scanDescribeInstances(bytes);
    expect(fast).toHaveLength(200);
    expect(fast).toEqual(fullParse(bytes));
  });

  it('reads the same wherever the bytes start in memory (indentation is skipped by words)', () => {
    const json = describeInstancesJson(8);
    const expected = fullParse(Buffer.from(json));
    for (let shift = 0; shift < 8; shift++) {
      const bytes = Buffer.concat([Buffer.alloc(shift), Buffer.from(json)]).subarray(shift);
      expect(scanDescribeInstances(bytes), `shift ${shift}`).toEqual(expected);
      // A stray byte inside an indentation run is still invalid JSON, and is declined.
      const at = json.indexOf('            "InstanceId"') + 6;
      const damaged = Buffer.from(bytes);
      damaged[at] = 0x78; // x
      expect(scanDescribeInstances(damaged), `shift ${shift}`).toBeUndefined();
    }
  });

  it('declines or agrees with the full parse on generated documents', () => {
    let answered = 0;
    fc.assert(
      fc.property(input, (bytes) => {
        const { fast, ok } = agrees(bytes);
        if (fast !== undefined) answered++;
        return ok;
      }),
      { numRuns: 400 },
    );
    // Not a property that holds by always declining: well-formed inputs take the fast path.
    expect(answered).toBeGreaterThan(40);
  });

  it('declines or agrees with the full parse on damaged documents', () => {
    fc.assert(
      fc.property(damage, ([bytes, at, how, byte]) => {
        const i = at % (bytes.length + 1);
        const damaged =
          how === 'insert'
            ? Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)])
            : how === 'delete'
              ? Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)])
              : Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i + 1)]);
        return agrees(damaged).ok;
      }),
      { numRuns: 1500 },
    );
  });

  it('declines the inputs whose meaning only the full parse knows', () => {
    const cases = [
      '', // empty: the full parse names the problem
      '[]', // an empty array of documents
      '{"Reservations":[{"Instances":[{"Instance\\u0049d":"i-1"}]}]}', // escaped key
      '{"Reservations":[{"Instances":[{"InstanceId":"i-1","State":true}]}]}', // State not an object
      '{"Reservations":[{"Instances":[{"InstanceId":"i-1","Tags":[{"Key":"Name","Value":1}]}]}]}',
      '{"Reservations":[{"Instances":[{"InstanceId":"i 1"}]}]}', // whitespace in the id
      '{"Reservations":[{"Instances":[{"InstanceId":"i-1","LaunchTime":"soon"}]}]}',
      '{"Reservations":[{"Instances":[{"InstanceId":"i-1","x":01}]}]}', // invalid number
      '{"Reservations":[{"Instances":[{"InstanceId":"i-1","x":"a\tb"}]}]}', // raw tab in a string
      '{"Reservations":{}}',
      `${'['.repeat(600)}${']'.repeat(600)}`, // deeper than the scanner's stack
    ];
    for (const json of cases)
      expect(scanDescribeInstances(Buffer.from(json)), json).toBeUndefined();
  });

  it('keeps the last of repeated keys and the first Name tag, as JSON.parse and the reader do', () => {
    const json = JSON.stringify({ Reservations: [] }).replace(
      '[]',
      '[{"Instances":[{"InstanceId":"i-old"}]}],"Reservations":[{"Instances":[' +
        '{"InstanceId":"i-1","InstanceId":"i-2","Tags":[{"Key":"Name","Value":"a"},' +
        '{"Key":"Name","Value":"b"}],"PublicIpAddress":"1.2.3.4","PublicIpAddress":null}]}]',
    );
    const bytes = Buffer.from(json);
    expect(scanDescribeInstances(bytes)).toEqual([
      {
        instanceId: 'i-2',
        name: 'a',
        state: undefined,
        privateIp: undefined,
        publicIp: undefined,
        launchTime: undefined,
        platform: undefined,
      },
    ]);
    expect(fullParse(bytes)).toEqual(scanDescribeInstances(bytes));
  });

  it('instancesFromJson still reports the full parse error for refused input', () => {
    expect(() => instancesFromJson(Buffer.from('{"Volumes":[]}'), 'vol.json')).toThrow(
      /no "Reservations" array/,
    );
  });
});
