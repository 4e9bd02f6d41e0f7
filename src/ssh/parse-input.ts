// Turns the text given to `--from-json` into JSON documents. `aws ec2 describe-instances` prints
// one document; people also concatenate several runs (`cat a.json b.json`, one per profile) or
// wrap them in an array (`jq -s`), so all three forms are accepted.
import { SshConfigError } from './errors.ts';

const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** A parsed JSON document and where it started, so later errors can point at it. */
export interface JsonDocument {
  /** The parsed value, not yet checked. */
  readonly value: unknown;
  /** Human-readable position, e.g. `document 2 (line 40)`. */
  readonly label: string;
}

/**
 * Parses one JSON value, several concatenated JSON values, or any mix of them; a top-level array
 * counts as a list of documents. Throws {@link SshConfigError} (`input.json`) with a line and
 * column for anything that is not JSON, and for input with no document at all.
 *
 * @param text the whole input
 * @param source what the input is called in messages, e.g. the file name or `standard input`
 */
export function parseJsonDocuments(text: string, source: string): JsonDocument[] {
  // A UTF-8 BOM (Windows editors, PowerShell redirection) is not JSON, but is harmless.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new SshConfigError(
      'input.json',
      `${source} is empty; expected the JSON output of 'aws ec2 describe-instances'`,
    );
  }
  const values: { value: unknown; offset: number }[] = [];
  try {
    // Fast path: a single document, by far the most common case, parsed in one native call.
    values.push({ value: JSON.parse(body), offset: firstNonSpace(body, 0) });
  } catch {
    values.push(...splitConcatenated(body, source));
  }
  const documents: JsonDocument[] = [];
  for (const { value, offset } of values) {
    const line = lineColumn(body, offset).line;
    if (Array.isArray(value)) {
      // An array of documents: each element is one, labelled by its index.
      value.forEach((element: unknown, index) => {
        documents.push({
          value: element,
          label: `document ${documents.length + 1} (array item ${index + 1}, line ${line})`,
        });
      });
    } else {
      documents.push({ value, label: `document ${documents.length + 1} (line ${line})` });
    }
  }
  if (documents.length === 0) {
    throw new SshConfigError(
      'input.json',
      `${source} holds an empty array; expected the JSON output of 'aws ec2 describe-instances'`,
    );
  }
  return documents;
}

/**
 * Splits text into its top-level JSON values by bracket matching (skipping string contents),
 * then parses each slice. Only objects and arrays are accepted at the top level: a
 * describe-instances document is an object, and scalars are never a sensible input.
 */
function splitConcatenated(text: string, source: string): { value: unknown; offset: number }[] {
  const values: { value: unknown; offset: number }[] = [];
  let start = firstNonSpace(text, 0);
  while (start < text.length) {
    const first = text.charCodeAt(start);
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      const { line, column } = lineColumn(text, start);
      throw new SshConfigError(
        'input.json',
        `${source} is not valid JSON: unexpected '${text[start]}' at line ${line} column ${column}` +
          `; expected a JSON object (the output of 'aws ec2 describe-instances')`,
      );
    }
    const end = matchingClose(text, start);
    if (end === -1) {
      const { line } = lineColumn(text, start);
      throw new SshConfigError(
        'input.json',
        `${source} is not valid JSON: document ${values.length + 1} starting at line ${line} ` +
          `is cut off (unexpected end of input)`,
      );
    }
    const slice = text.slice(start, end + 1);
    try {
      values.push({ value: JSON.parse(slice), offset: start });
    } catch (error) {
      throw new SshConfigError(
        'input.json',
        `${source} is not valid JSON: ${describeParseError(error, text, start, values.length + 1)}`,
      );
    }
    start = firstNonSpace(text, end + 1);
  }
  return values;
}

/** Index of the bracket closing the one at `start`, or -1 when the text ends first. */
function matchingClose(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Skip the string, escapes included, so brackets inside names and tags do not count.
      for (i++; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * V8 reports either `at position N` inside the slice, which becomes a line and column in the
 * user's file, or (for unexpected tokens) a quoted excerpt of the slice, which can be huge and
 * multi-line; the excerpt is replaced by where the document starts.
 */
function describeParseError(error: unknown, text: string, sliceStart: number, index: number) {
  const message = error instanceof Error ? error.message : String(error);
  const match = / in JSON at position (\d+)/.exec(message);
  if (match?.[1] === undefined) {
    const { line, column } = lineColumn(text, sliceStart);
    const short = message.replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
    return `${short} in document ${index} (which starts at line ${line} column ${column})`;
  }
  const { line, column } = lineColumn(text, sliceStart + Number(match[1]));
  return `${message.slice(0, match.index)} at line ${line} column ${column}`;
}

function firstNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
}

/** 1-based line and column of a character offset; only used to build error messages. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
