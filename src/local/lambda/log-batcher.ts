/**
 * Where the functions' logs meet the dev server's output: chunks from every worker are queued
 * and written together once per turn of the event loop, in arrival order. Piping each worker's
 * stdout straight through made one synchronous write per log line on the gateway's thread
 * (the handler logs a line per request), which the profile of issue 12 showed among its costs.
 */

/** Collects log chunks and writes them in one batch per event-loop turn. */
export class LogBatcher {
  private queued: Buffer[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  /** @param output where the batches go */
  constructor(private readonly output: NodeJS.WritableStream) {}

  /** Queues a chunk; it is written before the next turn's I/O. */
  write(chunk: Buffer): void {
    this.queued.push(chunk);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Writes what is queued now (also at shutdown, so nothing logged is lost). */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.queued.length === 0) return;
    const batch = this.queued.length === 1 ? this.queued[0] : Buffer.concat(this.queued);
    this.queued = [];
    if (batch !== undefined) this.output.write(batch);
  }
}
