import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { auditTable } from '../../layers/audit/audit-table.ts';
import type { SystemDefinition } from '../../layers/systems/definition.ts';
import type { StageConfig } from '../config/stage-config.ts';

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
  readonly systems: readonly SystemDefinition[];
}

/** Placeholder secret JSON per auth mode: a fixed field for the operator, a random one to replace. */
const secretTemplates: Record<
  SystemDefinition['auth']['type'],
  { template: Record<string, string>; generated: string }
> = {
  bearer: { template: {}, generated: 'token' },
  api_key: { template: {}, generated: 'apiKey' },
  basic: { template: { username: 'replace-me' }, generated: 'password' },
  oauth2_client_credentials: { template: { clientId: 'replace-me' }, generated: 'clientSecret' },
};

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

/**
 * Stateful resources, kept apart so the stateless stacks can be replaced freely: the audit table
 * and one Secrets Manager secret per business system.
 */
export class StatefulStack extends Stack {
  readonly auditTable: Table;
  readonly systemSecrets: ReadonlyMap<string, Secret>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.auditTable = new Table(this, 'AuditTable', {
      partitionKey: { name: auditTable.partitionKey, type: AttributeType.STRING },
      sortKey: { name: auditTable.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: auditTable.timeToLiveAttribute,
      deletionProtection: config.stage === 'prod',
      removalPolicy: config.removalPolicy,
    });
    this.auditTable.addGlobalSecondaryIndex({
      indexName: auditTable.byToolIndex.name,
      partitionKey: { name: auditTable.byToolIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: auditTable.byToolIndex.sortKey, type: AttributeType.STRING },
    });

    const secrets = new Map<string, Secret>();
    for (const system of props.systems) {
      const shape = secretTemplates[system.auth.type];
      const secret = new Secret(this, `${pascal(system.id)}Secret`, {
        description: `Toolgate credentials of ${system.displayName} (${system.auth.type}); set the real value after deploy.`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify(shape.template),
          generateStringKey: shape.generated,
          excludePunctuation: true,
          passwordLength: 40,
        },
        removalPolicy: config.removalPolicy,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Vendor API credentials (HubSpot private-app token, ERP client secret, Zendesk API token) are issued and rotated in the vendor system, not by a Lambda rotation function; the gateway re-reads the secret when a system answers 401.',
      });
      secrets.set(system.id, secret);
      new CfnOutput(this, `${pascal(system.id)}SecretArn`, {
        value: secret.secretArn,
        description: `Set with: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string '<${system.auth.type} JSON>'`,
      });
    }
    this.systemSecrets = secrets;
    new CfnOutput(this, 'AuditTableName', { value: this.auditTable.tableName });
  }
}
