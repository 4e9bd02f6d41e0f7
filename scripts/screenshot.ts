// `npm run screenshot`: the README's picture of the release console (docs/images/console.png).
// Starts the local stack in this process on a temp state dir with the release console, makes
// a second version (a marker added to a wrapper of the real handler), verifies it and starts a
// `release rollout` (25 %, then 100 % after ten minutes; bin/stagecraft in a child process),
// sends a little traffic, and photographs the page at 1280 wide in headless Chromium (see
// scripts/chromium.ts) while the rollout judges its first step. The rollout is then
// interrupted (it rolls back) and everything removed.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { registerConsole } from '../src/console/routes.ts';
import { PROJECT_ROOT, sourcePath } from '../src/config/project-paths.ts';
import { startLocalStack } from '../src/local/stack.ts';
import { DEFAULT_STATE_DIR } from '../src/state/layout.ts';
import { launchBrowser } from './chromium.ts';

const OUTPUT = join(PROJECT_ROOT, 'docs', 'images', 'console.png');
const temp = await mkdtemp(join(tmpdir(), 'stagecraft-screenshot-'));
const entry = join(temp, 'handler.ts');
// The default state dir of the temp project, so history shows the commands as typed.
const stateDir = join(temp, DEFAULT_STATE_DIR);

// The real handler; `release` only makes the bundle (and so the code sha256) differ.
const wrapper = (release: string) =>
  `import { handler } from ${JSON.stringify(sourcePath('service/handler.ts'))};\n` +
  `(globalThis as Record<string, unknown>).screenshotRelease = ${JSON.stringify(release)};\n` +
  'export { handler };\n';

// As bin/stagecraft does: the pinned AWS SDK's Node-version notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function cli(...argv: string[]): Promise<void> {
  const { main } = await import('../src/cli/main.ts');
  let out = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      out += String(chunk);
      done();
    },
  });
  const code = await main({
    argv,
    cwd: temp,
    stdout: sink,
    stderr: sink,
    stdin: new PassThrough(),
    env: process.env,
  });
  if (code !== 0) throw new Error(`stagecraft ${argv.join(' ')} failed:\n${out}`);
}

await writeFile(entry, wrapper('1'));
const stack = await startLocalStack({
  port: 0,
  stateDir,
  entry,
  watch: false,
  functionLogs: null,
  log: () => undefined,
  registerRoutes: (routes, { stateDir: dir }) => registerConsole(routes, { stateDir: dir }),
});
try {
  await writeFile(entry, wrapper('2'));
  await stack.rebuild();
  await cli('release', 'verify');
  const rollout = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin/stagecraft'),
      'release',
      'rollout',
      '--steps',
      '25,100',
      '--interval',
      '10m',
      '--tick',
      '2s',
    ],
    { cwd: temp, stdio: 'ignore' },
  );
  const rolloutExited = new Promise((done) => rollout.once('exit', done));

  const browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/`);
    await page.locator('#live[data-status="live"]').waitFor();
    // A little traffic (bounded: 8 s at most), so the charts have something to show.
    const until = Date.now() + 8000;
    for (let i = 0; Date.now() < until && i < 400; i++) {
      const stage = i % 3 === 0 ? 'staging' : 'prod';
      const answer = await fetch(
        `${stack.url}/${stage}/user/shot${String(i % 50).padStart(5, '0')}`,
      );
      await answer.arrayBuffer();
      await new Promise((done) => setTimeout(done, 20));
    }
    await page.waitForTimeout(2500); // one more metrics poll
    await page
      .locator('.rollout[data-rollout-state="running"] [data-side="canary"]')
      .waitFor({ timeout: 10_000 });
    await page.screenshot({ path: OUTPUT, fullPage: true });
    console.log(
      `stagecraft: console screenshot written to ${OUTPUT.slice(PROJECT_ROOT.length + 1)}`,
    );
  } finally {
    await browser.close();
    rollout.kill('SIGINT'); // rolls back
    await Promise.race([rolloutExited, new Promise((done) => setTimeout(done, 10_000))]);
    if (rollout.exitCode === null) rollout.kill('SIGKILL');
  }
} finally {
  await stack.stop();
  await rm(temp, { recursive: true, force: true });
}
