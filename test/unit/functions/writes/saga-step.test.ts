import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { sagaStep } from '#functions/writes/step/saga-step.ts';
import { ConflictError, UpstreamTimeoutError } from '#layers/errors/index.ts';
import { defineWriteTool, type StepContext } from '#layers/tools/define.ts';
import { createRegistry } from '#layers/tools/tool-registry.ts';
import type { ToolRunner } from '#layers/tools/tool-runner.ts';
import type {
  Operation,
  OperationStatus,
  OperationStore,
  StepStatus,
} from '#layers/writes/operation-store.ts';
import { STEP_ERRORS, StepFailure } from '#layers/writes/step-errors.ts';

/** The operation store's contract, in memory. */
class MemoryOperations implements OperationStore {
  readonly items = new Map<string, Operation>();
  async get(id: string) {
    const operation = this.items.get(id);
    return operation && structuredClone(operation);
  }
  async createIfAbsent(operation: Operation) {
    if (!this.items.has(operation.id)) this.items.set(operation.id, structuredClone(operation));
    return (await this.get(operation.id)) as Operation;
  }
  async markRunning(id: string) {
    const operation = this.items.get(id);
    if (operation?.status === 'queued') operation.status = 'running';
  }
  #step(id: string, name: string) {
    const step = this.items.get(id)?.steps.find((candidate) => candidate.name === name);
    if (!step) throw new Error(`no step ${name}`);
    return step;
  }
  async stepStarted(id: string, name: string, status: 'running' | 'compensating') {
    const step = this.#step(id, name);
    step.status = status;
    if (status === 'running') step.attempts += 1;
    else step.compensationAttempts = (step.compensationAttempts ?? 0) + 1;
  }
  async stepEnded(id: string, name: string, status: StepStatus, result?: unknown) {
    const step = this.#step(id, name);
    step.status = status;
    if (result !== undefined) step.result = result;
  }
  async finish(
    id: string,
    status: OperationStatus,
    outcome: { result?: unknown; error?: { code: string; message: string } },
  ) {
    Object.assign(this.items.get(id) ?? {}, { status, ...outcome });
  }
  async abandon() {
    return false;
  }
}

const keysSeen: string[] = [];
const book = vi.fn(async (ctx: StepContext): Promise<unknown> => {
  keysSeen.push(ctx.idempotencyKey);
  return { bookingId: 'B-1' };
});
/** One try of `book` that reaches the system and then times out. */
const bookTimesOut = () =>
  book.mockImplementationOnce(async (ctx) => {
    keysSeen.push(ctx.idempotencyKey);
    throw new UpstreamTimeoutError('The ERP did not answer in time.');
  });
const unbook = vi.fn(async (_ctx: StepContext, _input: unknown, _result: unknown) => undefined);
const note = vi.fn(async (): Promise<unknown> => ({ noteId: 'N-1' }));

const tool = defineWriteTool({
  name: 'book_slot',
  title: 'Book',
  description: 'Test tool with a repeatable and a non-repeatable step.',
  risk: 'write',
  confirmBy: 'self',
  systems: ['erp', 'crm'],
  input: z.strictObject({}),
  output: z.object({}),
  preview: async () => ({ summary: 'Book', changes: [] }),
  steps: [
    { name: 'book', system: 'erp', repeatable: true, run: book, compensate: unbook },
    { name: 'note', system: 'crm', run: note, compensate: async () => undefined },
  ],
  result: () => ({}),
});

