// A structured logger small enough for the cold-start budget: one JSON object per line, written
// through an injectable sink. Fields below the threshold are never serialised.

/** Log levels, in increasing severity. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One log record's fields besides level, message and timestamp. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /**
   * Lowest level written.
   * @default env AWS_LAMBDA_LOG_LEVEL or LOG_LEVEL (lower-cased), else 'info'
   */
  readonly level?: LogLevel;
  /**
   * Receives each line (without the newline).
   * @default writes the line and a newline to stdout
   */
  readonly sink?: (line: string) => void;
  /**
   * Clock for the `timestamp` field.
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

/** A structured logger: each call writes one JSON line. */
export interface Logger {
  /** Writes a record at `level`, when enabled. */
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

/** The level named by `value` (case-insensitive), or undefined. */
export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  const level = value?.toLowerCase();
  return level !== undefined && Object.hasOwn(SEVERITY, level) ? (level as LogLevel) : undefined;
}

/** Creates a logger; reads the environment only for a level not given. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level =
    options.level ??
    parseLogLevel(process.env.AWS_LAMBDA_LOG_LEVEL) ??
    parseLogLevel(process.env.LOG_LEVEL) ??
    'info';
  const threshold = SEVERITY[level];
  const sink = options.sink ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  return {
    log(recordLevel, message, fields = {}) {
      if (SEVERITY[recordLevel] < threshold) return;
      sink(
        JSON.stringify({
          level: recordLevel,
          message,
          timestamp: now().toISOString(),
          ...fields,
        }),
      );
    },
  };
}

/** The fields to log for a thrown value: name, message and stack (never sent to a client). */
export function errorFields(error: unknown): LogFields {
  return { error: describeError(error, 0) };
}

// Causes are followed three deep: enough to see why, and safe against a cycle.
function describeError(error: unknown, depth: number): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: safeString(error) };
  const described: Record<string, unknown> = {
    name: error.name,
    message: error.message,
    stack: error.stack,
  };
  if (error.cause !== undefined && depth < 3)
    described.cause = describeError(error.cause, depth + 1);
  return described;
}

// String() throws for an object without a prototype; a log call must never throw.
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
