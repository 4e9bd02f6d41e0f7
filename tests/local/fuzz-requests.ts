// Generators of hostile HTTP requests for the fuzz test: a seeded PRNG, so a failure names a
// seed and a request index that reproduce it.

/** A request sent through node:http. */
export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer | undefined;
}

/** mulberry32: small, fast, good enough to spread test cases. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one random source. */
export class Gen {
  constructor(readonly random: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  string(alphabet: string, min: number, max: number): string {
    const chars = [...alphabet];
    let out = '';
    for (let i = this.int(min, max); i > 0; i--) out += this.pick(chars);
    return out;
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const UNICODE = "aé漢字🙂\u0000\u200b\u202e\ufeff\ud800-_.~!*'();:@&=+$,/?#[] %";
const PERCENT = [
  '%00',
  '%2F',
  '%2f',
  '%25',
  '%zz',
  '%E0%A4',
  '%C0%AF',
  '%F0%9F%99%82',
  '%',
  '%%',
  '%u0041',
  '%41',
  '%0A',
  '%20',
];

// Big bodies are shared: the point is the server's handling of size, not the client's RNG.
const HUGE = {
  overLimit: Buffer.alloc(10 * 1024 * 1024 + 17, 'a'),
  nearLimit: Buffer.alloc(10 * 1024 * 1024 - 3, '['),
  mid: Buffer.alloc(1024 * 1024, '{'),
};

// Every byte of the UTF-8 (lone surrogates become U+FFFD) outside the unreserved set as %XX.
function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function segment(g: Gen): string {
  switch (g.int(0, 6)) {
    case 0:
      return g.string(ALNUM, 8, 64); // a valid id
    case 1:
      return g.string(ALNUM, 0, 7);
    case 2:
      return g.string(ALNUM, 65, 300);
    case 3:
      return percentEncode(g.string(UNICODE, 1, 30)) + g.pick(['', ...PERCENT]);
    case 4:
      return Array.from(
        { length: g.int(1, 6) },
        () => g.pick(PERCENT) + g.string(ALNUM, 0, 3),
      ).join('');
    case 5:
      return g.pick(['.', '..', '', '~', '%2e%2e', 'user', 'prod', 'staging', '{id}']);
    default:
      return g.string(ALNUM, 8, 12) + g.pick(PERCENT);
  }
}

function path(g: Gen): string {
  const stage = g.chance(0.85)
    ? g.pick(['prod', 'staging'])
    : g.pick(['', 'PROD', 'dev', segment(g)]);
  const resource = g.chance(0.85) ? 'user' : g.pick(['users', 'User', '', segment(g)]);
  const extra = g.chance(0.1) ? Array.from({ length: g.int(1, 4) }, () => segment(g)) : [];
  let p = ['', stage, resource, segment(g), ...extra].join('/');
  if (g.chance(0.05)) p += '/';
  if (g.chance(0.2)) {
    const pairs = Array.from(
      { length: g.int(0, 6) },
      () => `${segment(g)}${g.chance(0.7) ? `=${segment(g)}` : ''}`,
    );
    p += `?${pairs.join(g.pick(['&', '&&', ';']))}`;
  }
  return p;
}

function deepJson(g: Gen): string {
  const depth = g.pick([100, 1000, 5000, 20_000, 200_000]);
  if (g.chance(0.5)) return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return `${'{"name":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
}

function jsonValue(g: Gen, depth = 0): unknown {
  switch (g.int(0, depth > 3 ? 4 : 7)) {
    case 0:
      return g.string(UNICODE, 0, 40);
    case 1:
      return g.pick([0, -1, 1, 1.5, 1e308, -0, 2 ** 53 + 1, 123456789012]);
    case 2:
      return g.pick([true, false, null]);
    case 3:
      return 'n'.repeat(g.pick([0, 1, 255, 256, 257, 5000]));
    case 4:
      return g.string(ALNUM, 1, 10);
    case 5:
      return Array.from({ length: g.int(0, 4) }, () => jsonValue(g, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: g.int(0, 4) }, () => [
          g.pick([
            'name',
            'lock_version',
            'id',
            '__proto__',
            'constructor',
            g.string(UNICODE, 0, 8),
          ]),
          jsonValue(g, depth + 1),
        ]),
      );
  }
}

function body(g: Gen): Buffer | undefined {
  switch (g.int(0, 13)) {
    case 0:
      return undefined;
    case 1:
      return Buffer.alloc(0);
    case 2:
    case 3:
      return Buffer.from(JSON.stringify({ name: g.string(UNICODE, 0, 300) }));
    case 4:
      return Buffer.from(JSON.stringify({ name: jsonValue(g), lock_version: jsonValue(g) }));
    case 5:
      return Buffer.from(JSON.stringify(jsonValue(g)));
    case 6:
      return Buffer.from(deepJson(g));
    case 7:
      return g.bytes(g.int(1, 4096)); // binary, usually invalid UTF-8
    case 8:
      return Buffer.from(JSON.stringify({ name: 'x' }).slice(0, g.int(0, 12))); // truncated
    case 9:
      return Buffer.from(
        `\ufeff{"name":"bom","name":"dup","lock_version":${g.pick(['1e400', '-1', '1.0', '"1"', 'null', '99999999999999999999'])}}`,
      );
    case 10:
      return Buffer.from(
        JSON.stringify({ name: 'x'.repeat(g.pick([16_000, 16_384, 16_400, 100_000])) }),
      );
    case 11:
      // One request in ~150 is megabytes: around and over API Gateway's 10 MB.
      return g.chance(0.08)
        ? g.pick([HUGE.overLimit, HUGE.nearLimit, HUGE.mid])
        : Buffer.from('{"name":"ok"}');
    default:
      return Buffer.from(`{"name":"${g.string(ALNUM, 1, 20)}"}`);
  }
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-16',
  'application/vnd.api+json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'image/png',
  '',
  ';;;',
  'application/json; charset=',
  'APPLICATION/JSON',
];

const VALUE_CHARS = 'abcXYZ019 "\'*/,;=\\-_.:()<>@?{}[]!#$%&+^`|~\t';

function headers(g: Gen): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (g.chance(0.8)) out['Content-Type'] = g.pick(CONTENT_TYPES);
  if (g.chance(0.25)) {
    out['If-Match'] = g.pick([
      '"1"',
      '"2"',
      '*',
      'W/"1"',
      '1',
      '"1", "2"',
      '""',
      '"-1"',
      '"99999999999999999999"',
      '"1.5"',
      'junk',
    ]);
  }
  if (g.chance(0.15)) out['If-None-Match'] = g.pick(['*', '"1"', '', 'W/*']);
  if (g.chance(0.05)) out['If-Match'] = ['"1"', g.pick(['"2"', '"1"', '*'])];
  for (let i = g.int(0, 4); i > 0; i--) {
    out[`X-Fuzz-${g.string(ALNUM, 1, 12)}`] = g.string(VALUE_CHARS, 0, g.pick([10, 100, 4000]));
  }
  if (g.chance(0.05)) out['X-Request-Id'] = g.string(VALUE_CHARS, 0, 50);
  if (g.chance(0.05)) out['X-Forwarded-For'] = g.string(VALUE_CHARS, 0, 50);
  if (g.chance(0.03)) out['Content-Encoding'] = 'gzip';
  return out;
}

const METHODS = [
  'GET',
  'GET',
  'POST',
  'POST',
  'POST',
  'DELETE',
  'PUT',
  'PATCH',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
  'SEARCH',
];

/** The i-th request of a run: deterministic for (seed, i). */
export function fuzzRequest(seed: number, index: number): FuzzRequest {
  const g = new Gen(prng(seed * 1_000_003 + index));
  const request = { method: g.pick(METHODS), path: path(g), headers: headers(g), body: body(g) };
  // Framed as real clients frame a body (node:http would send a GET body unframed).
  if (request.body !== undefined) {
    if (g.chance(0.1)) request.headers['Transfer-Encoding'] = 'chunked';
    else request.headers['Content-Length'] = String(request.body.length);
  }
  return request;
}

/** Bytes that are not (or not quite) HTTP, sent on a raw socket. */
export function rawGarbage(seed: number, index: number): Buffer {
  const g = new Gen(prng(seed * 7_919 + index));
  const id = g.string(ALNUM, 8, 12);
  return Buffer.from(
    g.pick([
      () => g.bytes(g.int(1, 2000)).toString('latin1'),
      () => `GET /prod/user/${id}\r\n\r\n`,
      () => `FOO /prod/user/${id} HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET /prod/user/${id} HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n`,
      () => `GET /prod/user/${id} HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n`,
      () => `POST /prod/user/${id} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`,
      () =>
        `POST /prod/user/${id} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      () =>
        `POST /prod/user/${id} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      () => `GET /prod/user/${'a'.repeat(g.int(10_000, 80_000))} HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET /prod/user/${id} HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      () => `GET /prod/user/${id}\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET http://evil.example/prod/user/${id} HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET * HTTP/1.1\r\nHost: x\r\n\r\n`,
      () =>
        `POST /prod/user/${id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na`,
      () => `GET /prod/user/${id} HTTP/9.9\r\nHost: x\r\n\r\n`,
    ])(),
    'latin1',
  );
}
