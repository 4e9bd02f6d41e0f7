// Runs `stagecraft` in this process (as bin/stagecraft does) and captures its output.
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

/** The streams a command writes to, and what was written. */
export function streams() {
  const out = sink();
  const err = sink();
  return { stdout: out.stream, stderr: err.stream, out: out.text, err: err.text };
}

/** Runs `main` with `argv` in `cwd`. */
export async function runMain(argv: string[], cwd = process.cwd()) {
  const io = streams();
  const code = await main({
    argv,
    cwd,
    stdout: io.stdout,
    stderr: io.stderr,
    stdin: new PassThrough(),
    env: process.env,
  });
  return { code, stdout: io.out(), stderr: io.err() };
}
