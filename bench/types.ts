/** One benchmark: a named section of the report, each field a measured figure. */
export interface Benchmark {
  /** Section name in the JSON report, e.g. `contention`. */
  readonly name: string;
  /** What it measures, for the human-readable output. */
  readonly description: string;
  /** Runs the benchmark; `log` writes progress to stderr. */
  run(log: (line: string) => void): Promise<Record<string, number | string | boolean>>;
}
