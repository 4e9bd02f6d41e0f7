// The fast path of `--from-json`: reads `describe-instances` output straight from its bytes and
// keeps only the seven fields an Ec2Instance needs. `JSON.parse` of a 10,000-instance file (63 MB,
// as the AWS CLI prints it) builds a quarter-gigabyte object graph: decoding the text, parsing
// and collecting the garbage took ~60 % of `ssh-config`'s run time (`node --cpu-prof`, see
// docs/ssh-config.md). This scanner walks the same bytes once, validating them as JSON, and
// allocates only the kept strings.
//
// It is an optimisation, never a second definition of what is accepted: it answers undefined
// whenever the input is anything but well-formed JSON of the expected shape, and the caller then
// runs the full parse (parse-input.ts + instances.ts), which owns every error message. When it
// does answer, the result equals what the full parse gives (tests/ssh/scan-instances.test.ts
// checks both on generated and mutated documents).
import type { Ec2Instance } from './model.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** A string token's bytes [start, end), quotes included, not yet decoded. */
class Token {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly escaped: boolean,
  ) {}
}

/** Thrown inside the scanner to give up; never escapes {@link scanDescribeInstances}. */
class NotFastPath extends Error {}
const GIVE_UP = new NotFastPath();

/** A kept field's raw value: a string, null, or something else (which the full parse refuses). */
type Kept = string | null | typeof OTHER;
const OTHER = Symbol('other');

/**
 * The instances of one or more concatenated `describe-instances` documents (or an array of
 * them), or undefined when the full parse must decide (invalid JSON, an unexpected shape or
 * value, escapes in key names).
 */
export function scanDescribeInstances(bytes: Buffer): Ec2Instance[] | undefined {
  try {
    return new Scanner(bytes).documents();
  } catch (error) {
    // RangeError: nesting deeper than the stack; the full parse decides about such input.
    if (error instanceof NotFastPath || error instanceof RangeError) return undefined;
    throw error;
  }
}

class Scanner {
  /** The read position. */
  private i = 0;
  /** End (exclusive) of the key {@link Scanner.object} last read. */
  private keyEnd = 0;
  private readonly out: Ec2Instance[] = [];

  constructor(private readonly b: Buffer) {
    words = wordsOf(b);
    // A UTF-8 BOM is accepted by the full parse too.
    if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.i = 3;
  }

  documents(): Ec2Instance[] {
    let count = 0;
    for (this.space(); this.i < this.b.length; this.space()) {
      const c = this.b[this.i];
      if (c === OPEN_BRACE) this.document();
      else if (c === OPEN_BRACKET) {
        this.i++;
        this.space();
        if (this.b[this.i] === CLOSE_BRACKET) throw GIVE_UP; // an empty array: the parse's error
        for (;;) {
          this.space();
          if (this.b[this.i] !== OPEN_BRACE) throw GIVE_UP;
          this.document();
          if (!this.separator(CLOSE_BRACKET)) break;
        }
      } else throw GIVE_UP;
      count++;
    }
    if (count === 0) throw GIVE_UP;
    return this.out;
  }

  // One DescribeInstances result: an object whose (last) "Reservations" is an array of objects.
  private document(): void {
    let reservations = 0; // how many "Reservations" keys; JSON.parse keeps the last one
    const start = this.out.length;
    this.object((key) => {
      if (!this.keyIs(key, 'Reservations')) return false;
      // A repeated key replaces the earlier value: drop what the earlier one added.
      this.out.length = start;
      reservations++;
      this.array(() => this.reservation());
      return true;
    });
    if (reservations === 0) throw GIVE_UP;
  }

  private reservation(): void {
    if (this.b[this.i] !== OPEN_BRACE) throw GIVE_UP;
    let instances = 0;
    const start = this.out.length;
    this.object((key) => {
      if (!this.keyIs(key, 'Instances')) return false;
      this.out.length = start;
      instances++;
      this.array(() => this.instance());
      return true;
    });
    if (instances === 0) throw GIVE_UP;
  }

