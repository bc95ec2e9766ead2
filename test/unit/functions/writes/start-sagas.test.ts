import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { DeferredError, startSaga } from '#functions/writes/worker/start-sagas.ts';
import { UpstreamUnavailableError } from '#layers/errors/index.ts';
import { defineWriteTool } from '#layers/tools/define.ts';
import { createRegistry } from '#layers/tools/tool-registry.ts';
import type { ToolRunner } from '#layers/tools/tool-runner.ts';
import {
  MAX_VISIBILITY_SECONDS,
  POISON_RECEIVES,
  writeQueueMaxReceiveCount,
} from '#layers/writes/wait-schedule.ts';
import { sqsRecord } from '#test/helpers/lambda.ts';

const SENT_AT = Date.parse('2026-11-02T08:00:00.000Z');
const DAY = 86_400;
const PREFIX = 'arn:aws:states:us-east-1:000000000000:stateMachine:toolgate-api-saga-';
const ARN = `${PREFIX}notify_customer`;

let mailUp = false;
const notify = defineWriteTool({
  name: 'notify_customer',
  title: 'Notify',
  description: 'Test tool that waits for the mail system.',
  risk: 'write',
  confirmBy: 'self',
  systems: ['mail'],
  input: z.strictObject({}),
  output: z.object({}),
  preview: async () => ({ summary: 'Notify', changes: [] }),
  readiness: async () => {
    if (!mailUp) throw new UpstreamUnavailableError('The mail system could not be reached.');
  },
  steps: [{ name: 'send', system: 'mail', run: async () => ({}) }],
  result: () => ({}),
});

const record = (receiveCount: number) =>
  sqsRecord(
    { operationId: 'op_1', tool: 'notify_customer' },
    {
      receiveCount,
      receiptHandle: `handle-${receiveCount}`,
      sentAt: SENT_AT,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:writes',
    },
  );

describe('startSaga', () => {
  const sfn = mockClient(SFNClient);
  const sqs = mockClient(SQSClient);
  const abandon = vi.fn(async () => true);
  let clock = SENT_AT;
  const worker = (windowSeconds = DAY) =>
    startSaga({
      sfn: new SFNClient({ region: 'us-east-1' }),
      sqs: new SQSClient({ region: 'us-east-1' }),
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/writes',
      stateMachinePrefix: PREFIX,
      registry: createRegistry([notify]),
      runner: { contextFor: () => ({}) } as unknown as ToolRunner,
      logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      operations: { abandon },
      wait: { windowSeconds, firstDelaySeconds: 30 },
      now: () => clock,
    });
  const pauses = () =>
    sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);

  beforeEach(() => {
    sfn.reset();
    sqs.reset();
    abandon.mockClear();
    mailUp = false;
    clock = SENT_AT;
  });

  it('hides a waiting write for doubling pauses, from 30 s up to SQS’s 12 h', async () => {
    // Arrange: each receive comes back when its pause is over
    const handle = worker(7 * DAY);
    const seen: number[] = [];
    // Act
    for (let receive = 1; receive <= 13; receive++) {
      await expect(handle(record(receive))).rejects.toBeInstanceOf(DeferredError);
      const pause = pauses().at(-1)?.VisibilityTimeout ?? 0;
      seen.push(pause);
      clock += pause * 1000;
    }
    // Assert
    expect(seen.slice(0, 5)).toEqual([30, 60, 120, 240, 480]);
    expect(Math.max(...seen)).toBe(MAX_VISIBILITY_SECONDS);
    expect(seen.slice(-2)).toEqual([MAX_VISIBILITY_SECONDS, MAX_VISIBILITY_SECONDS]);
    expect(pauses()[0]).toMatchObject({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/writes',
      ReceiptHandle: 'handle-1',
    });
    expect(abandon).not.toHaveBeenCalled();
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('ends the last pause at the end of the window', async () => {
    clock = SENT_AT + (DAY - 100) * 1000;
    await expect(worker()(record(12))).rejects.toBeInstanceOf(DeferredError);
    expect(pauses()[0]?.VisibilityTimeout).toBe(100);
  });

  it('gives the write up as rolled back, naming the system and the window, once the window has passed', async () => {
    clock = SENT_AT + DAY * 1000;
    await expect(worker()(record(13))).resolves.toBeUndefined();
    expect(abandon).toHaveBeenCalledWith('op_1', {
      code: 'upstream_unavailable',
      message: expect.stringMatching(
        /^Mail .* stayed unavailable for 24 hours after this notify_customer write was confirmed, so it was given up: nothing was written\./,
      ),
    });
    expect(pauses()).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('gives a write up before the queue’s maxReceiveCount could send it to the dead-letter queue', async () => {
    // Arrange: the schedule of a one-day window, and the maxReceiveCount the CDK app derives from it
    const maxReceiveCount = writeQueueMaxReceiveCount({
      windowSeconds: DAY,
      firstDelaySeconds: 30,
    });
    const handle = worker(DAY);
    // Act: the mail system stays down; each receive comes back when its pause is over
    let receive = 0;
    while (abandon.mock.calls.length === 0 && receive < 100) {
      receive += 1;
      await handle(record(receive)).catch(() => undefined);
      clock += (pauses().at(-1)?.VisibilityTimeout ?? 0) * 1000;
      sqs.resetHistory();
    }
    // Assert
    expect(abandon).toHaveBeenCalledTimes(1);
    expect(clock - SENT_AT).toBe(DAY * 1000);
    expect(receive + POISON_RECEIVES).toBeLessThanOrEqual(maxReceiveCount);
  });

  it('starts the saga once the system is ready, and treats a second start as done', async () => {
    mailUp = true;
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: `${ARN}:op_1`, startDate: new Date() })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await worker()(record(3));
    await worker()(record(4));
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: ARN,
      name: 'op_1',
      input: JSON.stringify({ operationId: 'op_1' }),
    });
    expect(pauses()).toHaveLength(0);
  });

  it('refuses a message for a tool that is not a write tool of this gateway', async () => {
    const handle = worker();
    const message = sqsRecord(
      { operationId: 'op_2', tool: 'delete_everything' },
      {
        receiveCount: 1,
        receiptHandle: 'h',
        sentAt: SENT_AT,
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:writes',
      },
    );
    await expect(handle(message)).rejects.toMatchObject({ code: 'saga_not_configured' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});
