// The console state, live: a Server-Sent Events stream that re-sends the whole state on every
// change. EventSource reconnects by itself after a dropped connection (the server's `retry:`);
// when it gives up (the dev server was down long enough for a refused connection), a new one
// is opened, so the page picks up a restarted dev server without a reload.
import type { ConsoleState } from '../state.ts';

/** Connects to `url` and calls `onState` with every state; `onStatus` with the connection's. */
export function followState(
  url: string,
  onState: (state: ConsoleState) => void,
  onStatus: (status: 'live' | 'reconnecting') => void,
): void {
  const connect = () => {
    const source = new EventSource(url);
    source.addEventListener('state', (event) => {
      onStatus('live');
      onState(JSON.parse((event as MessageEvent<string>).data) as ConsoleState);
    });
    source.addEventListener('error', () => {
      onStatus('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, 1000);
      }
    });
  };
  connect();
}
