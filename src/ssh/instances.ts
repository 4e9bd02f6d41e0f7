// Checks that a parsed document really is `describe-instances` output and reduces each instance
// to an Ec2Instance. The same code reads `--from-json` documents and SDK pages: their field names
// are identical, only `LaunchTime` differs (an ISO string in JSON, a Date from the SDK).
import { SshConfigError } from './errors.ts';
import type { Ec2Instance } from './model.ts';
import { parseJsonDocuments } from './parse-input.ts';
import type { JsonDocument } from './parse-input.ts';
import { scanDescribeInstances } from './scan-instances.ts';

type Fields = Record<string, unknown>;

/**
 * The instances of `--from-json` input (one or more describe-instances documents, as bytes):
 * the byte scanner's answer when it has one, else the full parse, which also owns every error.
 *
 * @param bytes the whole input
 * @param source what the input is called in messages, e.g. the file name or `standard input`
 */
export function instancesFromJson(bytes: Buffer, source: string): Ec2Instance[] {
  return (
    scanDescribeInstances(bytes) ??
    instancesFromDocuments(parseJsonDocuments(bytes.toString('utf8'), source))
  );
}

/**
 * Reads every instance of every document, in order. Throws {@link SshConfigError}
 * (`input.shape`) naming the document and the path of the first field that does not fit, so a
 * wrong file (say, `describe-volumes` output) is refused before anything is written.
 *
 * @param documents parsed documents, each expected to be one DescribeInstances result
 */
export function instancesFromDocuments(documents: readonly JsonDocument[]): Ec2Instance[] {
  const instances: Ec2Instance[] = [];
  for (const document of documents) readDocument(document.value, document.label, instances);
  return instances;
}

/**
 * Reads one DescribeInstances result (a `--from-json` document or an SDK page) into `out`.
 *
 * @param value the document or page
 * @param label where it came from, for messages (e.g. `document 2 (line 40)`)
 * @param out where the instances are appended
 */
export function readDocument(value: unknown, label: string, out: Ec2Instance[]): void {
  const fail = (message: string): never => {
    throw new SshConfigError('input.shape', `${label}: ${message}`);
  };
  if (!isObject(value)) {
    fail(`expected the JSON object printed by 'aws ec2 describe-instances', got ${kind(value)}`);
  }
  const document = value as Fields;
  const reservations = document['Reservations'];
  if (!Array.isArray(reservations)) {
    const keys = Object.keys(document).slice(0, 5);
    fail(
      `not 'aws ec2 describe-instances' output: it has no "Reservations" array` +
        (keys.length > 0 ? ` (its keys: ${keys.join(', ')})` : ' (it is an empty object)'),
    );
  }
  (reservations as unknown[]).forEach((reservation, r) => {
    const at = `Reservations[${r}]`;
    if (!isObject(reservation)) fail(`${at} should be an object, got ${kind(reservation)}`);
    const list = (reservation as Fields)['Instances'];
    if (!Array.isArray(list)) fail(`${at} has no "Instances" array`);
    (list as unknown[]).forEach((instance, i) => {
      out.push(readInstance(instance, `${at}.Instances[${i}]`, fail));
    });
  });
}

function readInstance(value: unknown, at: string, fail: (message: string) => never): Ec2Instance {
  if (!isObject(value)) fail(`${at} should be an object, got ${kind(value)}`);
  const fields = value as Fields;
  const instanceId = fields['InstanceId'];
  if (typeof instanceId !== 'string' || instanceId === '') {
    fail(`${at} has no "InstanceId" string`);
  }
  // The id is written into the config as a comment (and as a name with --fallback-id): a line
  // break in it would inject configuration.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(instanceId as string)) {
    fail(
      `${at}.InstanceId ${JSON.stringify(instanceId)} contains whitespace or control characters`,
    );
  }
  const optionalString = (key: string): string | undefined => {
    const field = fields[key];
    if (field === undefined || field === null) return undefined;
    if (typeof field !== 'string') fail(`${at}.${key} should be a string, got ${kind(field)}`);
    return field as string;
  };
  return {
    instanceId: instanceId as string,
    name: readNameTag(fields['Tags'], `${at}.Tags`, fail),
    state: readState(fields['State'], `${at}.State`, fail),
    privateIp: optionalString('PrivateIpAddress'),
    publicIp: optionalString('PublicIpAddress'),
    launchTime: readLaunchTime(fields['LaunchTime'], `${at}.LaunchTime`, fail),
    platform: optionalString('Platform'),
  };
}

/** The `Name` tag's value; `undefined` when there are no tags or none is called `Name`. */
function readNameTag(tags: unknown, at: string, fail: (message: string) => never) {
  // Instances launched without tags have no "Tags" key at all (the seed's script crashed there).
  if (tags === undefined || tags === null) return undefined;
  if (!Array.isArray(tags)) fail(`${at} should be an array of {Key, Value}, got ${kind(tags)}`);
  let name: string | undefined;
  (tags as unknown[]).forEach((tag, t) => {
    if (!isObject(tag) || typeof (tag as Fields)['Key'] !== 'string') {
      fail(`${at}[${t}] should be an object with a "Key" string`);
    }
    const { Key: key, Value: tagValue } = tag as Fields;
    if (key !== 'Name' || name !== undefined) return;
    if (tagValue === undefined || tagValue === null) name = '';
    else if (typeof tagValue === 'string') name = tagValue;
    else fail(`${at}[${t}].Value should be a string, got ${kind(tagValue)}`);
  });
  return name;
}

function readState(state: unknown, at: string, fail: (message: string) => never) {
  if (state === undefined || state === null) return undefined;
  if (!isObject(state) || typeof (state as Fields)['Name'] !== 'string') {
    fail(`${at} should be an object with a "Name" string (e.g. "running")`);
  }
  return (state as Fields)['Name'] as string;
}

function readLaunchTime(time: unknown, at: string, fail: (message: string) => never) {
  if (time === undefined || time === null) return undefined;
  // The SDK deserialises timestamps to Date; the CLI prints ISO 8601 strings.
  const ms =
    time instanceof Date ? time.getTime() : typeof time === 'string' ? Date.parse(time) : NaN;
  if (Number.isNaN(ms)) fail(`${at} should be an ISO 8601 timestamp, got ${JSON.stringify(time)}`);
  return ms;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
