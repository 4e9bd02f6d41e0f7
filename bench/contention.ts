// 32 writers increment one counter 50 times each, all at once, against the embedded DynamoDB
// through the lean client (the Lambda's). Through `mutate` every increment must land (final
// value exactly 1600); through unguarded read-then-PutItem many are lost. Bounded in time:
// writers stop starting increments at the deadline, and the report says so.
import { performance } from 'node:perf_hooks';
import { LeanDynamoClient } from '../src/dynamo/lean-client.ts';
import { RetriesExhaustedError } from '../src/dynamo/errors.ts';
import { VersionedRepository } from '../src/dynamo/repository.ts';
import { startEmbeddedDynamo } from '../src/local/dynamodb.ts';
import type { Benchmark } from './types.ts';

const WRITERS = 32;
const INCREMENTS = 50;
const EXPECTED = WRITERS * INCREMENTS;
const TABLE = 'bench_contention';
// Each phase stops starting increments after this; a finished run takes a few seconds.
const PHASE_DEADLINE_MS = 60_000;
// Far more than a writer needs with the default backoff (10 ms base, 1 s cap, full jitter);
// exhaustion is reported, not thrown. A 250 ms cap was measured worse: more collisions.
const MUTATE_RETRIES = 100;

interface Counter extends Record<string, unknown> {
  id: string;
  value: number;
}

/** The contention benchmark. */
export const contention: Benchmark = {
  name: 'contention',
  description: `${WRITERS} concurrent writers × ${INCREMENTS} increments of one counter: mutate() vs unguarded read-then-PutItem; and as many unconditioned upserts`,
  async run(log) {
    const db = await startEmbeddedDynamo({ tables: [{ name: TABLE, partitionKey: 'id' }] });
    try {
      const client = new LeanDynamoClient({
        endpoint: db.endpoint,
        region: db.clientConfig.region,
        credentials: db.clientConfig.credentials,
        env: {},
      });
      const repo = new VersionedRepository<Counter>({ client, tableName: TABLE, key: 'id' });

      // Guarded: every increment goes through mutate.
      await repo.create({ id: 'guarded', value: 0 });
      let calls = 0;
      let exhausted = 0;
      const guarded = await runWriters(async () => {
        try {
          await repo.mutate(
            { id: 'guarded' },
            (current) => {
              calls++;
              return { id: 'guarded', value: (current?.value ?? 0) + 1 };
            },
            { retries: MUTATE_RETRIES },
          );
          return true;
        } catch (error) {
          if (!(error instanceof RetriesExhaustedError)) throw error;
          exhausted++;
          return false;
        }
      });
      const guardedFinal = (await repo.get({ id: 'guarded' }, { consistent: true }))?.value ?? 0;
      log(
        `mutate: ${guarded.succeeded}/${EXPECTED} increments in ${guarded.ms.toFixed(0)} ms, ` +
          `final ${guardedFinal}, ${calls - guarded.succeeded - exhausted} retries`,
      );

      // Naive: read, add one, write back with no guard.
      await client.putItem({ TableName: TABLE, Item: { id: 'naive', value: 0 } });
      const naive = await runWriters(async () => {
        const { Item: item } = await client.getItem({
          TableName: TABLE,
          Key: { id: 'naive' },
          ConsistentRead: true,
        });
        const value = typeof item?.value === 'number' ? item.value : 0;
        await client.putItem({ TableName: TABLE, Item: { id: 'naive', value: value + 1 } });
        return true;
      });
      const { Item: naiveItem } = await client.getItem({
        TableName: TABLE,
        Key: { id: 'naive' },
        ConsistentRead: true,
      });
      const naiveFinal = typeof naiveItem?.value === 'number' ? naiveItem.value : 0;
      log(`naive: ${naive.succeeded} writes in ${naive.ms.toFixed(0)} ms, final ${naiveFinal}`);

      // Unconditioned: last writer wins in one atomic UpdateItem (what an unconditioned POST
      // does); nothing to compare, so no writer may fail and every write gets its own version.
      let failed = 0;
      const unconditioned = await runWriters(async () => {
        try {
          await repo.upsert({ id: 'unconditioned' }, { value: 1 });
          return true;
        } catch {
          failed++;
          return false;
        }
      });
      const unconditionedFinal =
        (await repo.get({ id: 'unconditioned' }, { consistent: true }))?.lock_version ?? 0;
      log(
        `upsert: ${unconditioned.succeeded}/${EXPECTED} writes in ${unconditioned.ms.toFixed(0)} ms, ` +
          `${failed} failed, final lock_version ${unconditionedFinal}`,
      );

      if (failed > 0 || unconditionedFinal !== unconditioned.succeeded) {
        log(`FAILED: ${failed} unconditioned writes failed, final version ${unconditionedFinal}`);
        process.exitCode = 1;
      }
      if (guardedFinal !== EXPECTED || exhausted > 0 || guarded.timedOut) {
        // The lock's promise is exactly EXPECTED; anything else fails the benchmark run.
        log(`FAILED: final ${guardedFinal}, expected ${EXPECTED} (${exhausted} gave up)`);
        process.exitCode = 1;
      }
      return {
        // Increments that reported success but are missing from the counter.
        lost_updates: guarded.succeeded - guardedFinal,
        naive_lost_updates: naive.succeeded - naiveFinal,
        ops_per_s: Math.round((guarded.succeeded / guarded.ms) * 1000),
        retries: calls - guarded.succeeded - exhausted,
        final: guardedFinal,
        expected: EXPECTED,
        exhausted,
        timed_out: guarded.timedOut || naive.timedOut || unconditioned.timedOut,
        'unconditioned.failed': failed,
        'unconditioned.ops_per_s': Math.round((unconditioned.succeeded / unconditioned.ms) * 1000),
        'unconditioned.final_version': unconditionedFinal,
      };
    } finally {
      await db.stop();
    }
  },
};

/** Runs WRITERS concurrent loops of INCREMENTS calls; stops starting calls at the deadline. */
async function runWriters(
  increment: () => Promise<boolean>,
): Promise<{ succeeded: number; ms: number; timedOut: boolean }> {
  const started = performance.now();
  const deadline = started + PHASE_DEADLINE_MS;
  let succeeded = 0;
  let timedOut = false;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let i = 0; i < INCREMENTS; i++) {
        if (performance.now() > deadline) {
          timedOut = true;
          return;
        }
        if (await increment()) succeeded++;
      }
    }),
  );
  return { succeeded, ms: performance.now() - started, timedOut };
}

export default contention;