  private instance(): void {
    if (this.b[this.i] !== OPEN_BRACE) throw GIVE_UP;
    let instanceId: Kept | undefined;
    let privateIp: Kept | undefined;
    let publicIp: Kept | undefined;
    let launchTime: Kept | undefined;
    let platform: Kept | undefined;
    let state: Kept | undefined;
    let name: string | null | undefined;
    let hasTags = false;
    this.object((key) => {
      switch (this.keyName(key)) {
        case 'InstanceId':
          instanceId = this.scalar();
          return true;
        case 'PrivateIpAddress':
          privateIp = this.scalar();
          return true;
        case 'PublicIpAddress':
          publicIp = this.scalar();
          return true;
        case 'LaunchTime':
          launchTime = this.scalar();
          return true;
        case 'Platform':
          platform = this.scalar();
          return true;
        case 'State':
          state = this.stateName();
          return true;
        case 'Tags':
          hasTags = true;
          name = this.nameTag();
          return true;
        default:
          return false;
      }
    });
    // The full parse's rules (instances.ts); anything it would refuse goes back to it.
    if (typeof instanceId !== 'string' || instanceId === '') throw GIVE_UP;
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    if (/[\s\u0000-\u001f\u007f]/.test(instanceId)) throw GIVE_UP;
    let launchMs: number | undefined;
    if (launchTime !== undefined && launchTime !== null) {
      if (typeof launchTime !== 'string') throw GIVE_UP;
      launchMs = Date.parse(launchTime);
      if (Number.isNaN(launchMs)) throw GIVE_UP;
    }
    this.out.push({
      instanceId,
      name: hasTags ? (name ?? undefined) : undefined,
      state: optional(state),
      privateIp: optional(privateIp),
      publicIp: optional(publicIp),
      launchTime: launchMs,
      platform: optional(platform),
    });
  }

  // "State": null, or an object with a "Name" string.
  private stateName(): Kept {
    if (this.null()) return null;
    if (this.b[this.i] !== OPEN_BRACE) throw GIVE_UP;
    let name: Kept | undefined;
    this.object((key) => {
      if (!this.keyIs(key, 'Name')) return false;
      name = this.scalar();
      return true;
    });
    if (typeof name !== 'string') throw GIVE_UP;
    return name;
  }

  // "Tags": null, or an array of {Key, Value}; the first "Name" tag's value ('' when null).
  private nameTag(): string | null {
    if (this.null()) return null;
    let name: string | undefined;
    this.array(() => {
      if (this.b[this.i] !== OPEN_BRACE) throw GIVE_UP;
      // Only the first "Name" tag's value is kept, so keys are compared as bytes and values
      // left undecoded until one is wanted: most tags are someone else's.
      let key: Kept | Token | undefined;
      let value: Kept | Token | undefined;
      this.object((field) => {
        if (this.keyIs(field, 'Key')) key = this.token();
        else if (this.keyIs(field, 'Value')) value = this.token();
        else return false;
        return true;
      });
      if (!(key instanceof Token)) throw GIVE_UP; // absent, null or not a string
      if (name !== undefined || !this.isName(key)) return;
      if (value === undefined || value === null) name = '';
      else if (value instanceof Token) name = this.decode(value);
      else throw GIVE_UP;
    });
    return name ?? null;
  }

  /** A scalar at `i` like {@link Scanner.scalar}, but a string stays an undecoded token. */
  private token(): Kept | Token {
    if (this.b[this.i] !== QUOTE) return this.scalar();
    const start = this.i;
    const escaped = this.string();
    return new Token(start, this.i, escaped);
  }

  private decode(token: Token): string {
    return token.escaped
      ? (JSON.parse(this.b.toString('utf8', token.start, token.end)) as string)
      : this.b.toString('utf8', token.start + 1, token.end - 1);
  }

  // True when the string token is "Name" (escaped spellings included).
  private isName(token: Token): boolean {
    if (token.escaped) return this.decode(token) === 'Name';
    const b = this.b;
    const i = token.start + 1;
    return (
      token.end - token.start === 6 &&
      b[i] === 0x4e && // N
      b[i + 1] === 0x61 && // a
      b[i + 2] === 0x6d && // m
      b[i + 3] === 0x65 // e
    );
  }

  // ---- JSON structure ----

  /**
   * An object at `i`. For each key, `member` either reads the value itself (true) or leaves it
   * to be skipped (false). `key` is the key's [start, end) byte range without quotes.
   */
  private object(member: (key: number) => boolean): void {
    this.i++; // {
    this.space();
    if (this.b[this.i] === CLOSE_BRACE) {
      this.i++;
      return;
    }
    for (;;) {
      this.space();
      if (this.b[this.i] !== QUOTE) throw GIVE_UP;
      const keyStart = this.i + 1;
      // An escaped key might spell a wanted name ("Instance\u0049d"): the full parse decides.
      if (this.string()) throw GIVE_UP;
      this.keyEnd = this.i - 1;
      this.space();
      if (this.b[this.i] !== COLON) throw GIVE_UP;
      this.i++;
      this.space();
      if (!member(keyStart)) this.value();
      if (!this.separator(CLOSE_BRACE)) return;
    }
  }

