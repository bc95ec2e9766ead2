import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SagaDefinition } from '#infra/constructs/saga-definition.ts';
import type { AnyWriteTool } from '#layers/tools/define.ts';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

export const localStateMachineArn = (tool: string) =>
  `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:toolgate-local-${tool}`;

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
    arn: localStateMachineArn(tool.name),
    definition: new SagaDefinition(stack, `Saga-${tool.name}`, { tool, stepFunction }).toAsl(),
  }));
}
