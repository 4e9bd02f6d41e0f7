// Puts the generated block into an existing config. Works on text where one character stands for
// one byte (the caller decodes the file as latin1), so everything outside the block — other
// encodings, a BOM, stray bytes — is copied back exactly as it was.
import { SshConfigError } from './errors.ts';
import type { Markers } from './render.ts';

/** Where the block sits: `[start, end)` covers the BEGIN line up to and including END's line break. */
export interface BlockSpan {
  /** Offset of the first character of the BEGIN line. */
  readonly start: number;
  /** Offset just past the END line's line break (or the end of the text if it has none). */
  readonly end: number;
  /** Whether the END line is followed by a line break. */
  readonly endTerminated: boolean;
}

/**
 * Finds the block between the marker lines. A marker line matches when it equals the marker
 * once surrounding whitespace is ignored. Returns `undefined` when there are no markers; throws
 * {@link SshConfigError} (`config.markers`) when they are malformed (two BEGINs or ENDs, END
 * before BEGIN, one without the other), because guessing could delete the user's own entries.
 *
 * @param text the config file, one character per byte
 * @param markers the marker lines to look for
 * @param label the file name, for messages
 */
export function findBlock(text: string, markers: Markers, label: string): BlockSpan | undefined {
  const begins: { line: number; start: number }[] = [];
  const ends: { line: number; end: number; terminated: boolean }[] = [];
  let line = 0;
  for (let start = 0; start < text.length;) {
    line++;
    const newline = text.indexOf('\n', start);
    const next = newline === -1 ? text.length : newline + 1;
    const content = text.slice(start, newline === -1 ? text.length : newline).trim();
    if (content === markers.begin) begins.push({ line, start });
    else if (content === markers.end) ends.push({ line, end: next, terminated: newline !== -1 });
    start = next;
  }
  const refuse = (problem: string): never => {
    throw new SshConfigError(
      'config.markers',
      `${label}: ${problem}; the file was left unchanged. Fix the markers by hand ` +
        `(or use --marker NAME for a separate block).`,
    );
  };
  const lineList = (list: { line: number }[]) => list.map((m) => m.line).join(', ');
  if (begins.length > 1)
    refuse(`"${markers.begin}" appears ${begins.length} times (lines ${lineList(begins)})`);
  if (ends.length > 1)
    refuse(`"${markers.end}" appears ${ends.length} times (lines ${lineList(ends)})`);
  const [begin] = begins;
  const [end] = ends;
  if (begin === undefined && end === undefined) return undefined;
  if (end === undefined)
    refuse(`"${markers.begin}" on line ${begin?.line} has no "${markers.end}" after it`);
  if (begin === undefined)
    refuse(`"${markers.end}" on line ${end?.line} has no "${markers.begin}" before it`);
  if (begin !== undefined && end !== undefined && end.end <= begin.start) {
    refuse(
      `"${markers.end}" (line ${end.line}) comes before "${markers.begin}" (line ${begin.line})`,
    );
  }
  return { start: begin?.start ?? 0, end: end?.end ?? 0, endTerminated: end?.terminated ?? true };
}

/**
 * The line ending a file uses, judged by its first line break: `\r\n` files stay `\r\n`. A file
 * without any line break gets `\n`.
 *
 * @param text the config file
 */
export function lineEnding(text: string): '\n' | '\r\n' {
  const newline = text.indexOf('\n');
  return newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * Returns the config with the block in place: replacing the existing block (everything before
 * and after it untouched), or appended at the end — after a line break if the file does not end
 * with one. A replaced END line without a line break (end of file) stays without one.
 *
 * @param text the config file, one character per byte (`''` for a missing file)
 * @param blockLines the block's lines, markers included, without line endings
 * @param markers the marker lines
 * @param label the file name, for messages
 */
export function spliceBlock(
  text: string,
  blockLines: readonly string[],
  markers: Markers,
  label: string,
): string {
  const eol = lineEnding(text);
  const block = blockLines.join(eol);
  const span = findBlock(text, markers, label);
  if (span !== undefined) {
    const after = span.endTerminated ? eol : '';
    return text.slice(0, span.start) + block + after + text.slice(span.end);
  }
  if (text === '') return block + eol;
  const separator = text.endsWith('\n') ? '' : eol;
  return text + separator + block + eol;
}
