import { describe, expect, it } from 'vitest';
import { InfraContextError, readInfraSettings } from '../../src/infra/context.ts';

const domain = {
  domainName: 'api.example.com',
  certificateArn:
    'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: 'example.com.',
};

function read(context: Record<string, unknown>) {
  return readInfraSettings((key) => context[key]);
}

describe('readInfraSettings', () => {
  it('defaults to the Stagecraft stack and no domain', () => {
    expect(read({})).toEqual({ stackName: 'Stagecraft' });
  });

  it('takes a complete domain, dropping the zone name trailing dot', () => {
    expect(read({ ...domain, stackName: 'Other-1' })).toEqual({
      stackName: 'Other-1',
      domain: { ...domain, hostedZoneName: 'example.com' },
    });
  });

  it('names the missing keys of an incomplete domain', () => {
    expect(() => read({ domainName: 'api.example.com', hostedZoneId: 'Z1' })).toThrow(
      new InfraContextError(
        'a custom domain needs all of domainName, certificateArn, hostedZoneId, hostedZoneName; missing: certificateArn, hostedZoneName',
      ),
    );
  });

  it.each([
    [{ stackName: '1bad' }, /stackName='1bad' is not a CloudFormation stack name/],
    [{ stackName: 42 }, /context stackName must be a string/],
    [
      { ...domain, certificateArn: 'arn:aws:iam::1:role/x' },
      /certificateArn='.*' is not an ACM certificate ARN/,
    ],
    [{ ...domain, hostedZoneId: 'zone' }, /hostedZoneId='zone' is not a Route53 zone id/],
    [
      { ...domain, domainName: 'API.Example.com' },
      /domainName='API.Example.com' is not a lower-case DNS name/,
    ],
    [
      { ...domain, hostedZoneName: 'other.org' },
      /hostedZoneName='other.org' is not the zone that contains api.example.com/,
    ],
    [{ ...domain, domainName: 'notexample.com' }, /is not the zone that contains notexample.com/],
  ])('rejects %j', (context, message) => {
    expect(() => read(context)).toThrow(message);
  });
});
