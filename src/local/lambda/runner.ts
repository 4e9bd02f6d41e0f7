/**
 * Lambda emulation: invokes a version of the function in an isolated, warm worker thread, with
 * the function's environment, a Lambda context and a timeout. One worker per version code; a
 * worker that crashed or timed out is replaced on the next invocation.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { build } from 'esbuild';
import { LAMBDA_HANDLER } from '../../config/bundle-layout.ts';
import { sourcePath } from '../../config/project-paths.ts';
import { FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT_SECONDS } from '../../config/gateway.ts';
import { EMF_SWITCH_ENV } from '../../config/metrics.ts';
import { FunctionWorker } from './function-worker.ts';
import { LogBatcher } from './log-batcher.ts';
import type { InvokeOutcome } from './function-worker.ts';

export type { InvokeOutcome } from './function-worker.ts';

/** The account id in local ARNs. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** The region in local ARNs and the function's `AWS_REGION`. */
export const LOCAL_REGION = 'local';

/** The function timeout, as deployed. */
export const DEFAULT_TIMEOUT_MS = FUNCTION_TIMEOUT_SECONDS * 1000;

/** The function memory size, as deployed. */
export const DEFAULT_MEMORY_MB = FUNCTION_MEMORY_MB;

/**
 * Lambda's synchronous response payload limit: 6,291,556 bytes (6 MiB plus 100), not 6 MiB;
 * the default `MaxPayloadSize` of localstack/lambda-runtime-init, built on Lambda's runtime
 * interface (see docs/local.md, "Parity with API Gateway").
 */
export const MAX_RESPONSE_BYTES = 6_291_556;

/** Options for {@link FunctionRunner}. */
export interface FunctionRunnerOptions {
  /** The function name (`AWS_LAMBDA_FUNCTION_NAME`). */
  readonly functionName: string;
  /**
   * The function timeout in ms.
   * @default DEFAULT_TIMEOUT_MS (10 s, as deployed)
   */
  readonly timeoutMs?: number;
  /**
   * Memory size in MB: `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` and the worker's heap limit.
   * @default DEFAULT_MEMORY_MB (256, as deployed)
   */
  readonly memoryMb?: number;
  /** Environment variables of the function, beside the ones Lambda sets. */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Where the function's stdout and stderr (its logs) go; null discards them.
   * @default process.stdout
   */
  readonly output?: NodeJS.WritableStream | null;
  /**
   * A worker idle this long (ms) is stopped, as Lambda reclaims idle environments.
   * @default 600000
   */
  readonly idleMs?: number;
}

/** One invocation. */
export interface InvokeRequest {
  /** `$LATEST` or a published version. */
  readonly version: string;
  /**
   * Identifies the code: a new key for the same version (a rebuilt `$LATEST`) starts a fresh
   * worker and retires the old one.
   */
  readonly codeKey: string;
  /** The bundle to import. */
  readonly codePath: string;
  /** The alias it was invoked through (the ARN qualifier). */
  readonly alias: string;
  /** The event. */
  readonly event: unknown;
}

let runtimeScript: Promise<string> | undefined;

