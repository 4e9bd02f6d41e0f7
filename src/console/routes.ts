/**
 * The release console's routes on the dev server (see docs/console.md):
 *
 * | route                               | what                                                 |
 * | ----------------------------------- | ---------------------------------------------------- |
 * | `GET /`, `GET /_stagecraft/console` | the console page                                     |
 * | `GET /_stagecraft/api`              | the API page (OpenAPI rendered, with "try it" forms) |
 * | `GET /_stagecraft/openapi.json`     | the OpenAPI 3.1 document of the user API             |
 * | `GET /_stagecraft/state`            | the console state as JSON (state.ts)                 |
 * | `GET /_stagecraft/events`           | the console state as Server-Sent Events (feed.ts)    |
 * | `GET /_stagecraft/assets/console.*` | the page's script and style sheet                    |
 *
 * The per-version traffic numbers come from `GET /_stagecraft/metrics`, which the gateway
 * serves; the page polls it and computes the rates itself (metrics-math.ts). Read-only: no
 * route changes anything.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { formatRouting } from '../platform/alias.ts';
import { ROUTES } from '../service/routes.ts';
import type { InternalRoutes } from '../local/gateway/internal-routes.ts';
import { type Asset, ConsoleAssets } from './assets.ts';
export { CONSOLE_PATHS } from './paths.ts';
import { StateFeed } from './feed.ts';
import { openApiDocument } from './openapi.ts';
import { CONSOLE_PATHS } from './paths.ts';
import { consoleStateReader, type ConsoleStateReader } from './state.ts';

/** Options for {@link registerConsole}. */
export interface ConsoleOptions {
  /** The state dir the dev server runs on (absolute). */
  readonly stateDir: string;
  /** Reads the state (tests pass their own). Default: over the state dir. */
  readonly read?: ConsoleStateReader;
}

/** Adds the console's routes; the returned function ends its event streams. */
export function registerConsole(
  routes: InternalRoutes,
  options: ConsoleOptions,
): () => Promise<void> {
  const read = options.read ?? consoleStateReader(options.stateDir);
  const feed = new StateFeed({ read });
  const assets = new ConsoleAssets();
  const page = (kind: PageKind) => (req: IncomingMessage, res: ServerResponse) =>
    sendBody(req, res, 200, 'text/html; charset=utf-8', pageHtml(kind));
  const asset =
    (get: () => Promise<Asset>) => async (req: IncomingMessage, res: ServerResponse) => {
      const { body, contentType } = await get();
      sendBody(req, res, 200, contentType, body);
    };
  routes
    .add({ method: 'GET', path: CONSOLE_PATHS.root, handler: page('console') })
    .add({ method: 'GET', path: CONSOLE_PATHS.console, handler: page('console') })
    .add({ method: 'GET', path: CONSOLE_PATHS.api, handler: page('api') })
    .add({ method: 'GET', path: CONSOLE_PATHS.script, handler: asset(() => assets.script()) })
    .add({ method: 'GET', path: CONSOLE_PATHS.style, handler: asset(() => assets.style()) })
    .add({
      method: 'GET',
      path: CONSOLE_PATHS.state,
      handler: async (req, res) => sendJson(req, res, await read()),
    })
    .add({
      method: 'GET',
      path: CONSOLE_PATHS.events,
      handler: (req, res) => feed.subscribe(req, res),
    })
    .add({
      method: 'GET',
      path: CONSOLE_PATHS.openapi,
      handler: async (req, res) => {
        const aliases = (await read()).status?.aliases;
        const document = openApiDocument({
          routes: ROUTES,
          version: '1.0.0',
          serverUrl: (stage) => `/${stage}`,
          serverNote: (stage) => {
            const alias = aliases?.[stage as keyof typeof aliases];
            return alias === undefined ? stage : `${stage} → ${formatRouting(alias, 'serving')}`;
          },
        });
        sendJson(req, res, document);
      },
    });
  return async () => feed.close();
}

type PageKind = 'console' | 'api';

const TITLES: Record<PageKind, string> = {
  console: 'stagecraft · release console',
  api: 'stagecraft · API',
};

// The page shell: the script fills <main> from the state, the metrics and the OpenAPI document.
function pageHtml(kind: PageKind): string {
  const link = (target: PageKind, href: string, text: string) =>
    `<a href="${href}"${target === kind ? ' aria-current="page"' : ''}>${text}</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${TITLES[kind]}</title>
<link rel="stylesheet" href="${CONSOLE_PATHS.style}">
<script type="module" src="${CONSOLE_PATHS.script}"></script>
</head>
<body data-page="${kind}">
<header class="top">
<h1>stagecraft <span class="sub">dev</span></h1>
<nav aria-label="Pages">${link('console', CONSOLE_PATHS.root, 'Release console')}${link('api', CONSOLE_PATHS.api, 'API')}</nav>
<p class="live" id="live" role="status" aria-live="polite">connecting…</p>
</header>
<main id="main"><noscript>The console needs JavaScript; the same state is at <a href="${CONSOLE_PATHS.state}">${CONSOLE_PATHS.state}</a>.</noscript></main>
</body>
</html>
`;
}

function sendJson(req: IncomingMessage, res: ServerResponse, value: unknown): void {
  sendBody(req, res, 200, 'application/json; charset=utf-8', `${JSON.stringify(value, null, 2)}\n`);
}

// gzip when the client takes it (every browser): the page's bytes on the wire stay small.
const gzipped = new WeakMap<Buffer, Buffer>();

function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
): void {
  let bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const headers: Record<string, string> = {
    'content-type': contentType,
    'cache-control': 'no-cache',
    vary: 'accept-encoding',
  };
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && bytes.length > 512) {
    let packed = gzipped.get(bytes);
    if (packed === undefined) {
      packed = gzipSync(bytes);
      if (typeof body !== 'string') gzipped.set(bytes, packed);
    }
    bytes = packed;
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(bytes.length);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
