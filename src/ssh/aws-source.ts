// Instances straight from AWS: DescribeInstances through the SDK's paginator, once per
// (profile, region) pair. Imported only on this path — the EC2 client is a large module, and
// `--from-json` must stay fast.
import { EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import type { DescribeInstancesCommandInput } from '@aws-sdk/client-ec2';
import { SshConfigError } from './errors.ts';
import { readDocument } from './instances.ts';
import type { Ec2Instance } from './model.ts';

/** One account/region to list. Unset fields fall back to the SDK's defaults (env, config). */
export interface AwsTarget {
  /** Shared-config profile, like `aws --profile`. */
  readonly profile?: string;
  /** Region, like `aws --region`. */
  readonly region?: string;
}

/** Builds the client for one target; injected by tests (with aws-sdk-client-mock). */
export type Ec2ClientFactory = (target: AwsTarget) => EC2Client;

/**
 * The real client factory.
 *
 * @param target profile and region
 */
export const createEc2Client: Ec2ClientFactory = (target) =>
  new EC2Client({
    ...(target.profile !== undefined && { profile: target.profile }),
    ...(target.region !== undefined && { region: target.region }),
  });

/** Options for {@link instancesFromAws}. */
export interface AwsSourceOptions {
  /**
   * List every instance; otherwise AWS is asked only for `instance-state-name=running`.
   * @default false
   */
  readonly includeStopped?: boolean;
  /**
   * Builds each client.
   * @default createEc2Client
   */
  readonly createClient?: Ec2ClientFactory;
  /**
   * `MaxResults` per DescribeInstances call (5–1000).
   * @default 1000
   */
  readonly pageSize?: number;
}

/**
 * Lists the instances of every target, following `NextToken` until the last page. Throws
 * {@link SshConfigError} (`aws`) naming the target when a call fails (no credentials, no region,
 * access denied), so nothing is written from a partial listing.
 *
 * @param targets the (profile, region) pairs to list, in order
 * @param options filtering, client factory and page size
 */
export async function instancesFromAws(
  targets: readonly AwsTarget[],
  options: AwsSourceOptions = {},
): Promise<Ec2Instance[]> {
  const createClient = options.createClient ?? createEc2Client;
  const instances: Ec2Instance[] = [];
  for (const target of targets) {
    const where = describeTarget(target);
    const client = createClient(target);
    // A fresh input per target: the paginator writes NextToken into it, and a token left over
    // from the previous target would make this one start mid-listing.
    const input: DescribeInstancesCommandInput = options.includeStopped
      ? {}
      : { Filters: [{ Name: 'instance-state-name', Values: ['running'] }] };
    try {
      let page = 0;
      const pages = paginateDescribeInstances(
        { client, pageSize: options.pageSize ?? 1000 },
        input,
      );
      for await (const result of pages) {
        page++;
        readDocument(result, `DescribeInstances (${where}) page ${page}`, instances);
      }
    } catch (error) {
      if (error instanceof SshConfigError) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SshConfigError('aws', `DescribeInstances failed (${where}): ${reason}`);
    } finally {
      client.destroy();
    }
  }
  return instances;
}

function describeTarget(target: AwsTarget): string {
  return [
    `profile ${target.profile ?? '(default)'}`,
    `region ${target.region ?? '(default)'}`,
  ].join(', ');
}
