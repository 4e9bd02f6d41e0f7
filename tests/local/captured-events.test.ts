// The captured-event parity suite (issue 11): REST proxy events API Gateway sent to live APIs
// (tests/fixtures/events/, sources in its README.md) replayed through the local gateway to the
// echo handler, with the captured APIs' resources, and compared field by field.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { capturedEvents, expectSameEvent, replay } from './captured-events.ts';
import { startTestStack } from './helpers.ts';

const ECHO = fileURLToPath(new URL('../fixtures/echo-handler.ts', import.meta.url));
const events = capturedEvents();

let stack: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  stack = await startTestStack({
    entry: ECHO,
    // The captured APIs' resources, so each request is routed as it was on AWS.
    resources: [...new Set(events.map(([, event]) => event.resource))],
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
});

describe('captured REST proxy events, replayed through the local gateway', () => {
  it('has 3 to 5 fixtures', () => {
    if (events.length < 3 || events.length > 5) throw new Error(`${events.length} fixtures`);
  });

  for (const [name, captured] of events) {
    it(`builds the same event as API Gateway did: ${name}`, async () => {
      const local = await replay(captured, stack.url, `/prod${captured.path}`);
      expectSameEvent(name, captured, local, { stage: 'prod' });
    });
  }
});
