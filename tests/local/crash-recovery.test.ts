// kill -9 of `stagecraft dev` in the middle of a write load: after a restart on the same state
// dir, every write the server acknowledged is there.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, spawnDev, tempDir } from './helpers.ts';

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  temp = await tempDir();
});
afterAll(async () => {
  await temp.remove();
});

interface Acknowledged {
  name: string;
  lock_version: number;
}

describe('crash recovery', () => {
  it('keeps every acknowledged write across kill -9 and restart', async () => {
    const stateDir = join(temp.dir, 'state');
    const first = await spawnDev(['--state-dir', stateDir, '--no-watch']);
    const acknowledged = new Map<string, Acknowledged>();
    let stop = false;
    let failures = 0;

    // Each writer owns its ids: creates a user, then updates it a few times, remembering the
    // last answer it got. In-flight requests at the kill get no answer and prove nothing.
    const writer = async (w: number) => {
      for (let n = 0; !stop && n < 10_000; n++) {
        const id = `crash${w}x${n.toString().padStart(5, '0')}`;
        for (let k = 0; !stop && k < 3; k++) {
          const name = `w${w} n${n} k${k}`;
          try {
            const response = await fetch(`${first.url}/prod/user/${id}`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ name }),
            });
            const body = (await response.json()) as Acknowledged;
            if (response.status === 200 || response.status === 201) {
              acknowledged.set(id, { name, lock_version: body.lock_version });
            } else {
              failures++;
            }
          } catch {
            return; // the server is gone
          }
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    // Kill once enough writes are acknowledged (not after a fixed time: a loaded machine
    // acknowledges fewer per second, and the check below needs a real load to mean something).
    await eventually(async () => acknowledged.size > 20, 20_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    stop = true;
    await Promise.all(writers);
    expect(failures).toBe(0);
    expect(acknowledged.size).toBeGreaterThan(20);

    // The killed server left its dev.lock behind; the restart takes it over.
    const second = await spawnDev(['--state-dir', stateDir, '--no-watch']);
    try {
      expect(second.output.stderr).not.toContain('first start');
      const missing: string[] = [];
      for (const [id, ack] of acknowledged) {
        const response = await fetch(`${second.url}/prod/user/${id}`);
        const user = (await response.json()) as Acknowledged;
        // A write in flight at the kill may have landed after its answer was lost: the
        // version can be one higher, never lower.
        const kept =
          response.status === 200 &&
          (user.lock_version > ack.lock_version ||
            (user.lock_version === ack.lock_version && user.name === ack.name));
        if (!kept)
          missing.push(`${id}: acknowledged ${JSON.stringify(ack)}, found ${JSON.stringify(user)}`);
      }
      expect(missing).toEqual([]);
      expect(await readdir(join(stateDir, 'lambda/example/versions'))).toEqual(['1']);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 60_000);
});
