/**
 * The optional custom domain: `https://<domain>/<stage>/…` for each stage (the same URL shape
 * as the local stack's `http://host:port/<stage>/…`), and a Route53 alias record.
 */
import {
  BasePathMapping,
  DomainName,
  EndpointType,
  SecurityPolicy,
  type RestApi,
  type Stage as ApiStage,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayDomain } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { STAGES, type Stage } from '../config/stages.ts';
import type { DomainSettings } from './context.ts';
import { pascal } from './names.ts';

export interface ApiDomainProps {
  /** Domain name, certificate and hosted zone. */
  readonly settings: DomainSettings;
  /** The API the domain serves. */
  readonly api: RestApi;
  /** Each stage's API Gateway stage, mapped under the base path `<stage>`. */
  readonly stages: Readonly<Record<Stage, ApiStage>>;
}

/** A regional custom domain with one base-path mapping per stage and its DNS record. */
export class ApiDomain extends Construct {
  /** Each stage's base URL on the custom domain, ending in `/<stage>/`. */
  readonly urls: Readonly<Record<Stage, string>>;

  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props the domain settings, the API and its stages
   */
  constructor(scope: Construct, id: string, props: ApiDomainProps) {
    super(scope, id);
    const { domainName, certificateArn, hostedZoneId, hostedZoneName } = props.settings;
    // Attributes, not HostedZone.fromLookup: synth stays offline and needs no credentials.
    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId,
      zoneName: hostedZoneName,
    });
    const domain = new DomainName(this, 'Name', {
      domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', certificateArn),
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    // `<stage>` base paths rather than prod at the root: a root mapping cannot coexist with
    // other mappings on one domain.
    for (const stage of STAGES) {
      new BasePathMapping(this, `${pascal(stage)}Mapping`, {
        domainName: domain,
        restApi: props.api,
        stage: props.stages[stage],
        basePath: stage,
      });
    }
    new ARecord(this, 'AliasRecord', {
      zone,
      recordName: domainName,
      target: RecordTarget.fromAlias(new ApiGatewayDomain(domain)),
    });
    this.urls = Object.fromEntries(
      STAGES.map((stage) => [stage, `https://${domainName}/${stage}/`]),
    ) as Record<Stage, string>;
  }
}
