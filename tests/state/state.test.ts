import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStagecraftError } from '../../src/errors.ts';
import { createProgress } from '../../src/release/progress.ts';
import { appendHistory, readHistory } from '../../src/state/history.ts';
import { readVerification } from '../../src/state/verification.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stagecraft-state-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const entry = (to: string) => ({
  at: '2024-01-01T00:00:00Z',
  user: 'u',
  command: 'c',
  to,
  forced: false,
});

describe('history.jsonl', () => {
  it('appends entries as lines and reads them back in order', async () => {
    const path = join(dir, 'history.jsonl');
    expect(await readHistory(path)).toEqual([]);
    await appendHistory(path, entry('1'));
    await appendHistory(path, entry('2'));
    expect((await readHistory(path)).map((e) => e.to)).toEqual(['1', '2']);
  });

  it('skips a torn last line (a crash mid-append) but refuses damage elsewhere', async () => {
    const path = join(dir, 'history.jsonl');
    await appendHistory(path, entry('1'));
    await appendFile(path, '{"at":"2024-01-01T00:00:0');
    expect((await readHistory(path)).map((e) => e.to)).toEqual(['1']);
    // The next append cuts the torn line off instead of gluing itself onto it.
    await appendHistory(path, entry('2'));
    expect((await readHistory(path)).map((e) => e.to)).toEqual(['1', '2']);
    await writeFile(path, `not json\n${JSON.stringify(entry('3'))}\n`);
    const error = await readHistory(path).catch((e: unknown) => e);
    expect(isStagecraftError(error, 'state.corrupt')).toBe(true);
    expect((error as Error).message).toContain('line 1');
  });
});

describe('verification.json', () => {
  it('is absent before the first verify, and a damaged file is named', async () => {
    const path = join(dir, 'verification.json');
    expect(await readVerification(path)).toBeUndefined();
    await writeFile(path, '{"passed": true}');
    expect(
      isStagecraftError(await readVerification(path).catch((e: unknown) => e), 'state.corrupt'),
    ).toBe(true);
  });
});

describe('progress', () => {
  function stream(isTTY: boolean) {
    let text = '';
    return { isTTY, write: (chunk: string) => (text += chunk), text: () => text };
  }

  it('draws a task list with ✔/✖ on a TTY', async () => {
    const tty = stream(true);
    const progress = createProgress(tty, { enabled: true });
    await progress.task('publish', async () => 2);
    await progress
      .task('point prod', async () => Promise.reject(new Error('no')))
      .catch(() => undefined);
    expect(tty.text()).toMatch(/✔ publish \(\d+ ms\)\n/);
    expect(tty.text()).toMatch(/✖ point prod \(\d+ ms\)\n/);
  });

  it('is silent in a pipe and with --json', async () => {
    const pipe = stream(false);
    await createProgress(pipe, { enabled: true }).task('x', async () => 1);
    const json = stream(true);
    await createProgress(json, { enabled: false }).task('x', async () => 1);
    expect(pipe.text() + json.text()).toBe('');
  });
});