  /** An array at `i` (which must be one); `element` reads each element, positioned on it. */
  private array(element: () => void): void {
    if (this.b[this.i] !== OPEN_BRACKET) throw GIVE_UP;
    this.i++;
    this.space();
    if (this.b[this.i] === CLOSE_BRACKET) {
      this.i++;
      return;
    }
    for (;;) {
      this.space();
      element();
      if (!this.separator(CLOSE_BRACKET)) return;
    }
  }

  // After a member or element: true on a comma (more follow), false past the closing bracket.
  private separator(close: number): boolean {
    this.space();
    const c = this.b[this.i];
    this.i++;
    if (c === COMMA) return true;
    if (c === close) return false;
    throw GIVE_UP;
  }

  /**
   * Skips any JSON value at `i`, validating it. Most of a describe-instances document is
   * skipped (network interfaces, block devices, options), so this is the hot loop: one
   * iterative function over the bytes, with a stack of open containers, and no allocation.
   */
  private value(): void {
    const b = this.b;
    const open = this.open;
    let depth = 0;
    let i = this.i;
    for (;;) {
      // A value starts at i.
      const c = b[i];
      let done = true;
      if (c === QUOTE) i = skipString(b, i);
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        i = skipSpace(b, i + 1);
        const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
        if (b[i] === close) i++;
        else {
          if (depth === open.length) throw GIVE_UP; // nested deeper than any real document
          open[depth++] = close;
          if (c === OPEN_BRACE) i = skipKey(b, i);
          done = false;
        }
      } else {
        this.i = i;
        if (!this.literal()) this.number();
        i = this.i;
      }
      if (!done) continue;
      // A value ended at i: close containers until one continues with a comma.
      for (;;) {
        if (depth === 0) {
          this.i = i;
          return;
        }
        i = skipSpace(b, i);
        const next = b[i];
        const close = open[depth - 1];
        if (next === COMMA) {
          i = skipSpace(b, i + 1);
          if (close === CLOSE_BRACE) i = skipKey(b, i);
          break;
        }
        if (next !== close) throw GIVE_UP;
        i++;
        depth--;
      }
    }
  }

  /** Closing brackets of the containers {@link Scanner.value} is inside. */
  private readonly open = new Uint8Array(512);

  /** A kept scalar: the decoded string, null, or OTHER for any other (skipped) value. */
  private scalar(): Kept {
    if (this.b[this.i] !== QUOTE) {
      const isNull = this.b[this.i] === 0x6e; // n
      this.value();
      return isNull ? null : OTHER;
    }
    const start = this.i;
    const escaped = this.string();
    // Plain strings decode directly; escapes are rare here and JSON.parse knows them all.
    return this.decode(new Token(start, this.i, escaped));
  }

  /** `null` at `i`: true when one was skipped. */
  private null(): boolean {
    if (this.b[this.i] !== 0x6e) return false;
    if (!this.literal()) throw GIVE_UP;
    return true;
  }

  /** Skips a string at `i` (on its opening quote); true when it holds escapes. */
  private string(): boolean {
    this.i = skipString(this.b, this.i);
    return sawEscape;
  }

  /** `true`, `false` or `null` at `i`: true when one was skipped. */
  private literal(): boolean {
    const b = this.b;
    const i = this.i;
    let length = 0;
    if (b[i] === 0x74 && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65) length = 4;
    else if (
      b[i] === 0x66 &&
      b[i + 1] === 0x61 &&
      b[i + 2] === 0x6c &&
      b[i + 3] === 0x73 &&
      b[i + 4] === 0x65
    )
      length = 5;
    else if (b[i] === 0x6e && b[i + 1] === 0x75 && b[i + 2] === 0x6c && b[i + 3] === 0x6c)
      length = 4;
    this.i += length;
    return length > 0;
  }

  /** A JSON number at `i`: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
  private number(): void {
    const b = this.b;
    let i = this.i;
    if (b[i] === MINUS) i++;
    if (b[i] === ZERO) i++;
    else if (isDigit(b[i])) while (isDigit(b[i])) i++;
    else throw GIVE_UP;
    if (b[i] === DOT) {
      i++;
      if (!isDigit(b[i])) throw GIVE_UP;
      while (isDigit(b[i])) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === PLUS || b[i] === MINUS) i++;
      if (!isDigit(b[i])) throw GIVE_UP;
      while (isDigit(b[i])) i++;
    }
    this.i = i;
  }

  private space(): void {
    this.i = skipSpace(this.b, this.i);
  }

  // ---- keys ----

  /** True when the key at `start` is exactly `name` (ASCII; keys never hold escapes here). */
  private keyIs(start: number, name: string): boolean {
    if (this.keyEnd - start !== name.length) return false;
    for (let k = 0; k < name.length; k++) {
      if (this.b[start + k] !== name.charCodeAt(k)) return false;
    }
    return true;
  }

  /** The key at `start` if it is one an instance keeps, else ''. */
  private keyName(start: number): string {
    // An instance has ~45 keys and keeps 7: the length rules out most without reading a byte.
    const candidates = KEYS_BY_LENGTH[this.keyEnd - start];
    if (candidates === undefined) return '';
    for (const name of candidates) if (this.keyIs(start, name)) return name;
    return '';
  }
}

