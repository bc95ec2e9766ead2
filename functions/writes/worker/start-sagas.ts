import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { ConfigurationError } from '#layers/errors/index.ts';
import type { ToolLogger } from '#layers/observability/tool-logger.ts';
import { getSystem } from '#layers/systems/registry.ts';
import { type AnyWriteTool, isWriteTool } from '#layers/tools/define.ts';
import type { ToolRegistry } from '#layers/tools/tool-registry.ts';
import type { ToolRunner } from '#layers/tools/tool-runner.ts';
import type { OperationStore } from '#layers/writes/operation-store.ts';
import { sagaStateMachineArn } from '#layers/writes/saga-names.ts';
import { nextWaitSeconds, type WaitPolicy } from '#layers/writes/wait-schedule.ts';

const messageSchema = z.object({ operationId: z.string().min(1), tool: z.string().min(1) });

export interface StartSagasDeps {
  sfn: Pick<SFNClient, 'send'>;
  /**
   * SAGA_STATE_MACHINE_PREFIX: the state machines' ARN up to and including their name prefix; each
   * write tool's is found by name (layers/writes/saga-names.ts).
   */
  stateMachinePrefix: string;
  registry: ToolRegistry;
  runner: ToolRunner;
  logger: ToolLogger;
  /** The write queue, whose messages wait by changing their visibility. */
  sqs: Pick<SQSClient, 'send'>;
  queueUrl: string;
  operations: Pick<OperationStore, 'abandon'>;
  /** How long, and with which pauses, a write waits for its system (WRITE_WAIT_*). */
  wait: WaitPolicy;
  /** Epoch ms; injected in tests. @default Date.now */
  now?: () => number;
}

/** Thrown to leave a message on the queue for later; the batch processor reports it as failed. */
export class DeferredError extends Error {
  override readonly name = 'DeferredError';
}

/**
 * Handles one write-queue message: starts the tool's saga with the operation id as execution name
 * (a second start of the same operation is a no-op). A tool that declares `readiness` waits in the
 * queue while its system is down: the message is hidden for growing pauses (30 s, 1 min, 2 min, …
 * up to SQS's 12 h), and once the waiting window has passed since confirmation the operation ends
 * `rolled_back` with nothing written, instead of the message ending in the dead-letter queue.
 */
export function startSaga(deps: StartSagasDeps) {
  const now = deps.now ?? Date.now;

  /** Hides the message until its next try; throws to leave it on the queue. */
  const waitForSystem = async (
    record: SQSRecord,
    operationId: string,
    tool: AnyWriteTool,
    reason: string,
  ): Promise<void> => {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    const sentAt = Number(record.attributes.SentTimestamp) || now();
    const pause = nextWaitSeconds(receiveCount, (now() - sentAt) / 1000, deps.wait);
    if (pause === undefined) {
      const error = { code: 'upstream_unavailable', message: gaveUpMessage(tool, deps.wait) };
      const abandoned = await deps.operations.abandon(operationId, error);
      deps.logger.error('system stayed unavailable for the waiting window; write given up', {
        operationId,
        tool: tool.name,
        receiveCount,
        abandoned,
        reason,
      });
      return;
    }
    deps.logger.warn('system not ready; write stays queued', {
      operationId,
      tool: tool.name,
      receiveCount,
      nextTryInSeconds: pause,
      reason,
    });
    try {
      await deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: deps.queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: pause,
        }),
      );
    } catch (error) {
      // The message still comes back, after the queue's own visibility timeout.
      deps.logger.warn('could not delay the waiting write', {
        operationId,
        error: (error as Error).message,
      });
    }
    throw new DeferredError(`${tool.name}: system not ready`);
  };

  return async (record: SQSRecord): Promise<void> => {
    const parsed = messageSchema.safeParse(JSON.parse(record.body));
    if (!parsed.success) {
      deps.logger.error('malformed write message dropped', { messageId: record.messageId });
      return;
    }
    const { operationId, tool: toolName } = parsed.data;
    const tool = deps.registry.get(toolName);
    if (!tool || !isWriteTool(tool)) {
      throw new ConfigurationError(
        'saga_not_configured',
        `No saga is deployed for ${toolName}: it is not a write tool of this gateway.`,
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
        return waitForSystem(record, operationId, tool, (error as Error).message);
      }
    }
    try {
      await deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: sagaStateMachineArn(deps.stateMachinePrefix, tool.name),
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

/** What the operation says when its system stayed down for the whole window. */
function gaveUpMessage(tool: AnyWriteTool, wait: WaitPolicy): string {
  const names = tool.systems.map((id) => getSystem(id)?.displayName ?? id).join(' and ');
  return `${names} stayed unavailable for ${duration(wait.windowSeconds)} after this ${tool.name} write was confirmed, so it was given up: nothing was written. Propose it again once the system is back.`;
}

const duration = (seconds: number): string => {
  const [amount, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
};
