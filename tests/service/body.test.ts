import { describe, expect, it } from 'vitest';
import { isJsonContentType, readJsonBody, type EventBody } from '../../src/service/body.ts';
import { RequestHeaders } from '../../src/service/headers.ts';
import { httpFailure } from './failure.ts';

const LIMIT = 16 * 1024;
const json = RequestHeaders.fromEvent({ headers: { 'content-type': 'application/json' } });

function read(event: EventBody, headers: RequestHeaders = json): unknown {
  return readJsonBody(event, headers, LIMIT);
}

describe('RequestHeaders', () => {
  it('looks names up case-insensitively', () => {
    const headers = RequestHeaders.fromEvent({ headers: { 'CoNtEnT-TyPe': 'application/json' } });
    expect(headers.single('content-type')).toBe('application/json');
    expect(headers.single('Content-Type')).toBe('application/json');
  });

  it('prefers multiValueHeaders, which shows duplicates', () => {
    const headers = RequestHeaders.fromEvent({
      headers: { 'If-Match': '"2"' },
      multiValueHeaders: { 'If-Match': ['"1"', '"2"'] },
    });
    expect(httpFailure(() => headers.single('If-Match')).message).toBe(
      'the If-Match header was sent more than once',
    );
  });

  it('accepts a duplicate with the same value, and differently-cased names as one header', () => {
    const headers = RequestHeaders.fromEvent({
      multiValueHeaders: { 'if-match': ['"1"'], 'IF-MATCH': [' "1" '] },
    });
    expect(headers.single('If-Match')).toBe('"1"');
  });

  it('ignores null maps and values that are not strings', () => {
    expect(RequestHeaders.fromEvent({ headers: null, multiValueHeaders: null }).single('a')).toBe(
      undefined,
    );
    const odd = RequestHeaders.fromEvent({
      headers: { a: 42, b: null },
      multiValueHeaders: { c: 'not a list', d: [null, 7] },
    });
    expect(['a', 'b', 'c', 'd'].map((name) => odd.single(name))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('isJsonContentType', () => {
  it.each([
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    'application/json;charset="UTF-8"',
    'application/merge-patch+json',
    'application/json; foo=bar',
  ])('accepts %j', (value) => expect(isJsonContentType(value)).toBe(true));

  it.each([
    '',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonp',
    'application/json; charset=latin1',
    'multipart/form-data; boundary=x',
  ])('refuses %j', (value) => expect(isJsonContentType(value)).toBe(false));
});

describe('readJsonBody', () => {
  it('parses a text body', () => {
    expect(read({ body: '{"name":"Ada"}' })).toEqual({ name: 'Ada' });
  });

  it('decodes a base64 body', () => {
    const body = Buffer.from('{"name":"Zoë"}').toString('base64');
    expect(read({ body, isBase64Encoded: true })).toEqual({ name: 'Zoë' });
  });

  it('ignores a UTF-8 byte order mark, as RFC 8259 allows', () => {
    expect(read({ body: '\uFEFF{"name":"Ada"}' })).toEqual({ name: 'Ada' });
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"A"}')]);
    expect(read({ body: bytes.toString('base64'), isBase64Encoded: true })).toEqual({ name: 'A' });
  });

  it('answers 415 without a Content-Type, or with one that is not JSON', () => {
    const none = httpFailure(() => read({ body: '{}' }, RequestHeaders.fromEvent({})));
    expect([none.status, none.message]).toEqual([
      415,
      'Content-Type must be application/json; none was sent',
    ]);
    const text = RequestHeaders.fromEvent({ headers: { 'Content-Type': 'text/plain' } });
    expect(httpFailure(() => read({ body: '{}' }, text)).status).toBe(415);
  });

  it('answers 400 for conflicting Content-Type headers', () => {
    const headers = RequestHeaders.fromEvent({
      multiValueHeaders: { 'Content-Type': ['application/json', 'text/plain'] },
    });
    expect(httpFailure(() => read({ body: '{}' }, headers)).status).toBe(400);
  });

  it('counts bytes, not characters: 16 KiB of UTF-8 passes, one byte more is 413', () => {
    // "é" is two bytes; pad the JSON to exactly the limit.
    const exact = `{"name":"a${'é'.repeat((LIMIT - 12) / 2)}"}`;
    expect(Buffer.byteLength(exact)).toBe(LIMIT);
    expect(read({ body: exact })).toBeTypeOf('object');
    const over = httpFailure(() => read({ body: `${exact} ` }));
    expect([over.status, over.message]).toEqual([
      413,
      `request body is ${LIMIT + 1} bytes; the limit is ${LIMIT} bytes`,
    ]);
  });

  it('counts the decoded bytes of a base64 body', () => {
    const exact = Buffer.from('{"name":"a"}'.padEnd(LIMIT, ' '));
    const encoded = exact.toString('base64'); // longer than the limit as text
    expect(encoded.length).toBeGreaterThan(LIMIT);
    expect(read({ body: encoded, isBase64Encoded: true })).toEqual({ name: 'a' });
    const over = Buffer.from('{"name":"a"}'.padEnd(LIMIT + 1, ' ')).toString('base64');
    expect(httpFailure(() => read({ body: over, isBase64Encoded: true })).status).toBe(413);
  });

  it.each([
    [{ body: null }, 'request body is empty; send a JSON object such as {"name": "..."}'],
    [{}, 'request body is empty; send a JSON object such as {"name": "..."}'],
    [{ body: '  ' }, 'request body is empty; send a JSON object such as {"name": "..."}'],
    [{ body: '{"name":' }, 'request body is not valid JSON'],
    [{ body: "{'name':'Ada'}" }, 'request body is not valid JSON'],
    [{ body: 42 }, 'request body is not text'],
    [
      { body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64'), isBase64Encoded: true },
      'request body is not valid UTF-8',
    ],
    // What a text body holds once someone decoded \xff\xfe leniently (U+FFFD twice).
    [
      { body: Buffer.from('{"name":"\xff\xfe"}', 'latin1').toString('utf8') },
      'request body is not valid UTF-8',
    ],
    [{ body: '{"name":"\ud800"}' }, 'request body is not valid UTF-8'],
    [{ body: '{"name":"\udc00x"}' }, 'request body is not valid UTF-8'],
  ])('answers 400 for %j', (event, message) => {
    const error = httpFailure(() => read(event));
    expect([error.status, error.message]).toEqual([400, message]);
  });

  it('keeps well-formed astral characters (surrogate pairs) in a text body', () => {
    expect(read({ body: '{"name":"\ud83d\ude00"}' })).toEqual({ name: '\u{1F600}' });
  });

  it('parses deeply nested JSON without blowing the stack (the schema refuses it next)', () => {
    const depth = 8000;
    expect(Array.isArray(read({ body: `${'['.repeat(depth)}${']'.repeat(depth)}` }))).toBe(true);
  });
});
