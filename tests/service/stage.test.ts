import { describe, expect, it } from 'vitest';
import { qualifierOf, resolveStage, StageResolutionError } from '../../src/service/stage.ts';

const arn = (qualifier?: string) =>
  `arn:aws:lambda:us-east-1:123456789012:function:example${qualifier === undefined ? '' : `:${qualifier}`}`;

describe('qualifierOf', () => {
  it('reads the alias or version after the function name', () => {
    expect(qualifierOf(arn('prod'))).toBe('prod');
    expect(qualifierOf(arn('7'))).toBe('7');
    expect(qualifierOf(arn())).toBeUndefined();
    expect(qualifierOf('not an arn')).toBeUndefined();
  });
});

describe('resolveStage', () => {
  it('gives the stage when the alias and the stage variable agree', () => {
    expect(resolveStage(arn('staging'), { stage: 'staging' })).toBe('staging');
    expect(resolveStage(arn('prod'), { stage: 'prod' })).toBe('prod');
  });

  it.each([
    [arn('prod'), { stage: 'staging' }, 'alias prod and stageVariables.stage "staging" disagree'],
    [arn('staging'), { stage: 'prod' }, 'alias staging and stageVariables.stage "prod" disagree'],
    [arn('prod'), null, 'event has no stageVariables.stage to confirm alias prod'],
    [arn('prod'), {}, 'event has no stageVariables.stage to confirm alias prod'],
    [arn('7'), { stage: '7' }, 'invoked through 7, which is not a stage alias'],
    [arn('$LATEST'), { stage: 'staging' }, 'invoked through $LATEST, which is not a stage alias'],
    [arn('dev'), { stage: 'dev' }, 'invoked through dev, which is not a stage alias'],
    [arn(), { stage: 'prod' }, /^invoked without an alias/],
    [undefined, { stage: 'prod' }, /^invoked without an alias/],
  ])('refuses %s with %j', (invoked, variables, message) => {
    expect(() => resolveStage(invoked, variables)).toThrow(StageResolutionError);
    expect(() => resolveStage(invoked, variables)).toThrow(message);
  });
});
