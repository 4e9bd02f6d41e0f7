// The Lambda model's one version syntax and one routing formatter: every caller (the local
// store, the release command line, deploy, the CDK parameter) shares them, so their accepted
// inputs and output texts are pinned here.
import { describe, expect, it } from 'vitest';
import { PROD_VERSION_PATTERN } from '../../src/config/aws-stack.ts';
import {
  isPublishedVersion,
  isVersionName,
  VERSION_NAME_PATTERN,
} from '../../src/config/versions.ts';
import {
  type AliasState,
  canaryVersion,
  formatRouting,
  hasCanary,
  routingOf,
} from '../../src/platform/alias.ts';
import { versionArg } from '../../src/cli/commands/release/args.ts';
import { parseProdVersion } from '../../src/release/deploy-plan.ts';

describe('the version syntax', () => {
  const published = ['1', '2', '42', '9999999999'];
  const refused = ['0', '01', '10000000000', '-1', '1.0', ' 1', 'prod', '$latest', ''];

  it('accepts published numbers up to ten digits, without a leading zero', () => {
    for (const ok of published) expect(isPublishedVersion(ok)).toBe(true);
    for (const bad of [...refused, '$LATEST']) expect(isPublishedVersion(bad)).toBe(false);
    expect(isPublishedVersion(1)).toBe(false);
  });

  it('adds $LATEST for alias targets and the CDK ProdVersion parameter, one pattern', () => {
    expect(PROD_VERSION_PATTERN).toBe(VERSION_NAME_PATTERN);
    for (const ok of ['$LATEST', ...published]) {
      expect(isVersionName(ok)).toBe(true);
      expect(VERSION_NAME_PATTERN.test(ok)).toBe(true);
    }
    for (const bad of refused) {
      expect(isVersionName(bad)).toBe(false);
      expect(VERSION_NAME_PATTERN.test(bad)).toBe(false);
    }
  });

  it('is the syntax of the release command line and of deploy --prod-version', () => {
    for (const ok of published) {
      expect(versionArg('VERSION', ok)).toBe(ok);
      expect(parseProdVersion(ok)).toBe(ok);
    }
    for (const bad of refused.filter((value) => value.toLowerCase() !== '$latest')) {
      expect(() => versionArg('VERSION', bad)).toThrow(/published version number/);
      expect(() => parseProdVersion(bad)).toThrow(/is not a Lambda version/);
    }
    expect(parseProdVersion('latest')).toBe('$LATEST');
    expect(parseProdVersion('$LATEST')).toBe('$LATEST');
  });
});

describe('routing', () => {
  const plain = { version: '3' };
  const canary = { version: '3', weights: { '4': 0.1 } };

  it('tells a canary from a plain routing and names its version', () => {
    expect(hasCanary(plain)).toBe(false);
    expect(hasCanary({ version: '3', weights: {} })).toBe(false);
    expect(hasCanary(canary)).toBe(true);
    expect(canaryVersion(plain)).toBeUndefined();
    expect(canaryVersion(canary)).toBe('4');
  });

  it('drops the revision and an empty weights object', () => {
    const ended: AliasState = { version: '3', weights: {}, revision: 'r1' };
    const running: AliasState = { ...canary, revision: 'r2' };
    expect(routingOf(ended)).toEqual(plain);
    expect(routingOf(running)).toEqual(canary);
  });

  it('formats in each style with the texts users and history already read', () => {
    expect(formatRouting(plain, 'compact')).toBe('3');
    expect(formatRouting(canary, 'compact')).toBe('3+4@10%');
    expect(formatRouting({ version: '3', weights: { '4': 0.125 } }, 'compact')).toBe('3+4@12.5%');
    expect(formatRouting(plain, 'prose')).toBe('version 3');
    expect(formatRouting(canary, 'prose')).toBe('version 3 with 10% to version 4');
    expect(formatRouting({ version: '$LATEST' }, 'serving')).toBe('$LATEST');
    expect(formatRouting(plain, 'serving')).toBe('version 3');
    expect(formatRouting({ version: '1', weights: { '2': 0.12345 } }, 'serving')).toBe(
      'version 1 + 12.3% version 2',
    );
    expect(formatRouting(canary, 'canary')).toBe('3, with version 4 at 10%');
  });
});
