// Issue 10: a client that paused longer than Node's default 5 s keep-alive timeout (a script
// blocked in `execSync` of release commands) reused a pooled connection the gateway had closed
// meanwhile and got a reset. Idle connections now stay open far longer than a client keeps them.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP_ALIVE_TIMEOUT_MS } from '../../src/local/gateway/server.ts';
import { startTestStack } from './helpers.ts';

// Past Node's default keep-alive timeout (5 s), which closed the connection before the fix.
const IDLE_MS = 6_000;

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

// Sends one request on `socket` and resolves with the response head once the whole response
// (Content-Length bytes of body) has arrived; rejects if the connection ends first.
function roundTrip(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = received.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (received.length - end - 4 < length) return;
      cleanup();
      resolve(head);
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('the gateway closed the connection'));
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe('keep-alive connections', () => {
  it('stay open across a pause longer than Node’s 5 s default and serve the next request', async () => {
    const socket = connect(stack.port, '127.0.0.1');
    socket.setTimeout(IDLE_MS + 10_000, () => socket.destroy(new Error('socket timeout')));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      const first = await roundTrip(socket, '/prod/user/abcdefgh');
      expect(first).toMatch(/^HTTP\/1\.1 200 /);
      expect(first).toMatch(
        new RegExp(`\\r\\nKeep-Alive: timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`),
      );
      let closedByServer = false;
      socket.once('end', () => (closedByServer = true));
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      expect(closedByServer).toBe(false);
      const second = await roundTrip(socket, '/prod/user/abcdefgh');
      expect(second).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      socket.destroy();
    }
  }, 30_000);
});
