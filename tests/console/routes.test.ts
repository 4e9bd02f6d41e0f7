// The console's routes over HTTP, on an in-process local stack: the pages, the assets, the
// state as JSON and as Server-Sent Events (pushed on change only), the OpenAPI document.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsole } from '../../src/console/routes.ts';
import { type ConsoleState, consoleStateReader } from '../../src/console/state.ts';
import { appendHistory, historyPathFor } from '../../src/state/history.ts';
import { startTestStack } from '../local/helpers.ts';

let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  stack = await startTestStack({
    registerRoutes: (routes, { stateDir }) => registerConsole(routes, { stateDir }),
  });
});

afterAll(async () => {
  await stack?.close();
});

/** Reads Server-Sent Events from `url`, `state` events parsed. */
async function openEvents(url: string) {
  const abort = new AbortController();
  const answer = await fetch(url, { signal: abort.signal });
  if (answer.body === null) throw new Error('the event stream has no body');
  const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  // A read that timed out stays pending; the next call waits for it, so no chunk is lost.
  let pending: ReturnType<typeof reader.read> | undefined;
  const next = async (timeoutMs: number): Promise<ConsoleState | undefined> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^event: state\ndata: (.*)$/m.exec(block);
        if (data?.[1] !== undefined) return JSON.parse(data[1]) as ConsoleState;
        continue;
      }
      const left = until - Date.now();
      if (left <= 0) return undefined;
      pending ??= reader.read();
      const chunk = await Promise.race([
        pending,
        new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), left)),
      ]);
      if (chunk === 'timeout') return undefined;
      pending = undefined;
      if (chunk.done) return undefined;
      buffer += chunk.value;
    }
  };
  return { answer, next, close: () => abort.abort() };
}

describe('console routes', () => {
  it('serves the page at / and /_stagecraft/console, with its script and style sheet', async () => {
    for (const path of ['/', '/_stagecraft/console']) {
      const page = await fetch(`${stack.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await page.text();
      expect(html).toContain('<script type="module" src="/_stagecraft/assets/console.js">');
      expect(html).toContain('data-page="console"');
    }
    const script = await fetch(`${stack.url}/_stagecraft/assets/console.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('EventSource');
    const style = await fetch(`${stack.url}/_stagecraft/assets/console.css`);
    expect(await style.text()).toContain('prefers-color-scheme: dark');
  });

  it('gzips for clients that take it', async () => {
    const { request } = await import('node:http');
    const raw = await new Promise<{ encoding?: string; body: Buffer }>((done, fail) => {
      request(`${stack.url}/_stagecraft/assets/console.js`, {
        headers: { 'accept-encoding': 'gzip' },
      })
        .on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            done({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }),
          );
        })
        .on('error', fail)
        .end();
    });
    expect(raw.encoding).toBe('gzip');
    expect(gunzipSync(raw.body).toString()).toContain('EventSource');
  });

  it('answers the state as JSON: aliases, versions, history newest first', async () => {
    const state = (await (await fetch(`${stack.url}/_stagecraft/state`)).json()) as ConsoleState;
    expect(state.status?.aliases.prod).toMatchObject({ version: '1' });
    expect(state.status?.aliases.staging).toMatchObject({ version: '$LATEST' });
    expect(state.history.map((entry) => entry.stage)).toEqual(['prod', 'staging']);
    expect(state.verification).toBeNull();
    expect(state.problem).toBeUndefined();
  });

  it('streams the state: once on connect, again on a change, not while nothing changes', async () => {
    const events = await openEvents(`${stack.url}/_stagecraft/events`);
    try {
      expect(events.answer.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const first = await events.next(5000);
      expect(first?.history_total).toBe(2);
      expect(await events.next(800)).toBeUndefined(); // nothing changed: nothing sent
      await appendHistory(historyPathFor(stack.stateDir), {
        at: new Date().toISOString(),
        user: 'test',
        command: 'release rollback',
        action: 'rollback',
        stage: 'prod',
        from: '2',
        to: '1',
        forced: false,
      });
      const changed = await events.next(2000);
      expect(changed?.history_total).toBe(3);
      expect(changed?.history[0]).toMatchObject({ action: 'rollback', from: '2', to: '1' });
    } finally {
      events.close();
    }
  });

  it('serves the OpenAPI document with one server per stage, named by what it serves', async () => {
    const doc = (await (await fetch(`${stack.url}/_stagecraft/openapi.json`)).json()) as {
      openapi: string;
      servers: unknown[];
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([
      { url: '/staging', description: 'staging → $LATEST' },
      { url: '/prod', description: 'prod → version 1' },
    ]);
    expect(Object.keys(doc.paths['/user/{id}'] ?? {})).toEqual(['get', 'post', 'delete']);
    const page = await fetch(`${stack.url}/_stagecraft/api`);
    expect(await page.text()).toContain('data-page="api"');
  });

  it('leaves other internal paths to the gateway', async () => {
    const answer = await fetch(`${stack.url}/_stagecraft/nothing-here`);
    await answer.arrayBuffer();
    // API Gateway's (emulated) answer to an unmapped path, not a console page.
    expect(answer.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  it('reports a damaged state file on the page instead of failing', async () => {
    const path = historyPathFor(stack.stateDir);
    const { readFile, writeFile } = await import('node:fs/promises');
    const good = await readFile(path, 'utf8');
    try {
      await writeFile(path, `not json\n${good}`);
      const state = (await (await fetch(`${stack.url}/_stagecraft/state`)).json()) as ConsoleState;
      expect(state.problem).toContain('history.jsonl');
      expect(state.history).toEqual([]);
      expect(state.status?.aliases.prod.version).toBe('1'); // the rest is still read
    } finally {
      await writeFile(path, good);
    }
  });
});

describe('the event stream', () => {
  it('reads the state only while a page listens', async () => {
    let reads = 0;
    const own = await startTestStack({
      registerRoutes: (routes, { stateDir }) => {
        const read = consoleStateReader(stateDir);
        return registerConsole(routes, {
          stateDir,
          read: () => {
            reads += 1;
            return read();
          },
        });
      },
    });
    try {
      await new Promise((done) => setTimeout(done, 600));
      expect(reads).toBe(0); // no page: nothing read
      const events = await openEvents(`${own.url}/_stagecraft/events`);
      expect(await events.next(5000)).toBeDefined();
      await new Promise((done) => setTimeout(done, 1000));
      expect(reads).toBeGreaterThanOrEqual(3); // polled every 250 ms
      events.close();
      await new Promise((done) => setTimeout(done, 300)); // the server sees the close
      const after = reads;
      await new Promise((done) => setTimeout(done, 800));
      expect(reads).toBe(after);
    } finally {
      await own.close();
    }
  });
});
