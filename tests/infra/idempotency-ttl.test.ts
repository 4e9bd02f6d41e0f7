// Idempotency-Key records live in each stage's user table (ids `idem#…`) and expire through
// DynamoDB TTL on `expires_at`: the tables must enable it, on exactly the attribute the
// records write (issue 10).
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STAGES, tableNameFor } from '../../src/config/stages.ts';
import { UserTables } from '../../src/infra/data.ts';
import { TTL_ATTRIBUTE } from '../../src/service/idempotency/records.ts';

describe('user tables', () => {
  it('enable TTL on the idempotency records’ expiry attribute, on every stage', () => {
    const stack = new Stack(new App(), 'TtlTest');
    const tableNames = Object.fromEntries(STAGES.map((stage) => [stage, tableNameFor(stage)]));
    new UserTables(stack, 'Users', {
      tableNames: tableNames as Record<(typeof STAGES)[number], string>,
    });
    const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(STAGES.length);
    for (const table of Object.values(tables)) {
      expect(
        (table as { Properties: Record<string, unknown> }).Properties.TimeToLiveSpecification,
      ).toEqual({
        AttributeName: TTL_ATTRIBUTE,
        Enabled: true,
      });
    }
  });
});
