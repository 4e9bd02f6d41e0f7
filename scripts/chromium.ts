// Headless Chromium for the console's browser tests and `npm run screenshot`: the Chromium
// shipped inside the npm package @sparticuz/chromium (no download, no system package), driven
// by playwright-core.
//
// @sparticuz/chromium decompresses its binary into os.tmpdir() and trusts any file already
// there, so two test processes starting at once could run a half-written binary. Here it is
// decompressed once per machine into a private folder (a mkdir lock; the folder is renamed
// into place only when complete), and once per process the path is remembered.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import { type BrowserContext, chromium as playwright } from 'playwright-core';

/** The launch flags for a machine without network (issue 14). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const LOCK_STALE_MS = 120_000;
let executable: Promise<string> | undefined;

/** The Chromium binary, decompressed on first use (once per machine, see the top comment). */
export function chromiumExecutable(): Promise<string> {
  executable ??= extractOnce();
  return executable;
}

async function extractOnce(): Promise<string> {
  const base = join(tmpdir(), `stagecraft-chromium-${process.getuid?.() ?? 'user'}`);
  const binary = join(base, 'chromium');
  const lock = `${base}.lock`;
  const until = Date.now() + 180_000;
  while (!existsSync(binary)) {
    if (Date.now() > until) throw new Error(`Chromium was not extracted to ${base} in time`);
    try {
      await mkdir(lock);
    } catch {
      // Another process extracts; take over a lock left by one that died.
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
      await new Promise((done) => setTimeout(done, 200));
      continue;
    }
    try {
      if (!existsSync(binary)) await extractInto(base);
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  return binary;
}

// @sparticuz/chromium extracts into os.tmpdir(), which follows $TMPDIR: point it at a
// private folder for the call, then move the complete folder into place.
async function extractInto(base: string): Promise<void> {
  const staging = await mkdtemp(`${base}.part-`);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    await chromium.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  await rm(base, { recursive: true, force: true });
  await rename(staging, base);
}

/** A headless browser context on a fresh profile; `close()` also removes the profile. */
export async function launchBrowser(
  options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<BrowserContext> {
  const executablePath = await chromiumExecutable();
  const profile = await mkdtemp(join(tmpdir(), 'stagecraft-browser-'));
  const context = await playwright.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    ...(options.colorScheme !== undefined && { colorScheme: options.colorScheme }),
  });
  context.on('close', () => void rm(profile, { recursive: true, force: true }));
  return context;
}
