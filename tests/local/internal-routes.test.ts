import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { STAGES } from '../../src/config/stages.ts';
import {
  INTERNAL_PREFIX,
  InternalRoutes,
  isInternalPath,
} from '../../src/local/gateway/internal-routes.ts';

describe('internal routes of the dev server', () => {
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  it('never shadow a stage: no stage is named like the prefix, and stage paths are not internal', () => {
    for (const stage of STAGES) {
      expect(`/${stage}`).not.toBe(INTERNAL_PREFIX);
      expect(isInternalPath(`/${stage}/user/abcdefgh`)).toBe(false);
    }
    expect(isInternalPath('/')).toBe(true);
    expect(isInternalPath('/_stagecraft/metrics')).toBe(true);
    expect(isInternalPath('/_stagecraftx/metrics')).toBe(false);
  });

  it('refuses a route outside the prefix and a duplicate', () => {
    const routes = new InternalRoutes();
    expect(() => routes.add({ method: 'GET', path: '/prod/x', handler: () => {} })).toThrow(
      /outside/,
    );
    routes.add({ method: 'GET', path: '/_stagecraft/a', handler: () => {} });
    expect(() => routes.add({ method: 'GET', path: '/_stagecraft/a', handler: () => {} })).toThrow(
      /twice/,
    );
  });

  it('answers a registered route over HTTP (HEAD as GET) and declines an unknown one', async () => {
    const routes = new InternalRoutes().add({
      method: 'GET',
      path: '/_stagecraft/hello',
      handler: (_req, res, url) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`hello ${url.searchParams.get('who') ?? ''}`);
      },
    });
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      void routes.handle(req, res, path).then((handled) => {
        if (!handled) {
          res.writeHead(403);
          res.end('unmapped');
        }
      });
    });
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hello = await fetch(`${base}/_stagecraft/hello?who=you`);
    expect([hello.status, await hello.text()]).toEqual([200, 'hello you']);
    const head = await fetch(`${base}/_stagecraft/hello`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const unknown = await fetch(`${base}/_stagecraft/nope`);
    expect([unknown.status, await unknown.text()]).toEqual([403, 'unmapped']);
  });
});
