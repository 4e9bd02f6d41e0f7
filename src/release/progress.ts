/**
 * Progress for long steps: a task list on stderr with a spinner on the running step, drawn
 * only on a TTY. In a pipe, a CI log or with --json it is silent, so output stays parseable.
 */

/** A step that has started and will end once. */
export interface ProgressStep {
  /** Ends the step: ✔ when `ok`, else ✖. */
  done(ok: boolean): void;
}

/** Reports steps as they run. */
export interface Progress {
  /** Starts a named step (spinner until {@link ProgressStep.done}). */
  start(title: string): ProgressStep;
  /** Runs `fn` as a step: ✔ when it resolves, ✖ when it throws. */
  task<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** A line of information between steps. */
  note(text: string): void;
}

/** Progress that shows nothing. */
export const SILENT_PROGRESS: Progress = {
  start: () => ({ done: () => undefined }),
  task: (_title, fn) => fn(),
  note: () => undefined,
};

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** What {@link createProgress} draws on: the few members of a TTY stream it uses. */
export interface ProgressStream {
  /** Writes text. */
  write(text: string): unknown;
  /** True for a terminal. */
  readonly isTTY?: boolean;
}

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** False turns progress off (`--json`). */
  readonly enabled: boolean;
  /**
   * Spinner frame interval in ms.
   * @default 80
   */
  readonly intervalMs?: number;
}

/** A task list on `stream` when it is a TTY and `enabled`, else {@link SILENT_PROGRESS}. */
export function createProgress(stream: ProgressStream, options: ProgressOptions): Progress {
  if (!options.enabled || stream.isTTY !== true) return SILENT_PROGRESS;
  const interval = options.intervalMs ?? 80;
  const start = (title: string): ProgressStep => {
    const started = performance.now();
    let frame = 0;
    let ended = false;
    const draw = () => stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${title}`);
    draw();
    const timer = setInterval(draw, interval);
    // A spinner must never keep the process alive on its own.
    timer.unref();
    return {
      done(ok) {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        const ms = Math.round(performance.now() - started);
        stream.write(`\r\x1b[2K${ok ? '✔' : '✖'} ${title} (${ms} ms)\n`);
      },
    };
  };
  return {
    start,
    async task(title, fn) {
      const step = start(title);
      try {
        const result = await fn();
        step.done(true);
        return result;
      } catch (error) {
        step.done(false);
        throw error;
      }
    },
    note(text) {
      stream.write(`  ${text}\n`);
    },
  };
}
