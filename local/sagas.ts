import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SagaDefinition } from '#infra/constructs/saga-definition.ts';
import type { AnyWriteTool } from '#layers/tools/define.ts';
import { sagaStateMachineArn, sagaStateMachinePrefix } from '#layers/writes/saga-names.ts';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

/** SAGA_STATE_MACHINE_PREFIX in local mode: the emulator's machines are named as on AWS. */
export const localStateMachinePrefix = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${sagaStateMachinePrefix('toolgate-local')}`;

/**
 * The saga definitions of the write tools, built by the same CDK construct the deployed stack
 * uses (no synth, no bundling: the step function is referenced by a local ARN).
 */
export function localSagaDefinitions(
  tools: readonly AnyWriteTool[],
): { tool: string; arn: string; definition: Record<string, unknown> }[] {
  const stack = new Stack(new App(), 'LocalSagas', { env: { account: ACCOUNT, region: REGION } });
  const stepFunction = LambdaFunction.fromFunctionArn(
    stack,
    'Step',
    `arn:aws:lambda:${REGION}:${ACCOUNT}:function:toolgate-local-saga-step`,
  );
  return tools.map((tool) => ({
    tool: tool.name,
    arn: sagaStateMachineArn(localStateMachinePrefix, tool.name),
    definition: new SagaDefinition(stack, `Saga-${tool.name}`, { tool, stepFunction }).toAsl(),
  }));
}
