// Runs `stagecraft` in this process (as bin/stagecraft does) and captures its output; the
// runner itself is the release tests' (tests/release/cli-helpers.ts).
import { runCli, sink } from '../release/cli-helpers.ts';

/** The streams a command writes to, and what was written. */
export function streams() {
  const out = sink();
  const err = sink();
  return { stdout: out.stream, stderr: err.stream, out: out.text, err: err.text };
}

/** Runs `main` with `argv` in `cwd`. */
export const runMain = runCli;
