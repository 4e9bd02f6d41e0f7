/**
 * Reads and checks the CDK context the stack accepts (`--context key=value` or cdk.json):
 * the stack name and the optional custom domain.
 */
import { DEFAULT_STACK_NAME, STACK_NAME_CONTEXT } from '../config/aws-stack.ts';
import { StagecraftError } from '../errors.ts';

/** A custom domain for the API: `https://<domainName>/<stage>/…`. */
export interface DomainSettings {
  /** The domain name, e.g. `api.example.com`. */
  readonly domainName: string;
  /** An ACM certificate in the stack's region that covers `domainName`. */
  readonly certificateArn: string;
  /** The Route53 hosted zone id the alias record goes into. */
  readonly hostedZoneId: string;
  /** That hosted zone's name, e.g. `example.com`. */
  readonly hostedZoneName: string;
}

/** Everything the stack takes from context. */
export interface InfraSettings {
  /**
   * The CloudFormation stack name.
   * @default 'Stagecraft'
   */
  readonly stackName: string;
  /** The custom domain; absent unless all four domain keys are given. */
  readonly domain?: DomainSettings;
}

/** The context keys of the custom domain, in the order they are reported. */
export const DOMAIN_CONTEXT_KEYS = [
  'domainName',
  'certificateArn',
  'hostedZoneId',
  'hostedZoneName',
] as const;

// CloudFormation stack names: a letter, then letters, digits and hyphens, 128 at most.
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

/** True for a valid CloudFormation stack name. */
export function isStackName(name: string): boolean {
  return STACK_NAME.test(name);
}

/** Why the CDK app refused its context. */
export type InfraContextErrorCode =
  /** A CDK context value is malformed or incomplete. */
  'infra.context';

/** A context value that cannot be used; the message names the key and what it needs. */
export class InfraContextError extends StagecraftError<InfraContextErrorCode> {
  override readonly name = 'InfraContextError';

  /**
   * @param message what went wrong and what to do about it
   * @param options `code` (default `infra.context`) and the underlying error
   */
  constructor(message: string, options?: { code?: InfraContextErrorCode; cause?: unknown }) {
    super(options?.code ?? 'infra.context', message, options);
  }
}

/**
 * Reads the stack's context through `get` (e.g. `(key) => app.node.tryGetContext(key)`).
 * @throws InfraContextError for a malformed value or an incomplete custom domain
 */
export function readInfraSettings(get: (key: string) => unknown): InfraSettings {
  const stackName = optionalString(get, STACK_NAME_CONTEXT) ?? DEFAULT_STACK_NAME;
  if (!isStackName(stackName)) {
    throw new InfraContextError(
      `context ${STACK_NAME_CONTEXT}='${stackName}' is not a CloudFormation stack name (a letter, then letters, digits or '-')`,
    );
  }
  const values = DOMAIN_CONTEXT_KEYS.map((key) => [key, optionalString(get, key)] as const);
  const missing = values.filter(([, value]) => value === undefined).map(([key]) => key);
  if (missing.length === DOMAIN_CONTEXT_KEYS.length) return { stackName };
  if (missing.length > 0) {
    throw new InfraContextError(
      `a custom domain needs all of ${DOMAIN_CONTEXT_KEYS.join(', ')}; missing: ${missing.join(', ')}`,
    );
  }
  const domain = Object.fromEntries(values) as unknown as DomainSettings;
  check(
    DOMAIN_NAME.test(domain.domainName),
    'domainName',
    domain.domainName,
    'a lower-case DNS name',
  );
  check(
    CERTIFICATE_ARN.test(domain.certificateArn),
    'certificateArn',
    domain.certificateArn,
    'an ACM certificate ARN',
  );
  check(
    HOSTED_ZONE_ID.test(domain.hostedZoneId),
    'hostedZoneId',
    domain.hostedZoneId,
    'a Route53 zone id (Z…)',
  );
  const zone = domain.hostedZoneName.replace(/\.$/, '');
  check(
    domain.domainName === zone || domain.domainName.endsWith(`.${zone}`),
    'hostedZoneName',
    domain.hostedZoneName,
    `the zone that contains ${domain.domainName}`,
  );
  return { stackName, domain: { ...domain, hostedZoneName: zone } };
}

function optionalString(get: (key: string) => unknown, key: string): string | undefined {
  const value = get(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new InfraContextError(`context ${key} must be a string`);
  return value;
}

function check(ok: boolean, key: string, value: string, what: string): void {
  if (!ok) throw new InfraContextError(`context ${key}='${value}' is not ${what}`);
}
