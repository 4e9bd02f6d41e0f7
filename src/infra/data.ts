/** The per-stage DynamoDB tables, named and protected from the shared stage config. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { STAGES, USER_TABLE_KEY, type Stage } from '../config/stages.ts';
import { TTL_ATTRIBUTE } from '../service/idempotency/records.ts';
import { pascal } from './names.ts';
import { TABLE_POLICY, type TablePolicy } from './settings.ts';

export interface UserTablesProps {
  /** The table name of each stage (from `tableNameFor`). */
  readonly tableNames: Readonly<Record<Stage, string>>;
  /**
   * How each stage's table is protected.
   * @default TABLE_POLICY (src/infra/settings.ts): prod retained with point-in-time recovery,
   *   staging disposable
   */
  readonly policies?: Readonly<Record<Stage, TablePolicy>>;
  /**
   * The partition key (a string attribute); the service reads and writes items by it.
   * @default USER_TABLE_KEY ('id')
   */
  readonly partitionKey?: string;
}

/** One on-demand user table per stage, keyed by `id` (string). */
export class UserTables extends Construct {
  /** The table of each stage. */
  readonly byStage: Readonly<Record<Stage, Table>>;

  /**
   * @param scope the parent construct
   * @param id the construct id
   * @param props the table names
   */
  constructor(scope: Construct, id: string, props: UserTablesProps) {
    super(scope, id);
    const entries = STAGES.map((stage) => {
      const policy = (props.policies ?? TABLE_POLICY)[stage];
      const table = new Table(this, pascal(stage), {
        tableName: props.tableNames[stage],
        partitionKey: { name: props.partitionKey ?? USER_TABLE_KEY, type: AttributeType.STRING },
        // On demand: no charge for idle capacity, only for requests and storage.
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: {
          pointInTimeRecoveryEnabled: policy.pointInTimeRecovery,
        },
        removalPolicy: policy.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        // Idempotency-Key records share the table (ids `idem#…`); DynamoDB deletes them after
        // this epoch-seconds attribute. User items never carry it.
        timeToLiveAttribute: TTL_ATTRIBUTE,
      });
      return [stage, table] as const;
    });
    this.byStage = Object.fromEntries(entries) as Record<Stage, Table>;
  }
}
