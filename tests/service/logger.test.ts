import { describe, expect, it } from 'vitest';
import { createLogger, errorFields, parseLogLevel } from '../../src/service/logger.ts';

const fixed = () => new Date('2016-07-26T03:00:00.000Z');

describe('createLogger', () => {
  it('writes one JSON line per record with level, message, timestamp and fields', () => {
    const lines: string[] = [];
    const logger = createLogger({ sink: (line) => lines.push(line), now: fixed });
    logger.log('info', 'request', { status: 200 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      level: 'info',
      message: 'request',
      timestamp: '2016-07-26T03:00:00.000Z',
      status: 200,
    });
  });

  it('drops records below its level without calling the sink', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', sink: (line) => lines.push(line), now: fixed });
    logger.log('info', 'quiet');
    logger.log('error', 'loud');
    expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual([
      'loud',
    ]);
  });

  it('parses level names case-insensitively', () => {
    expect(parseLogLevel('DEBUG')).toBe('debug');
    expect(parseLogLevel('verbose')).toBeUndefined();
    expect(parseLogLevel(undefined)).toBeUndefined();
  });
});

describe('errorFields', () => {
  it('keeps name, message, stack and the cause chain', () => {
    const error = new TypeError('outer', { cause: new Error('inner') });
    const fields = errorFields(error) as { error: Record<string, unknown> };
    expect(fields.error.name).toBe('TypeError');
    expect(fields.error.stack).toContain('outer');
    expect((fields.error.cause as { message: string }).message).toBe('inner');
  });

  it('survives a cause cycle and values that cannot be stringified', () => {
    const error = new Error('loop');
    (error as { cause?: unknown }).cause = error;
    expect(() => JSON.stringify(errorFields(error))).not.toThrow();
    expect(errorFields(Object.create(null))).toEqual({ error: { message: '[object Object]' } });
  });
});
