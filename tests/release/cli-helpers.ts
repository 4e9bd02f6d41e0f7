// Runs `stagecraft` in this process (as bin/stagecraft does) and captures its output.
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A writable stream that keeps what is written, as text. */
export function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

export async function runCli(argv: string[], cwd: string = process.cwd()): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await main({
    argv,
    cwd,
    stdout: out.stream,
    stderr: err.stream,
    stdin: new PassThrough(),
    env: process.env,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
