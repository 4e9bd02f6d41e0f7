// HTTP for the writes and idempotency tests against `stagecraft dev`: node:http (fetch refuses
// some of what clients send), the raw body kept as bytes for byte-for-byte comparisons.
import { Agent, request } from 'node:http';

/** One response, its body as bytes and text, JSON parsed when it is JSON. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bytes: Buffer;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

// Enough sockets for the concurrency tests; keep-alive like a real client.
const agent = new Agent({ keepAlive: true, maxSockets: 128 });

/** Sends one request to `base + path`; rejects on a connection error or after `timeoutMs`. */
export function send(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers: options.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString('utf8');
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text, json });
      });
    });
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** POSTs a JSON body (a string is sent as it is). */
export function postJson(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return send(base, 'POST', path, {
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}
