import { describe, expect, it } from 'vitest';
import { STAGE_CONFIG, STAGES, isStage, tableNameFor } from '../src/config/stages.ts';

describe('stage config', () => {
  it('maps each stage to the seed table names by default', () => {
    expect(tableNameFor('prod', {})).toBe('example_user');
    expect(tableNameFor('staging', {})).toBe('s-example_user');
  });

  it('lets the environment override one stage without touching the other', () => {
    const env = { STAGECRAFT_TABLE_PROD: 'users-prod', STAGECRAFT_TABLE_STAGING: '' };
    expect(tableNameFor('prod', env)).toBe('users-prod');
    expect(tableNameFor('staging', env)).toBe('s-example_user');
  });

  it('has each stage call the alias of its own name', () => {
    expect(STAGES).toEqual(['staging', 'prod']);
    for (const stage of STAGES) expect(STAGE_CONFIG[stage].alias).toBe(stage);
    expect(isStage('prod')).toBe(true);
    expect(isStage('production')).toBe(false);
    expect(isStage(undefined)).toBe(false);
  });
});
