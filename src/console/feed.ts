/**
 * Live updates: `GET /_stagecraft/events` is a Server-Sent Events stream of the console state.
 * While at least one page listens, the state is re-read every {@link FeedOptions.intervalMs}
 * (a few small files) and sent when it changed; with no listener nothing runs, so an idle dev
 * server pays nothing. Each event carries the whole state: a page that reconnects (the dev
 * server restarted) is current with the first event.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleState } from './state.ts';

/** Options for {@link StateFeed}. */
export interface FeedOptions {
  /** Reads the state. */
  readonly read: () => Promise<ConsoleState>;
  /**
   * How often the state is re-read while pages listen (ms).
   * @default 250
   */
  readonly intervalMs?: number;
  /**
   * A comment line this often keeps idle connections (and proxies) open (ms).
   * @default 15000
   */
  readonly keepAliveMs?: number;
}

/** How long a page waits before reconnecting after the stream broke (the SSE `retry:`, ms). */
export const RECONNECT_MS = 1000;

/** The event stream's clients and the poll loop that serves them. */
export class StateFeed {
  readonly #clients = new Set<ServerResponse>();
  readonly #options: FeedOptions;
  #timer: NodeJS.Timeout | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  #last = '';
  #reading = false;

  constructor(options: FeedOptions) {
    this.#options = options;
  }

  /** Answers `GET /_stagecraft/events`: the current state at once, then every change. */
  async subscribe(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`retry: ${RECONNECT_MS}\n\n`);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    this.#clients.add(res);
    const drop = () => {
      this.#clients.delete(res);
      if (this.#clients.size === 0) this.#stop();
    };
    res.on('close', drop); // the page went away (or the server closes the connection)
    const state = await this.#options.read();
    this.#last = fingerprint(state);
    send(res, JSON.stringify(state));
    this.#start();
  }

  /** Ends every stream and stops polling. */
  close(): void {
    this.#stop();
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  #start(): void {
    this.#timer ??= setInterval(() => void this.#poll(), this.#options.intervalMs ?? 250);
    this.#keepAlive ??= setInterval(() => {
      for (const client of this.#clients) client.write(': keep-alive\n\n');
    }, this.#options.keepAliveMs ?? 15_000);
  }

  #stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#keepAlive);
    this.#timer = undefined;
    this.#keepAlive = undefined;
  }

  async #poll(): Promise<void> {
    if (this.#reading) return; // a slow read is not stacked on
    this.#reading = true;
    try {
      const state = await this.#options.read();
      const text = fingerprint(state);
      if (text === this.#last) return;
      this.#last = text;
      const full = JSON.stringify(state);
      for (const client of this.#clients) send(client, full);
    } finally {
      this.#reading = false;
    }
  }
}

// The state without its read time: what a change is measured by.
function fingerprint(state: ConsoleState): string {
  return JSON.stringify({ ...state, at: undefined });
}

function send(res: ServerResponse, data: string): void {
  res.write(`event: state\ndata: ${data}\n\n`);
}