const INSTANCE_KEYS = [
  'InstanceId',
  'PrivateIpAddress',
  'PublicIpAddress',
  'LaunchTime',
  'Platform',
  'State',
  'Tags',
] as const;

/** INSTANCE_KEYS by their length (all ASCII, so bytes = characters). */
const KEYS_BY_LENGTH: readonly (readonly string[] | undefined)[] = INSTANCE_KEYS.reduce<string[][]>(
  (byLength, name) => {
    (byLength[name.length] ??= []).push(name);
    return byLength;
  },
  [],
);

/** Whether the string {@link skipString} last skipped held an escape. */
let sawEscape = false;

/**
 * The index just past the string whose opening quote is at `i`; throws {@link GIVE_UP} for a
 * cut-off string, a raw control character or an invalid escape (all invalid JSON).
 */
function skipString(b: Buffer, start: number): number {
  let i = start + 1;
  sawEscape = false;
  for (;;) {
    const c = b[i];
    if (c === QUOTE) return i + 1;
    if (c === undefined || c < 0x20) throw GIVE_UP;
    if (c === BACKSLASH) {
      sawEscape = true;
      const e = b[i + 1];
      if (e === 0x75) {
        // \uXXXX
        for (let k = 2; k < 6; k++) if (!isHex(b[i + k])) throw GIVE_UP;
        i += 6;
      } else if (e !== undefined && SIMPLE_ESCAPES.has(e)) i += 2;
      else throw GIVE_UP;
    } else i++;
  }
}

/** Past a key and its colon at `i`, with the space after: where the member's value starts. */
function skipKey(b: Buffer, i: number): number {
  if (b[i] !== QUOTE) throw GIVE_UP;
  i = skipSpace(b, skipString(b, i));
  if (b[i] !== COLON) throw GIVE_UP;
  return skipSpace(b, i + 1);
}

/** The first index at or after `i` that is not JSON whitespace. */
function skipSpace(b: Buffer, i: number): number {
  for (;;) {
    const c = b[i];
    if (c === 0x20) {
      i++;
      // More than half of the AWS CLI's output is indentation: runs of spaces are skipped four
      // bytes at a time once aligned (a word of four spaces reads the same in either byte order).
      if (((i + words.offset) & 3) === 0) {
        let w = (i + words.offset) >> 2;
        const all = words.view;
        while (w < all.length && all[w] === FOUR_SPACES) w++;
        i = (w << 2) - words.offset;
      }
    } else if (c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

const FOUR_SPACES = 0x20202020;

/**
 * The scanned bytes as aligned 32-bit words: byte i of the buffer is byte i + offset of `view`
 * (offset may be negative: the buffer's first bytes before the first aligned word have none).
 */
let words: { view: Uint32Array<ArrayBufferLike>; offset: number } = {
  view: new Uint32Array(0),
  offset: 0,
};

function wordsOf(b: Buffer): { view: Uint32Array<ArrayBufferLike>; offset: number } {
  const first = (b.byteOffset + 3) & ~3;
  const count = Math.max(0, Math.floor((b.byteOffset + b.length - first) / 4));
  return { view: new Uint32Array(b.buffer, first, count), offset: b.byteOffset - first };
}

// ", \, /, b, f, n, r, t
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined &&
    ((c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

// An optional string field: absent or null → undefined; a string; anything else the parse refuses.
function optional(value: Kept | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === OTHER) throw GIVE_UP;
  return value;
}
