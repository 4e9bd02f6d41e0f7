import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/ssh/diff.ts';

const labels = { old: 'a/config', new: 'b/config' };

/** Applies a unified diff strictly: every context and removed line must match. */
function applyPatch(before: string, patch: string): string {
  const lines = before === '' ? [] : before.split('\n');
  const oldNoEol = before !== '' && !before.endsWith('\n');
  if (!oldNoEol && before !== '') lines.pop();
  const out: string[] = [];
  let cursor = 0;
  let newNoEol = false;
  const body = patch.split('\n').slice(2, -1);
  for (let i = 0; i < body.length; i++) {
    const row = body[i] ?? '';
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(row);
    if (header) {
      const start = Number(header[1]) - (header[2] === '0' ? 0 : 1);
      while (cursor < start) out.push(lines[cursor++] ?? '');
      continue;
    }
    const marked = body[i + 1] === '\\ No newline at end of file';
    if (marked) i++;
    if (row.startsWith(' ') || row.startsWith('-')) {
      expect(lines[cursor]).toBe(row.slice(1));
      cursor++;
    }
    if (row.startsWith(' ') || row.startsWith('+')) {
      out.push(row.slice(1));
      if (marked) newNoEol = true;
    }
  }
  // Lines after the last hunk are copied, and with them the old file's final line break.
  const tail = cursor < lines.length;
  while (cursor < lines.length) out.push(lines[cursor++] ?? '');
  if (out.length === 0) return '';
  return out.join('\n') + ((tail ? oldNoEol : newNoEol) ? '' : '\n');
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', labels)).toBe('');
  });

  it('shows one hunk with three lines of context, in diff -u format', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n') + '\n';
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8', '9'].join('\n') + '\n';
    expect(unifiedDiff(before, after, labels)).toBe(
      [
        '--- a/config',
        '+++ b/config',
        '@@ -2,7 +2,7 @@',
        ' 2',
        ' 3',
        ' 4',
        '-5',
        '+five',
        ' 6',
        ' 7',
        ' 8',
        '',
      ].join('\n'),
    );
  });

  it('describes a new file as additions from /dev/null', () => {
    expect(unifiedDiff('', 'x\ny\n', { old: '/dev/null', new: 'config' })).toBe(
      '--- /dev/null\n+++ config\n@@ -0,0 +1,2 @@\n+x\n+y\n',
    );
  });

  it('marks a missing final line break', () => {
    expect(unifiedDiff('a\nb', 'a\nb\nc\n', labels)).toBe(
      '--- a/config\n+++ b/config\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n',
    );
  });

  it('keeps the \\r of CRLF lines, so the diff applies to the file as it is', () => {
    const patch = unifiedDiff('a\r\nb\r\n', 'a\r\nc\r\n', labels);
    expect(patch).toContain('-b\r\n+c\r\n');
    expect(applyPatch('a\r\nb\r\n', patch)).toBe('a\r\nc\r\n');
  });

  it('splits distant changes into separate hunks', () => {
    const before = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const after = [...before];
    after[2] = 'changed 2';
    after[25] = 'changed 25';
    const patch = unifiedDiff(before.join('\n') + '\n', after.join('\n') + '\n', labels);
    expect(patch.match(/^@@ .* @@$/gm)).toEqual(['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
  });

  it('shows only the changed host when one host is added to a large block', () => {
    const entry = (i: number) => [
      `# i-${i}`,
      `Host h${i}`,
      `  HostName 10.0.${i >> 8}.${i & 255}`,
      '',
    ];
    const ids = Array.from({ length: 2000 }, (_, i) => i);
    const before = ids
      .filter((i) => i !== 1000)
      .flatMap(entry)
      .join('\n');
    const after = ids.flatMap(entry).join('\n');
    const patch = unifiedDiff(before, after, labels);
    const changes = patch.split('\n').filter((l) => /^[+-]/.test(l) && !/^(\+\+\+|---) /.test(l));
    // Myers may place the blank separator line before or after the entry; both are minimal.
    expect(changes.sort()).toEqual(['+', '+  HostName 10.0.3.232', '+# i-1000', '+Host h1000']);
    expect(applyPatch(before, patch)).toBe(after);
  });

  it('falls back to remove-all/add-all when the texts share almost nothing, still correct', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `old ${i}`).join('\n') + '\n';
    const after = Array.from({ length: 3000 }, (_, i) => `new ${i}`).join('\n') + '\n';
    const patch = unifiedDiff(before, after, labels);
    expect(applyPatch(before, patch)).toBe(after);
  });

  it('produces a patch that turns before into after, for any two texts', () => {
    const text = fc
      .array(fc.constantFrom('a', 'b', 'c', 'Host x', '', '\r'), { maxLength: 25 })
      .chain((lines) =>
        fc
          .boolean()
          .map((finalBreak) => lines.join('\n') + (finalBreak && lines.length > 0 ? '\n' : '')),
      );
    fc.assert(
      fc.property(text, text, (before, after) => {
        const patch = unifiedDiff(before, after, labels);
        expect(patch === '').toBe(before === after);
        if (patch !== '') expect(applyPatch(before, patch)).toBe(after);
      }),
      { numRuns: 500 },
    );
  });
});
