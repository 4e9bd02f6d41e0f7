import { ExpressionError } from './errors.ts';

/** One step of a document path: an attribute/map key name or a list index. */
export type PathSegment = string | number;

/** A document path after parsing: the caller's string (for messages) and its segments. */
export interface DocumentPath {
  /** The path as the caller wrote it, e.g. `a.b[2].c`. */
  readonly source: string;
  /** `['a', 'b', 2, 'c']`. The first segment is always a name. */
  readonly segments: readonly PathSegment[];
}

/** DynamoDB's limit on document path depth (names plus indexes). */
export const MAX_PATH_DEPTH = 32;

// An index is a plain non-negative integer; `[01]` or `[+1]` are refused rather than guessed at.
const INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Parses `a.b[2].c` into `['a', 'b', 2, 'c']`. Names are taken literally (they always travel
 * through `#` placeholders, so spaces, dashes and reserved words are fine); only `.`, `[` and `]`
 * are syntax. Throws an {@link ExpressionError} with code `expression.invalidPath` on an empty
 * segment, an unclosed or non-numeric index, or a path deeper than {@link MAX_PATH_DEPTH}.
 */
export function parsePath(source: unknown): DocumentPath {
  if (typeof source !== 'string') {
    throw invalid(String(source), `a path must be a string, got ${describe(source)}`);
  }
  if (source === '') throw invalid(source, 'the path is empty');
  const segments: PathSegment[] = [];
  let i = 0;
  // `expectName` is true at the start and after each `.`: a name must follow.
  let expectName = true;
  while (i < source.length) {
    const ch = source[i];
    if (expectName) {
      const end = findNameEnd(source, i);
      if (end === i) {
        throw invalid(source, `empty attribute name at offset ${i}`);
      }
      const name = source.slice(i, end);
      if (name.includes(']')) throw invalid(source, `unexpected "]" in "${name}"`);
      segments.push(name);
      i = end;
      expectName = false;
    } else if (ch === '.') {
      i += 1;
      expectName = true;
    } else if (ch === '[') {
      const close = source.indexOf(']', i);
      if (close === -1) throw invalid(source, `unclosed "[" at offset ${i}`);
      const digits = source.slice(i + 1, close);
      if (!INDEX.test(digits) || !Number.isSafeInteger(Number(digits))) {
        throw invalid(source, `list index "[${digits}]" is not a non-negative integer`);
      }
      segments.push(Number(digits));
      i = close + 1;
    } else {
      throw invalid(source, `expected "." or "[" at offset ${i}, found "${ch}"`);
    }
  }
  if (expectName) throw invalid(source, 'the path ends with "."');
  if (segments.length > MAX_PATH_DEPTH) {
    throw invalid(source, `${segments.length} levels deep; DynamoDB allows ${MAX_PATH_DEPTH}`);
  }
  return { source, segments };
}

function findNameEnd(source: string, start: number): number {
  let i = start;
  while (i < source.length && source[i] !== '.' && source[i] !== '[') i += 1;
  return i;
}

function invalid(source: string, reason: string): ExpressionError {
  return new ExpressionError('expression.invalidPath', `invalid path "${source}": ${reason}`);
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value;
}
