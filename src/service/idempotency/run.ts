// Runs one write under an Idempotency-Key: the first request claims the key and runs; its
// answer is stored and replayed to every retry; a retry while it runs gets 409; a retry with
// another request gets 422. A request that died after writing (its lease ran out with no answer
// stored) is finished by the next retry, which asks the write whether it was applied (the
// write leaves a marker in the item it wrote, atomically with the write) instead of running it
// again.
import { randomBytes } from 'node:crypto';
import { FUNCTION_TIMEOUT_SECONDS } from '../../config/gateway.ts';
import { HttpError } from '../http-error.ts';
import { errorReply, type Reply } from '../respond.ts';
import { recordId, type IdempotencyRecords, type KeyScope, type StoredAnswer } from './records.ts';

/** The response header set on a replayed answer. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** How long an answer is kept (and a key stays bound to its request). */
export const RETENTION_SECONDS = 24 * 60 * 60;

/**
 * How long the first request owns its key: the function's timeout plus a margin, so a live
 * request is never taken over; a dead one is recovered this long after it started.
 */
export const DEFAULT_LEASE_MS = (FUNCTION_TIMEOUT_SECONDS + 5) * 1000;

/** A write that can be run under a key. */
export interface IdempotentWrite {
  /**
   * Runs the write, leaving the marker `token` in what it writes where it can.
   * @param requestedAt the clock reading to write with (the first request's, on a takeover)
   */
  run(token: string, requestedAt: string): Promise<Reply>;
  /** The answer of an earlier run with `token` that was applied, or undefined when none was. */
  recover(token: string, requestedAt: string): Promise<Reply | undefined>;
  /** Once the answer is stored: removes the marker (best effort, may be absent). */
  cleanup?(token: string): Promise<void>;
}

/** What {@link runIdempotent} needs. */
export interface IdempotencyContext {
  readonly records: IdempotencyRecords;
  readonly scope: KeyScope;
  readonly fingerprint: string;
  readonly now: () => Date;
  /** @default DEFAULT_LEASE_MS */
  readonly leaseMs?: number;
  /** A fresh marker token; injectable for tests. */
  readonly newToken?: () => string;
}

// Claim, read and take-over races settle in a couple of rounds; more means a bug.
const MAX_ROUNDS = 5;

/** Runs `write` at most once per key; see the module comment. */
export async function runIdempotent(
  context: IdempotencyContext,
  write: IdempotentWrite,
): Promise<Reply> {
  const { records } = context;
  const id = recordId(context.scope);
  const leaseMs = context.leaseMs ?? DEFAULT_LEASE_MS;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const now = context.now();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const token = (context.newToken ?? newToken)(now);
    const requestedAt = now.toISOString();
    const claimed = await records.claim(
      id,
      {
        fingerprint: context.fingerprint,
        token,
        requestedAt,
        leaseUntil: now.getTime() + leaseMs,
        expiresAt: nowSeconds + RETENTION_SECONDS,
      },
      nowSeconds,
    );
    if (claimed) return execute(records, id, token, requestedAt, write, undefined);

    const existing = await records.get(id, nowSeconds);
    if (existing === undefined) continue; // expired or removed meanwhile: claim again
    if (existing.fingerprint !== context.fingerprint) {
      throw new HttpError(
        422,
        'this Idempotency-Key was already used with a different request; use a new key',
      );
    }
    if (existing.answer !== undefined) return replay(existing.answer);
    if (existing.leaseUntil > now.getTime()) {
      const seconds = Math.max(1, Math.ceil((existing.leaseUntil - now.getTime()) / 1000));
      throw new HttpError(
        409,
        'a request with this Idempotency-Key is still being processed; retry later',
        { headers: { 'Retry-After': String(Math.min(seconds, 5)) } },
      );
    }
    // The first request died (or failed) without an answer: finish its work, once.
    if (await records.takeOver(id, existing.leaseUntil, now.getTime() + leaseMs)) {
      return execute(records, id, existing.token, existing.requestedAt, write, write.recover);
    }
  }
  throw new HttpError(409, 'this Idempotency-Key is contended; retry later', {
    headers: { 'Retry-After': '1' },
  });
}

async function execute(
  records: IdempotencyRecords,
  id: string,
  token: string,
  requestedAt: string,
  write: IdempotentWrite,
  recover: IdempotentWrite['recover'] | undefined,
): Promise<Reply> {
  let reply: Reply;
  let replayed = false;
  try {
    const recovered = recover === undefined ? undefined : await recover(token, requestedAt);
    replayed = recovered !== undefined;
    reply = recovered ?? (await write.run(token, requestedAt));
  } catch (error) {
    if (!(error instanceof HttpError) || error.status >= 500) {
      // No answer worth keeping (the write may or may not have applied): let the next retry
      // in at once; it will ask the write through `recover`.
      await records.release(id, token).catch(() => undefined);
      throw error;
    }
    reply = errorReply(error);
  }
  const answer = storedAnswer(reply);
  await records.complete(id, token, answer);
  await write.cleanup?.(token).catch(() => undefined);
  return replayed ? replay(answer) : asSent(answer);
}

/** The reply as stored: body serialised once, so a replay is the same bytes. */
function storedAnswer(reply: Reply): StoredAnswer {
  return {
    status: reply.status,
    body: reply.body === undefined ? '' : JSON.stringify(reply.body),
    headers: { ...reply.headers },
  };
}

function asSent(answer: StoredAnswer): Reply {
  return {
    status: answer.status,
    ...(answer.body === '' ? {} : { rawBody: answer.body }),
    headers: answer.headers,
  };
}

function replay(answer: StoredAnswer): Reply {
  const reply = asSent(answer);
  return { ...reply, headers: { ...reply.headers, [REPLAYED_HEADER]: 'true' } };
}

// Epoch seconds first, so stale markers can be recognised by age alone; then randomness.
function newToken(now: Date): string {
  return `${Math.floor(now.getTime() / 1000)}_${randomBytes(6).toString('hex')}`;
}