// Compiled once per process: see runtime.ts for why it is not loaded through the server's loader.
function compileRuntime(): Promise<string> {
  runtimeScript ??= build({
    entryPoints: [sourcePath('local/lambda/runtime.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  }).then((result) => {
    const output = result.outputFiles[0];
    if (output === undefined) throw new Error('esbuild produced no Lambda runtime');
    return output.text;
  });
  return runtimeScript;
}

/** Invokes function versions in worker threads. */
export class FunctionRunner {
  private readonly workers = new Map<string, FunctionWorker>();
  private readonly reaper: NodeJS.Timeout;
  /** The function timeout (ms): every invocation's outcome is known by then. */
  readonly timeoutMs: number;
  private readonly memoryMb: number;
  private readonly idleMs: number;
  private readonly logs: LogBatcher | null;
  private readonly logFd: number | undefined;
  private closed = false;

  /** @param options see {@link FunctionRunnerOptions} */
  constructor(private readonly options: FunctionRunnerOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.memoryMb = options.memoryMb ?? DEFAULT_MEMORY_MB;
    this.idleMs = options.idleMs ?? 600_000;
    const output = options.output === undefined ? process.stdout : options.output;
    this.logs = output === null ? null : new LogBatcher(output);
    // A stream on a file descriptor (the dev server's stdout): the workers write to it directly.
    const fd = (output as { fd?: unknown } | null)?.fd;
    this.logFd = typeof fd === 'number' ? fd : undefined;
    this.reaper = setInterval(() => this.reapIdle(), Math.min(this.idleMs, 60_000));
    this.reaper.unref();
  }

  /** Compiles the runtime ahead of the first invocation (start-up does it, not a request). */
  async prepare(): Promise<void> {
    await compileRuntime();
  }

  /** The ARN of the function qualified by an alias, as the function sees it. */
  functionArn(alias: string): string {
    return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${this.options.functionName}:${alias}`;
  }

  /** Runs one invocation; always resolves, with how it ended. */
  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    if (this.closed) return { kind: 'crash', reason: 'the runner is stopped' };
    const worker = await this.workerFor(request);
    const outcome = await worker.invoke(
      {
        eventJson: JSON.stringify(request.event) ?? 'null',
        awsRequestId: randomUUID(),
        invokedFunctionArn: this.functionArn(request.alias),
      },
      this.timeoutMs,
    );
    if (outcome.kind === 'result' && Buffer.byteLength(outcome.payload) > MAX_RESPONSE_BYTES) {
      return {
        kind: 'error',
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      };
    }
    return outcome;
  }

  /** Number of live workers (for tests and logs). */
  get workerCount(): number {
    return this.workers.size;
  }

  /** Stops every worker; invocations in flight end as crashes. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all([...this.workers.values()].map((worker) => worker.terminate()));
    this.workers.clear();
    this.logs?.flush();
  }

  private async workerFor(request: InvokeRequest): Promise<FunctionWorker> {
    const script = await compileRuntime();
    const existing = this.workers.get(request.codeKey);
    if (existing?.accepting) return existing;
    // Older code of the same version (a rebuilt $LATEST) gets no new work.
    for (const [key, worker] of this.workers) {
      if (worker.version === request.version && key !== request.codeKey) {
        worker.retire();
        this.workers.delete(key);
      }
    }
    const worker = new FunctionWorker({
      runtimeScript: script,
      init: {
        codePath: request.codePath,
        handlerName: LAMBDA_HANDLER.split('.')[1] ?? 'handler',
        functionName: this.options.functionName,
        functionVersion: request.version,
        memoryLimitInMB: String(this.memoryMb),
        logGroupName: `/aws/lambda/${this.options.functionName}`,
        logStreamName: logStreamName(request.version),
        ...(this.logFd === undefined ? {} : { logFd: this.logFd }),
      },
      env: this.environmentFor(request.version),
      memoryMb: this.memoryMb,
      output: this.logs,
      onExit: (gone) => {
        if (this.workers.get(request.codeKey) === gone) this.workers.delete(request.codeKey);
      },
    });
    this.workers.set(request.codeKey, worker);
    return worker;
  }

  // What Lambda puts in a function's environment, plus the function's own variables. The
  // developer's shell environment is deliberately not passed: the function must not depend on it.
  private environmentFor(version: string): Record<string, string> {
    const name = this.options.functionName;
    return {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: version,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(this.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(version),
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // The gateway counts per version itself (GET /_stagecraft/metrics): the function's
      // CloudWatch EMF lines would only double its log here. A function environment may set
      // it back to `on` to see them.
      [EMF_SWITCH_ENV]: 'off',
      ...this.options.environment,
    };
  }

  private reapIdle(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const [key, worker] of this.workers) {
      if (worker.inFlight === 0 && worker.lastUsed < cutoff) {
        worker.retire();
        this.workers.delete(key);
      }
    }
  }
}

function logStreamName(version: string): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}
