/**
 * Messages between the function runner (server side) and the runtime inside a worker thread.
 * Types only: the runtime is compiled separately and shares nothing else with the server.
 */

/** What the runtime is told when its worker starts (`workerData`). */
export interface RuntimeInit {
  /** Absolute path of the bundle (`index.mjs`) to import. */
  readonly codePath: string;
  /** The exported function to call (Lambda `Handler` `index.handler` → `handler`). */
  readonly handlerName: string;
  /** `AWS_LAMBDA_FUNCTION_NAME`. */
  readonly functionName: string;
  /** The version this worker runs: `$LATEST` or a number. */
  readonly functionVersion: string;
  /** `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, as a string like Lambda's context. */
  readonly memoryLimitInMB: string;
  /** `/aws/lambda/<name>`. */
  readonly logGroupName: string;
  /** A log stream name in Lambda's format. */
  readonly logStreamName: string;
  /**
   * A file descriptor the function's stdout and stderr are written to straight from the
   * worker (the dev server's own stdout), one synchronous write per chunk; when absent they go
   * through the worker's stdio streams to the server's thread.
   */
  readonly logFd?: number;
}

/** One invocation, posted to the runtime. */
export interface InvokeMessage {
  readonly type: 'invoke';
  /** Correlates the answer. */
  readonly id: number;
  /**
   * The event as JSON: Lambda hands a function the parse of the JSON it was invoked with, and
   * one string crosses the thread boundary faster than a structured clone of the object.
   */
  readonly eventJson: string;
  /** The Lambda request id (`context.awsRequestId`). */
  readonly awsRequestId: string;
  /** The ARN the function was invoked through, with the alias qualifier. */
  readonly invokedFunctionArn: string;
  /** Epoch ms when the invocation times out (`getRemainingTimeInMillis`). */
  readonly deadline: number;
}

/**
 * What the runner posts: the invocations started in one turn of the server's event loop, in one
 * message (each message between the threads costs a wake-up on both sides).
 */
export type InvokeBatch = readonly InvokeMessage[];

/** A function error as Lambda reports it (`X-Amz-Function-Error` payload). */
export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** One invocation's end. */
export type InvokeAnswer =
  /** The handler's result, serialised as Lambda does (JSON). */
  | { readonly type: 'result'; readonly id: number; readonly payload: string }
  /** The handler threw or rejected. */
  | { readonly type: 'error'; readonly id: number; readonly error: FunctionErrorPayload };

/** What the runtime posts back. */
export type RuntimeMessage =
  /** The bundle was imported and exports the handler. */
  | { readonly type: 'ready' }
  /** Importing the bundle failed, or it lacks the handler: every invocation fails. */
  | { readonly type: 'init-error'; readonly error: FunctionErrorPayload }
  /** The invocations that ended in one turn of the worker's event loop, in order. */
  | { readonly type: 'answers'; readonly answers: readonly InvokeAnswer[] };
