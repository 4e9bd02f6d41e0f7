/**
 * Watch mode: a saved file under the source directory triggers one rebuild after the burst of
 * events an editor makes has settled; a save during a rebuild triggers one more afterwards.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';

/** Options for {@link watchSources}. */
export interface SourceWatcherOptions {
  /** The directory watched, recursively. */
  readonly dir: string;
  /**
   * Quiet time (ms) after the last event before rebuilding.
   * @default 100
   */
  readonly debounceMs?: number;
  /** The rebuild; its errors are reported through `log`, and watching goes on. */
  readonly rebuild: () => Promise<void>;
  /** Progress and problems. */
  readonly log: (line: string) => void;
  /**
   * Changes to ignore, by path relative to `dir` (a state dir or `node_modules` inside it).
   * @default nothing ignored
   */
  readonly ignore?: (relativePath: string) => boolean;
}

/** A running watcher. */
export interface SourceWatcher {
  /** Stops watching and waits for a rebuild in progress. */
  close(): Promise<void>;
}

/** Starts watching `dir` and rebuilding on change. */
export function watchSources(options: SourceWatcherOptions): SourceWatcher {
  const debounceMs = options.debounceMs ?? 100;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const run = () => {
    timer = undefined;
    if (closed) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = options
      .rebuild()
      .catch((error: unknown) => options.log(`rebuild failed: ${(error as Error).message}`))
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule();
        }
      });
  };
  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  };

  const watcher: FSWatcher = watch(options.dir, { recursive: true }, (_event, filename) => {
    if (filename !== null && options.ignore?.(filename.toString()) === true) return;
    schedule();
  });
  watcher.on('error', (error) => options.log(`watching ${options.dir} failed: ${error.message}`));

  return {
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      watcher.close();
      await running;
    },
  };
}
