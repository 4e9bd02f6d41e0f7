// The functions' log lines reach the dev server's output in order, several lines per write.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LogBatcher } from '../../src/local/lambda/log-batcher.ts';

function recorder() {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return { writes, stream };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('LogBatcher', () => {
  it('writes the lines of one event-loop turn as one chunk, in order', async () => {
    const { writes, stream } = recorder();
    const batcher = new LogBatcher(stream);
    batcher.write(Buffer.from('a\n'));
    batcher.write(Buffer.from('b\n'));
    batcher.write(Buffer.from('c\n'));
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['a\nb\nc\n']);
    batcher.write(Buffer.from('d\n'));
    await nextTurn();
    expect(writes).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes what is queued at once on flush, and nothing twice', async () => {
    const { writes, stream } = recorder();
    const batcher = new LogBatcher(stream);
    batcher.write(Buffer.from('last words\n'));
    batcher.flush();
    expect(writes).toEqual(['last words\n']);
    await nextTurn();
    batcher.flush();
    expect(writes).toEqual(['last words\n']);
  });
});
