/**
 * Random bytes for the ids the gateway makes per request (trace ids, extended request ids),
 * drawn from a pooled buffer refilled 4 KB at a time: a synchronous `randomFillSync` per request
 * was ~9 % of the gateway thread in the profile of issue 12. The bytes come from the same CSPRNG;
 * only the number of calls into it changes. Callers get strings, never views of the pool, so the
 * pool can be refilled in place.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

function take(bytes: number): Buffer {
  if (bytes > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes at a time`);
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const view = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return view;
}

/** `bytes` random bytes as lower-case hex. */
export function randomHex(bytes: number): string {
  return take(bytes).toString('hex');
}

/** `bytes` random bytes as base64url (no padding). */
export function randomBase64Url(bytes: number): string {
  return take(bytes).toString('base64url');
}
