import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STATE_DIR,
  FUNCTION_FILES,
  STATE_FILES,
  stateLayout,
} from '../../src/state/layout.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe('state dir layout', () => {
  it('spells every path of a state dir from one place', () => {
    const layout = stateLayout('/s');
    expect(layout.history).toBe('/s/history.jsonl');
    expect(layout.releaseLock).toBe('/s/release.lock');
    expect(layout.devLock).toBe('/s/dev.lock');
    expect(layout.verification).toBe('/s/verification.json');
    expect(layout.aliasMove).toBe('/s/alias-move.json');
    expect(layout.dynamodb).toBe('/s/dynamodb');
    const fn = layout.fn('example');
    expect(fn.aliases).toBe('/s/lambda/example/aliases.json');
    expect(fn.latestRecord).toBe('/s/lambda/example/latest/latest.json');
    expect(fn.latestCode).toBe('/s/lambda/example/latest/index.mjs');
    expect(fn.versionRecord('3')).toBe('/s/lambda/example/versions/3/version.json');
    expect(fn.versionCode('3')).toBe('/s/lambda/example/versions/3/index.mjs');
  });

  it('is the only source file that spells the default dir or a state file name', async () => {
    const names = [
      DEFAULT_STATE_DIR,
      ...Object.values(STATE_FILES).filter((name) => name.includes('.')),
      FUNCTION_FILES.aliases,
      FUNCTION_FILES.latestRecord,
      FUNCTION_FILES.versionRecord,
    ];
    const offenders: string[] = [];
    for (const file of await sourceFiles(SRC)) {
      if (file.endsWith('state/layout.ts')) continue;
      // Comments may name files for the reader; code must ask layout.ts.
      const code = (await readFile(file, 'utf8'))
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      for (const name of names) {
        if (
          code.includes(`'${name}'`) ||
          code.includes(`"${name}"`) ||
          code.includes(`\`${name}\``)
        ) {
          offenders.push(`${relative(SRC, file)}: ${name}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
