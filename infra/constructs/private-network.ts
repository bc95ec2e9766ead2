import {
  GatewayVpcEndpoint,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type ISecurityGroup,
  type ISubnet,
  type IVpc,
  SecurityGroup,
  Subnet,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { systemSettingNames } from '../../layers/config/system-settings.ts';
import type { PrivateNetwork as PrivateNetworkConfig } from '../config/stage-config.ts';

/** Where a function runs when it is in the VPC: the props NodejsFunction takes for it. */
export interface FunctionPlacement {
  readonly vpc: IVpc;
  readonly subnets: readonly ISubnet[];
  readonly securityGroups: readonly ISecurityGroup[];
}

export interface PrivateNetworkProps {
  readonly config: PrivateNetworkConfig;
}

/**
 * The AWS services a function reaches, read from the settings it is given: a function in the VPC
 * gets an endpoint for each, so its AWS calls stay off the NAT (and work without one).
 */
const servicesBySetting: readonly { setting: RegExp; service: string }[] = [
  { setting: /_TABLE_NAME$/, service: 'dynamodb' },
  { setting: /_QUEUE_URL$/, service: 'sqs' },
  { setting: /_SECRET_ID$/, service: 'secretsmanager' },
  { setting: /^SAGA_STATE_MACHINE_PREFIX$/, service: 'states' },
  { setting: /^EVENT_BUS_NAME$/, service: 'events' },
];

const interfaceServices: Readonly<
  Record<string, { id: string; service: InterfaceVpcEndpointAwsService }>
> = {
  sqs: { id: 'SqsEndpoint', service: InterfaceVpcEndpointAwsService.SQS },
  secretsmanager: {
    id: 'SecretsManagerEndpoint',
    service: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  },
  states: { id: 'StepFunctionsEndpoint', service: InterfaceVpcEndpointAwsService.STEP_FUNCTIONS },
  events: { id: 'EventBridgeEndpoint', service: InterfaceVpcEndpointAwsService.EVENTBRIDGE },
};

/**
 * The deployer's VPC, imported without a lookup (synth stays offline), for the functions that call
 * a private system (`-c privateSystems`): they run in its subnets with one security group, and the
 * VPC gets the endpoints they need, created on first use: a gateway endpoint for DynamoDB and
 * interface endpoints (private DNS) for SQS, Secrets Manager and whatever else they call.
 *
 * @example
 * const network = new PrivateNetwork(this, 'PrivateNetwork', { config: config.network });
 * const placement = network.placementFor(environment); // undefined: the function stays outside
 */
export class PrivateNetwork extends Construct {
  readonly vpc: IVpc;
  /** The security group of every function in the VPC; endpoints accept HTTPS from it. */
  readonly functionSecurityGroup: SecurityGroup;
  private readonly subnets: ISubnet[];
  private readonly endpoints = new Set<string>();

  constructor(
    scope: Construct,
    id: string,
    private readonly props: PrivateNetworkProps,
  ) {
    super(scope, id);
    const { config } = props;
    this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: config.vpcId,
      availabilityZones: [...new Set(config.subnets.map((subnet) => subnet.availabilityZone))],
    });
    this.subnets = config.subnets.map((subnet, index) =>
      Subnet.fromSubnetAttributes(this, `Subnet${index}`, {
        subnetId: subnet.id,
        availabilityZone: subnet.availabilityZone,
        ...(subnet.routeTableId ? { routeTableId: subnet.routeTableId } : {}),
      }),
    );
    this.functionSecurityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Toolgate functions that call private systems',
      // They call the private systems, and public ones and the issuer's JWKS through the NAT.
      allowAllOutbound: true,
    });
  }

  /**
   * The placement of a function with these settings: in the VPC when it calls a private system
   * (its settings carry that system's base URL), else undefined.
   */
  placementFor(environment: Readonly<Record<string, string>>): FunctionPlacement | undefined {
    const settings = Object.keys(environment);
    const callsPrivateSystem = this.props.config.privateSystems.some((system) =>
      settings.includes(systemSettingNames.baseUrl(system)),
    );
    if (!callsPrivateSystem) return undefined;
    if (this.props.config.createEndpoints) {
      for (const { setting, service } of servicesBySetting)
        if (settings.some((name) => setting.test(name))) this.addEndpoint(service);
    }
    return {
      vpc: this.vpc,
      subnets: this.subnets,
      securityGroups: [this.functionSecurityGroup],
    };
  }

  private addEndpoint(service: string): void {
    if (this.endpoints.has(service)) return;
    this.endpoints.add(service);
    if (service === 'dynamodb') {
      new GatewayVpcEndpoint(this, 'DynamoDbEndpoint', {
        vpc: this.vpc,
        service: GatewayVpcEndpointAwsService.DYNAMODB,
        subnets: [{ subnets: this.subnets }],
      });
      return;
    }
    const known = interfaceServices[service];
    if (!known) throw new Error(`No VPC endpoint known for ${service}`);
    const endpoint = new InterfaceVpcEndpoint(this, known.id, {
      vpc: this.vpc,
      service: known.service,
      subnets: { subnets: this.subnets },
      privateDnsEnabled: true,
      // Only the functions' security group, not the whole VPC (whose CIDR an import does not know).
      open: false,
    });
    endpoint.connections.allowDefaultPortFrom(this.functionSecurityGroup);
  }
}