describe('sagaStep', () => {
  let operations: MemoryOperations;
  const recordFailed = vi.fn();
  const step = () =>
    sagaStep({
      registry: createRegistry([tool]),
      runner: { contextFor: () => ({}) } as unknown as ToolRunner,
      operations,
      logger: { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() },
      recordFailed,
    });
  const stored = () => operations.items.get('op_1') as Operation;

  beforeEach(async () => {
    vi.clearAllMocks();
    keysSeen.length = 0;
    operations = new MemoryOperations();
    await operations.createIfAbsent({
      id: 'op_1',
      tool: 'book_slot',
      owner: 'ana',
      confirmedBy: 'ana',
      confirmationId: 'cf_1',
      input: {},
      status: 'queued',
      steps: [
        { name: 'book', status: 'pending', attempts: 0 },
        { name: 'note', status: 'pending', attempts: 0 },
      ],
      createdAt: '2026-11-02T08:00:00.000Z',
      updatedAt: '2026-11-02T08:00:00.000Z',
    });
  });

  it('names a timed-out repeatable step an unknown outcome, and runs it again with the same idempotency key', async () => {
    bookTimesOut();
    await expect(
      step()({ operationId: 'op_1', action: 'run', step: 'book' }),
    ).rejects.toMatchObject({ name: STEP_ERRORS.outcomeUnknown });
    expect(stored().steps[0]).toMatchObject({ status: 'outcome_unknown', attempts: 1 });
    await step()({ operationId: 'op_1', action: 'run', step: 'book' });
    expect(stored().steps[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(keysSeen).toEqual(['op_1:book', 'op_1:book']);
  });

  it('keeps the outcome unknown when a later try is refused: the first may have been applied', async () => {
    book.mockRejectedValueOnce(new UpstreamTimeoutError('slow'));
    book.mockRejectedValueOnce(new ConflictError('insufficient_stock', 'No stock any more.'));
    await step()({ operationId: 'op_1', action: 'run', step: 'book' }).catch(() => undefined);
    await expect(
      step()({ operationId: 'op_1', action: 'run', step: 'book' }),
    ).rejects.toMatchObject({ name: STEP_ERRORS.outcomeUnknown });
    expect(stored().steps[0]?.status).toBe('outcome_unknown');
  });

  it('does not try a non-repeatable step again after an unknown outcome: a second try could apply it twice', async () => {
    note.mockRejectedValueOnce(new UpstreamTimeoutError('slow'));
    const first = step()({ operationId: 'op_1', action: 'run', step: 'note' });
    await expect(first).rejects.toMatchObject({ name: STEP_ERRORS.rejected });
    await expect(
      step()({ operationId: 'op_1', action: 'run', step: 'note' }),
    ).rejects.toMatchObject({ name: STEP_ERRORS.rejected });
    expect(note).toHaveBeenCalledTimes(1);
    expect(stored().steps[1]?.status).toBe('outcome_unknown');
  });

  it('resolves an unknown outcome through the idempotency key before undoing the step', async () => {
    bookTimesOut();
    await step()({ operationId: 'op_1', action: 'run', step: 'book' }).catch(() => undefined);
    await step()({ operationId: 'op_1', action: 'compensate', step: 'book' });
    expect(keysSeen).toEqual(['op_1:book', 'op_1:book']);
    expect(unbook).toHaveBeenCalledWith(expect.anything(), {}, { bookingId: 'B-1' });
    expect(stored().steps[0]).toMatchObject({ status: 'compensated', compensationAttempts: 1 });
  });

  it('ends the operation failed, counted for the alarm, when a step’s outcome stays unknown', async () => {
    note.mockRejectedValueOnce(new UpstreamTimeoutError('slow'));
    await step()({ operationId: 'op_1', action: 'run', step: 'book' });
    await step()({ operationId: 'op_1', action: 'run', step: 'note' }).catch(() => undefined);
    await step()({ operationId: 'op_1', action: 'compensate', step: 'book' });
    await step()({ operationId: 'op_1', action: 'finish', outcome: 'rolled_back' });
    expect(stored()).toMatchObject({
      status: 'failed',
      error: { code: 'outcome_unknown', message: expect.stringContaining('note timed out') },
    });
    expect(stored().steps.map((candidate) => candidate.status)).toEqual([
      'compensated',
      'outcome_unknown',
    ]);
    expect(recordFailed).toHaveBeenCalledWith('book_slot');
  });

  it('records a saga whose end could not be recorded as failed, naming how each step ended', async () => {
    await step()({ operationId: 'op_1', action: 'run', step: 'book' });
    await step()({
      operationId: 'op_1',
      action: 'finish',
      outcome: 'finish_failed',
      error: { Error: 'ZodError', Cause: '{}' },
    });
    expect(stored()).toMatchObject({
      status: 'failed',
      error: {
        code: 'finish_failed',
        message: expect.stringContaining('book succeeded, note pending'),
      },
    });
    expect(recordFailed).toHaveBeenCalledWith('book_slot');
  });

  it('records a clean rollback as rolled back, without the alarm', async () => {
    await step()({
      operationId: 'op_1',
      action: 'finish',
      outcome: 'rolled_back',
      error: {
        Error: STEP_ERRORS.rejected,
        Cause: new StepFailure(STEP_ERRORS.rejected, {
          code: 'insufficient_stock',
          message: 'No stock.',
        }).message,
      },
    });
    expect(stored()).toMatchObject({
      status: 'rolled_back',
      error: { code: 'insufficient_stock' },
    });
    expect(recordFailed).not.toHaveBeenCalled();
  });
});
