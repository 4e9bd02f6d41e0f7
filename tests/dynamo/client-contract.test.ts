// One contract, two implementations: the lean fetch client (the Lambda's) and the SDK
// DocumentClient wrapper (tools and tests) must behave the same against a real DynamoDB API.
import { describe, expect, it } from 'vitest';
import { rejection } from './rejection.ts';
import { DynamoDBError } from '../../src/dynamo/client.ts';
import { useBothClients } from './both-clients.ts';

const TABLE = 'contract_items';

const clientFor = useBothClients(TABLE);

describe.each(['sdk', 'lean'] as const)('ItemClient contract: %s client', (kind) => {
  // Each client writes its own keys, so the two runs cannot see each other's items.
  const key = (id: string) => ({ id: `${kind}-${id}` });

  it('puts and gets native values, nested ones included', async () => {
    const client = clientFor(kind);
    const item = {
      ...key('roundtrip'),
      name: 'Ada',
      age: 36,
      admin: true,
      nothing: null,
      tags: ['a', 'b'],
      address: { city: 'London', zip: { code: 'N1' } },
      colours: new Set(['red', 'blue']),
    };
    await client.putItem({ TableName: TABLE, Item: item });
    const { Item } = await client.getItem({ TableName: TABLE, Key: key('roundtrip') });
    expect(Item).toEqual(item);
  });

  it('drops undefined attributes instead of failing', async () => {
    const client = clientFor(kind);
    await client.putItem({
      TableName: TABLE,
      Item: { ...key('undef'), gone: undefined, map: { kept: 1, gone: undefined } },
    });
    const { Item } = await client.getItem({
      TableName: TABLE,
      Key: key('undef'),
      ConsistentRead: true,
    });
    expect(Item).toEqual({ ...key('undef'), map: { kept: 1 } });
  });

  it('returns no Item for a missing key', async () => {
    const result = await clientFor(kind).getItem({ TableName: TABLE, Key: key('missing') });
    expect(result).toEqual({});
  });

  it('applies a condition with placeholders, a reserved word included', async () => {
    const client = clientFor(kind);
    await client.putItem({ TableName: TABLE, Item: { ...key('cond'), name: 'a' } });
    await client.putItem({
      TableName: TABLE,
      Item: { ...key('cond'), name: 'b' },
      ConditionExpression: '#n = :old',
      ExpressionAttributeNames: { '#n': 'name' },
      ExpressionAttributeValues: { ':old': 'a' },
    });
    const { Item } = await client.getItem({ TableName: TABLE, Key: key('cond') });
    expect(Item).toEqual({ ...key('cond'), name: 'b' });
  });

  it('throws ConditionalCheckFailedException by name when a condition fails', async () => {
    const client = clientFor(kind);
    await client.putItem({ TableName: TABLE, Item: { ...key('ccf'), v: 1 } });
    const error = await rejection(
      client.putItem({
        TableName: TABLE,
        Item: { ...key('ccf'), v: 2 },
        ConditionExpression: 'attribute_not_exists(id)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      DynamoDBError,
    );
    expect(error.name).toBe('ConditionalCheckFailedException');
    expect(error.statusCode).toBe(400);
    expect(error.retryable).toBe(false);
    // dynalite does not implement ReturnValuesOnConditionCheckFailure; real DynamoDB fills it.
    expect(error.item === undefined || error.item.v === 1).toBe(true);
    const { Item } = await client.getItem({ TableName: TABLE, Key: key('ccf') });
    expect(Item).toEqual({ ...key('ccf'), v: 1 });
  });

  it('updates and returns ALL_NEW attributes', async () => {
    const client = clientFor(kind);
    await client.putItem({ TableName: TABLE, Item: { ...key('upd'), n: 1, keep: 'x' } });
    const result = await client.updateItem({
      TableName: TABLE,
      Key: key('upd'),
      UpdateExpression: 'SET #n = #n + :one',
      ExpressionAttributeNames: { '#n': 'n' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'ALL_NEW',
    });
    expect(result).toEqual({ Attributes: { ...key('upd'), n: 2, keep: 'x' } });
  });

  it('returns no Attributes from an update with ReturnValues NONE', async () => {
    const client = clientFor(kind);
    const result = await client.updateItem({
      TableName: TABLE,
      Key: key('upd-none'),
      UpdateExpression: 'SET #n = :v',
      ExpressionAttributeNames: { '#n': 'n' },
      ExpressionAttributeValues: { ':v': 5 },
    });
    expect(result).toEqual({});
  });

  it('deletes, returning the old item with ALL_OLD, and nothing when it was absent', async () => {
    const client = clientFor(kind);
    await client.putItem({ TableName: TABLE, Item: { ...key('del'), n: 3 } });
    expect(
      await client.deleteItem({ TableName: TABLE, Key: key('del'), ReturnValues: 'ALL_OLD' }),
    ).toEqual({ Attributes: { ...key('del'), n: 3 } });
    expect(
      await client.deleteItem({ TableName: TABLE, Key: key('del'), ReturnValues: 'ALL_OLD' }),
    ).toEqual({});
    expect(await client.getItem({ TableName: TABLE, Key: key('del') })).toEqual({});
  });

  it('surfaces ResourceNotFoundException by name for a missing table', async () => {
    const error = await rejection(
      clientFor(kind).getItem({ TableName: 'no_such_table', Key: key('x') }),
      DynamoDBError,
    );
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.statusCode).toBe(400);
  });

  it('surfaces ValidationException by name with DynamoDB’s message', async () => {
    const error = await rejection(
      clientFor(kind).updateItem({
        TableName: TABLE,
        Key: key('bad'),
        UpdateExpression: 'SET #a = :missing',
        ExpressionAttributeNames: { '#a': 'a' },
        ExpressionAttributeValues: { ':other': 1 },
      }),
      DynamoDBError,
    );
    expect(error.name).toBe('ValidationException');
    expect(error.message).toMatch(/:missing|unused/i);
    expect(error.retryable).toBe(false);
  });
});
