// The baseline of the `gateway` benchmark, run as its own process: the same handler bundle
// imported in-process and called from a bare http.createServer — no worker isolation, no alias
// resolution, no response validation — on its own embedded DynamoDB (LevelDB, like the stack).
// Usage: node --import tsx bench/gateway-direct.ts PORT STATE_DIR
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { buildLambdaBundle } from '../src/build/bundle.ts';
import { FUNCTION_NAME, STAGES } from '../src/config/stages.ts';
import { startEmbeddedDynamo } from '../src/local/dynamodb.ts';
import { buildProxyEvent } from '../src/local/gateway/event.ts';
import { ResourceMatcher } from '../src/local/gateway/routing.ts';
import { ROUTES } from '../src/service/routes.ts';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const [port = '0', stateDir = '.'] = process.argv.slice(2);
const db = await startEmbeddedDynamo({ path: join(stateDir, 'dynamodb') });
// What the local stack gives its function, set on this process instead.
Object.assign(process.env, {
  AWS_REGION: 'local',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
  AWS_LAMBDA_FUNCTION_VERSION: '1',
  STAGECRAFT_DYNAMODB_ENDPOINT: db.endpoint,
});
const bundle = await buildLambdaBundle({ outDir: join(stateDir, 'bundle') });
const { handler } = (await import(pathToFileURL(bundle.files?.code ?? '').href)) as {
  handler: Handler;
};
const matcher = new ResourceMatcher(
  STAGES,
  ROUTES.map((route) => route.resource),
);
const api = {
  apiId: 'direct',
  accountId: '000000000000',
  stageVariables: (stage: string) => ({ stage }),
  binaryMediaTypes: [],
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

let requests = 0;
const server = createServer((req, res) => {
  void (async () => {
    const url = req.url ?? '/';
    const [rawPath = '/', rawQuery = ''] = url.split('?');
    const match = matcher.match(rawPath);
    if (match === undefined) {
      res.writeHead(404).end();
      return;
    }
    const body = await readBody(req);
    const requestId = `direct-${requests++}`;
    const event = buildProxyEvent(
      {
        method: req.method ?? 'GET',
        rawPath,
        rawQuery,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: '127.0.0.1',
        port: Number(port),
        httpVersion: req.httpVersion,
        receivedAt: Date.now(),
        requestId,
      },
      match,
      api,
    );
    const context = {
      functionName: FUNCTION_NAME,
      functionVersion: '1',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${FUNCTION_NAME}:${match.stage}`,
      awsRequestId: requestId,
      memoryLimitInMB: '256',
      logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
      logStreamName: 'direct',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 10_000,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;
    const result = await handler(event, context);
    res.writeHead(result.statusCode, result.headers as Record<string, string>);
    res.end(result.body);
  })().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(Number(port), '127.0.0.1', () => process.stderr.write('direct server ready\n'));
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void db.stop().then(() => process.exit(0));
});
