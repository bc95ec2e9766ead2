import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { ConfigurationError } from '#layers/errors/index.ts';
import { isWriteTool, type ToolLogger } from '#layers/tools/define.ts';
import type { ToolRegistry } from '#layers/tools/registry-types.ts';
import type { ToolRunner } from '#layers/tools/runtime.ts';

const messageSchema = z.object({ operationId: z.string().min(1), tool: z.string().min(1) });

export interface StartSagasDeps {
  sfn: Pick<SFNClient, 'send'>;
  /** Write tool name → state machine ARN. */
  stateMachines: Readonly<Record<string, string>>;
  registry: ToolRegistry;
  runner: ToolRunner;
  logger: ToolLogger;
}

/** Thrown to leave a message on the queue for later; the batch processor reports it as failed. */
export class DeferredError extends Error {
  override readonly name = 'DeferredError';
}

/**
 * Handles one write-queue message: starts the tool's saga with the operation id as execution name
 * (a second start of the same operation is a no-op). A tool that declares `readiness` waits in the
 * queue while its system is down.
 */
export function startSaga(deps: StartSagasDeps) {
  return async (record: SQSRecord): Promise<void> => {
    const parsed = messageSchema.safeParse(JSON.parse(record.body));
    if (!parsed.success) {
      deps.logger.error('malformed write message dropped', { messageId: record.messageId });
      return;
    }
    const { operationId, tool: toolName } = parsed.data;
    const stateMachineArn = deps.stateMachines[toolName];
    const tool = deps.registry.get(toolName);
    if (!stateMachineArn || !tool || !isWriteTool(tool)) {
      throw new ConfigurationError(
        'saga_not_configured',
        `No state machine is configured for write tool ${toolName}.`,
      );
    }
    if (tool.readiness) {
      try {
        await tool.readiness(
          deps.runner.contextFor(tool.systems, {
            requestId: operationId,
            caller: { sub: 'write-worker', roles: [] },
          }),
        );
      } catch (error) {
        deps.logger.warn('system not ready; write stays queued', {
          operationId,
          tool: toolName,
          error: (error as Error).message,
        });
        throw new DeferredError(`${toolName}: system not ready`);
      }
    }
    try {
      await deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: operationId,
          input: JSON.stringify({ operationId }),
        }),
      );
    } catch (error) {
      if (
        error instanceof ExecutionAlreadyExists ||
        (error as Error).name === 'ExecutionAlreadyExists'
      )
        return;
      throw error;
    }
  };
}

/** Parses SAGA_STATE_MACHINES. */
export function parseStateMachines(value: string | undefined): Record<string, string> {
  if (!value) return {};
  const parsed = z.record(z.string(), z.string()).safeParse(JSON.parse(value));
  if (!parsed.success)
    throw new Error('SAGA_STATE_MACHINES must be a JSON object of tool name → state machine ARN');
  return parsed.data;
}
