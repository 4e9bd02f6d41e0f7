/**
 * The Lambda runtime emulation that runs inside each worker thread: imports one bundle once
 * (the init phase), then runs invocations posted by the runner with a Lambda `Context`.
 *
 * It is compiled on its own with esbuild and started with plain Node, so it runs the same way
 * whatever loader the server uses (tsx, vitest), as the real runtime runs plain JavaScript.
 * It must import nothing but Node built-ins.
 */
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import type {
  FunctionErrorPayload,
  InvokeAnswer,
  InvokeBatch,
  InvokeMessage,
  RuntimeInit,
  RuntimeMessage,
} from './protocol.ts';

type Handler = (event: unknown, context: Context, callback: Callback) => unknown;
type Callback = (error?: unknown, result?: unknown) => void;

const init = workerData as RuntimeInit;
const port = parentPort;
if (port === null) throw new Error('the Lambda runtime only runs in a worker thread');

const post = (message: RuntimeMessage) => port.postMessage(message);

// Answers are sent together once the current turn's microtasks are done (one message per turn
// rather than one per invocation), and at the latest when the thread exits (process.exit, an
// uncaught exception), so an answer given before a crash still arrives.
let answers: InvokeAnswer[] = [];
const sendAnswers = () => {
  if (answers.length === 0) return;
  const batch = answers;
  answers = [];
  post({ type: 'answers', answers: batch });
};
const answer = (message: InvokeAnswer) => {
  if (answers.push(message) === 1) process.nextTick(sendAnswers);
};
process.on('exit', sendAnswers);

if (init.logFd !== undefined) writeLogsTo(init.logFd);

// The function's stdout and stderr written to `fd` from this thread, each chunk at once and
// synchronously (so a line logged before a hang or a crash is not lost). Through the worker's
// stdio streams every chunk cost two messages between the threads (the chunk, and the stream's
// request for more) and work on the server's thread; the issue-12 profile showed them among the
// gateway's largest costs. A write the descriptor refuses (EAGAIN on a non-blocking pipe) goes
// the old way, through the stream.
function writeLogsTo(fd: number): void {
  for (const stream of [process.stdout, process.stderr]) {
    const viaParent = stream.write.bind(stream) as (
      chunk: string | Uint8Array,
      encoding?: BufferEncoding,
      callback?: (error?: Error | null) => void,
    ) => boolean;
    const write = (
      chunk: string | Uint8Array,
      encodingOrCallback?: BufferEncoding | ((error?: Error | null) => void),
      maybeCallback?: (error?: Error | null) => void,
    ): boolean => {
      const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined;
      const callback =
        typeof encodingOrCallback === 'function' ? encodingOrCallback : maybeCallback;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
      let written = 0;
      try {
        while (written < bytes.byteLength) written += writeSync(fd, bytes, written);
      } catch {
        return viaParent(bytes.subarray(written), undefined, callback);
      }
      if (callback !== undefined) process.nextTick(callback);
      return true;
    };
    stream.write = write as typeof stream.write;
  }
}

const loaded: Promise<Handler> = import(pathToFileURL(init.codePath).href).then(
  (module: Record<string, unknown>) => {
    const handler = module[init.handlerName];
    if (typeof handler !== 'function') {
      throw namedError(
        'Runtime.HandlerNotFound',
        `index.${init.handlerName} is undefined or not exported`,
      );
    }
    return handler as Handler;
  },
);
loaded.then(
  () => post({ type: 'ready' }),
  (error: unknown) => post({ type: 'init-error', error: describe(error) }),
);

port.on('message', (batch: InvokeBatch) => {
  for (const message of batch) void run(message);
});

async function run(message: InvokeMessage): Promise<void> {
  let handler: Handler;
  try {
    handler = await loaded;
  } catch {
    return; // reported once as init-error; the runner fails the invocation
  }
  try {
    const event: unknown = JSON.parse(message.eventJson);
    const result = await callHandler(handler, event, contextFor(message));
    let payload: string;
    try {
      // Lambda hands API Gateway the JSON of the result, so serialise exactly as it does.
      payload = JSON.stringify(result === undefined ? null : result) ?? 'null';
    } catch (error) {
      throw namedError(
        'Runtime.MarshalError',
        `Unable to stringify response body: ${String(error)}`,
      );
    }
    answer({ type: 'result', id: message.id, payload });
  } catch (error) {
    const payload = describe(error);
    // The Node runtime logs a failed invocation like this to CloudWatch.
    console.error(
      `${new Date().toISOString()}\t${message.awsRequestId}\tERROR\tInvoke Error \t${JSON.stringify(
        {
          ...payload,
          stack: error instanceof Error ? error.stack?.split('\n') : undefined,
        },
      )}`,
    );
    answer({ type: 'error', id: message.id, error: payload });
  }
}

// Async handlers return a promise; older ones call back (or context.done/succeed/fail).
function callHandler(handler: Handler, event: unknown, context: Context): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback: Callback = (error, result) => {
      if (error !== undefined && error !== null) reject(error);
      else resolve(result);
    };
    context.done = callback;
    context.succeed = (result: unknown) => resolve(result);
    context.fail = (error: unknown) => reject(error);
    const returned = handler(event, context, callback);
    if (isThenable(returned)) returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  });
}

function contextFor(message: InvokeMessage): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: init.functionName,
    functionVersion: init.functionVersion,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: init.memoryLimitInMB,
    awsRequestId: message.awsRequestId,
    logGroupName: init.logGroupName,
    logStreamName: init.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    // Replaced per invocation in callHandler.
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function describe(error: unknown): FunctionErrorPayload {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  return { errorType: typeof error, errorMessage: String(error) };
}
