/**
 * One warm execution environment: a worker thread that imported one version's bundle. Many
 * invocations may be in flight on it at once; each has its own timeout. A timed-out or failed
 * environment is retired (no new work) and ends once nothing is left in flight on it, as
 * Lambda discards an environment after a timeout or a runtime crash.
 */
import { Worker } from 'node:worker_threads';
import type { LogBatcher } from './log-batcher.ts';
import type { InvokeAnswer, InvokeMessage, RuntimeInit, RuntimeMessage } from './protocol.ts';

/** How one invocation ended. */
export type InvokeOutcome =
  /** The handler returned; `payload` is the JSON of its result. */
  | { readonly kind: 'result'; readonly payload: string }
  /** The handler threw or rejected, or the bundle failed to load. */
  | { readonly kind: 'error'; readonly errorType: string; readonly errorMessage: string }
  /** The worker died (uncaught exception, process.exit, out of memory) mid-invocation. */
  | { readonly kind: 'crash'; readonly reason: string }
  /** No answer within the function timeout. */
  | { readonly kind: 'timeout' };

/** What the runner needs to start a worker. */
export interface FunctionWorkerOptions {
  /** The compiled runtime script (CommonJS). */
  readonly runtimeScript: string;
  /** What the runtime imports and reports. */
  readonly init: RuntimeInit;
  /** The function's environment (`process.env` inside the worker). */
  readonly env: Record<string, string>;
  /** V8 old-space limit: the function's memory size. */
  readonly memoryMb: number;
  /** Where the function's stdout/stderr go; null discards them. */
  readonly output: LogBatcher | null;
  /** Called once when the worker has exited, for the runner to forget it. */
  readonly onExit: (worker: FunctionWorker, reason: string) => void;
}

interface Pending {
  readonly resolve: (outcome: InvokeOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

/** A worker thread running one version of the function. */
export class FunctionWorker {
  /** False once the worker has been retired or has exited: send no new invocations. */
  get accepting(): boolean {
    return !this.retired && !this.exited;
  }

  /** Invocations in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Epoch ms of the last invocation, for idle reaping. */
  lastUsed = Date.now();

  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  // Invocations started in this turn, posted together when its microtasks are done.
  private queued: InvokeMessage[] = [];
  private retired = false;
  private exited = false;
  private exitReason = 'worker exited';
  private readonly exitedPromise: Promise<void>;

  constructor(private readonly options: FunctionWorkerOptions) {
    this.worker = new Worker(options.runtimeScript, {
      eval: true,
      workerData: options.init,
      env: options.env,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      // Unread output would pile up in memory, so it is always consumed.
      const output = options.output;
      if (output === null) stream.resume();
      else stream.on('data', (chunk: Buffer) => output.write(chunk));
    }
    this.worker.on('message', (message: RuntimeMessage) => this.onMessage(message));
    this.worker.on('error', (error: Error) => {
      this.exitReason = `${error.name}: ${error.message}`;
    });
    this.exitedPromise = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.exited = true;
        const reason = this.retired ? 'retired' : `${this.exitReason} (exit code ${code})`;
        this.failAll({ kind: 'crash', reason });
        options.onExit(this, reason);
        resolve();
      });
    });
  }

  /** The version this worker runs. */
  get version(): string {
    return this.options.init.functionVersion;
  }

  /** Runs one invocation; always resolves, with how it ended. */
  invoke(
    message: Omit<InvokeMessage, 'type' | 'id' | 'deadline'>,
    timeoutMs: number,
  ): Promise<InvokeOutcome> {
    if (this.exited) return Promise.resolve({ kind: 'crash', reason: this.exitReason });
    this.lastUsed = Date.now();
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settle(id, { kind: 'timeout' });
        this.retire();
      }, timeoutMs);
      this.pending.set(id, { resolve, timer });
      const invoke: InvokeMessage = {
        ...message,
        type: 'invoke',
        id,
        deadline: Date.now() + timeoutMs,
      };
      if (this.queued.push(invoke) === 1) process.nextTick(this.postQueued);
    });
  }

  // One message for every invocation started in the turn (a message wakes both threads).
  private readonly postQueued = (): void => {
    const batch = this.queued;
    this.queued = [];
    if (!this.exited) this.worker.postMessage(batch);
  };

  /** Takes no new work; the thread ends as soon as nothing is in flight on it. */
  retire(): void {
    this.retired = true;
    if (this.pending.size === 0) void this.worker.terminate();
  }

  /** Ends the thread now; whatever is in flight ends as a crash. */
  async terminate(): Promise<void> {
    this.retired = true;
    await this.worker.terminate();
    await this.exitedPromise;
  }

  private onMessage(message: RuntimeMessage): void {
    switch (message.type) {
      case 'ready':
        return;
      case 'init-error':
        // Lambda retries the init phase on the next invocation: a fresh worker will.
        this.failAll({ kind: 'error', ...message.error });
        this.retire();
        return;
      case 'answers':
        for (const answer of message.answers) this.onAnswer(answer);
        return;
    }
  }

  private onAnswer(answer: InvokeAnswer): void {
    if (answer.type === 'result') {
      this.settle(answer.id, { kind: 'result', payload: answer.payload });
    } else {
      this.settle(answer.id, { kind: 'error', ...answer.error });
    }
  }

  private settle(id: number, outcome: InvokeOutcome): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return; // already timed out: a late answer is dropped
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
    if (this.retired && this.pending.size === 0 && !this.exited) void this.worker.terminate();
  }

  private failAll(outcome: InvokeOutcome): void {
    for (const id of [...this.pending.keys()]) this.settle(id, outcome);
  }
}
