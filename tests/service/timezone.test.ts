// The seed froze time in Asia/Tokyo; our timestamps must stay UTC whatever the local zone.
// Node applies a TZ assigned at run time to every Date created afterwards.
process.env.TZ = 'Asia/Tokyo';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startService, type Service } from './harness.ts';

let service: Service;
beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  vi.useRealTimers();
  await service.stop();
});

describe('timestamps under TZ=Asia/Tokyo', () => {
  it('are ISO-8601 UTC instants, not Tokyo wall-clock times', async () => {
    // Proof that the zone is in effect: Tokyo is UTC+9 and has no daylight saving.
    expect(new Date('2016-07-26T03:00:00Z').getTimezoneOffset()).toBe(-540);
    expect(new Date('2016-07-26T03:00:00Z').getHours()).toBe(12);

    vi.useFakeTimers({ toFake: ['Date'] });
    // 23:30 on the 25th in UTC is already the 26th in Tokyo: a local-time bug shows in the date.
    vi.setSystemTime(new Date('2016-07-25T23:30:00.000Z'));
    const created = await service.call({ method: 'POST', id: 'tokyo001', body: { name: 'Ada' } });
    expect(created.json?.created_at).toBe('2016-07-25T23:30:00.000Z');

    vi.setSystemTime(new Date('2016-07-26T15:00:00.000Z'));
    const updated = await service.call({ method: 'POST', id: 'tokyo001', body: { name: 'Ann' } });
    expect(updated.json).toMatchObject({
      created_at: '2016-07-25T23:30:00.000Z',
      updated_at: '2016-07-26T15:00:00.000Z',
    });
    const read = await service.call({ method: 'GET', id: 'tokyo001' });
    expect(read.json).toMatchObject({
      created_at: '2016-07-25T23:30:00.000Z',
      updated_at: '2016-07-26T15:00:00.000Z',
    });
    expect(service.logs.at(-1)?.timestamp).toBe('2016-07-26T15:00:00.000Z');
  });
});
