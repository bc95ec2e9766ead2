import * as z from 'zod';
import { jsonSchemaOf } from '../tools/descriptor.ts';

const confirmationId = z
  .string()
  .regex(/^cf_[0-9a-f]{32}$/, 'Confirmation ids look like cf_… as returned by a write tool')
  .describe('The confirmation id a write tool returned.');

/** Gateway tools that exist only over MCP, to search the catalogue and finish writes in-band. */
export const metaTools = {
  search_tools: {
    title: 'Search tools',
    description:
      'Finds the tools that fit a task, ranked, by keywords matched against tool names, descriptions and parameters. Use it first when you do not see a tool for what the user asks: the gateway may list only a few tools to keep your context small.',
    input: z.strictObject({
      query: z
        .string()
        .trim()
        .min(2)
        .max(200)
        .describe('What you want to do, in a few words, e.g. "open a support ticket".'),
      limit: z
        .number()
        .int()
        .min(1)
        .max(20)
        .default(5)
        .describe('Maximum number of tools to return (1-20). Default 5.'),
    }),
    output: z.object({
      tools: z
        .array(
          z.object({
            name: z.string().describe('Tool name to call.'),
            title: z.string().describe('Short title.'),
            description: z.string().describe('When to use it.'),
            risk: z.string().describe('read, or write (needs a confirmation).'),
            score: z.number().describe('Relevance; higher is better.'),
          }),
        )
        .describe('Matching tools you may use, best first.'),
    }),
    annotations: {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  },
  confirm_operation: {
    title: 'Confirm a proposed write',
    description:
      'Confirms a write that a write tool proposed, so it runs. Only call it after the user has seen the summary and agreed (or, for four-eyes writes, when you act for the approver). Returns the operation id; follow it with get_operation_status. A write whose confirmAt is person cannot be confirmed by you: the user approves it at approveUrl (clients that open links are asked to), after which this call returns its operation.',
    input: z.strictObject({ confirmationId }),
    output: z.object({
      operation: z
        .object({
          id: z.string().describe('Operation id.'),
          status: z.string().describe('queued, running, succeeded, rolled_back or failed.'),
        })
        .describe('The operation.'),
    }),
    annotations: {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: true,
    },
  },
  cancel_confirmation: {
    title: 'Cancel a proposed write',
    description:
      'Cancels a proposed write the user does not want. Nothing was written, and nothing will be.',
    input: z.strictObject({ confirmationId }),
    output: z.object({ cancelled: z.literal(true).describe('The write will not run.') }),
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  },
  get_operation_status: {
    title: 'Get the status of a confirmed write',
    description:
      'Shows how a confirmed write is going: queued, running, succeeded (with its result), rolled_back (a step failed and the earlier steps were undone) or failed (needs a human), with each step.',
    input: z.strictObject({
      operationId: z
        .string()
        .regex(/^op_[0-9a-f]{32}$/, 'Operation ids look like op_…')
        .describe('The operation id confirm_operation returned.'),
    }),
    output: z.object({
      operation: z
        .object({
          id: z.string().describe('Operation id.'),
          tool: z.string().describe('The write tool.'),
          status: z.string().describe('queued, running, succeeded, rolled_back or failed.'),
          owner: z.string().optional().describe('Who proposed the write.'),
          confirmedBy: z.string().optional().describe('Who confirmed it.'),
          confirmationId: z.string().optional().describe('The confirmation it came from.'),
          createdAt: z.string().optional().describe('When it was confirmed (ISO 8601).'),
          updatedAt: z.string().optional().describe('When it last changed (ISO 8601).'),
          steps: z
            .array(
              z.object({
                name: z.string().describe('Step name.'),
                status: z.string().describe('Step status.'),
                attempts: z.number().describe('Runs of the step.'),
                compensationAttempts: z
                  .number()
                  .optional()
                  .describe('Runs of its undo, if undone.'),
              }),
            )
            .describe('Steps in order.'),
          result: z.unknown().optional().describe('What the write produced, once succeeded.'),
          error: z
            .object({ code: z.string(), message: z.string() })
            .optional()
            .describe('Why it did not succeed.'),
        })
        .describe('The operation.'),
    }),
    annotations: {
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  },
} as const;

export type MetaToolName = keyof typeof metaTools;

/**
 * The meta tool a caller-given name means, if any. Own keys only: `constructor` or `__proto__`
 * are names of the object's prototype, not tools.
 */
export const metaToolNamed = (name: string): MetaToolName | undefined =>
  Object.hasOwn(metaTools, name) ? (name as MetaToolName) : undefined;

/** The confirmation a write tool answers with over MCP (its outputSchema there). */
export const confirmationOutput = z.object({
  confirmation: z
    .object({
      id: z
        .string()
        .describe('Confirmation id; pass it to confirm_operation or cancel_confirmation.'),
      tool: z.string().describe('The write tool.'),
      summary: z.string().describe('What will be done, in plain words: show it to the user.'),
      preview: z
        .object({
          changes: z.array(
            z.object({ field: z.string(), before: z.unknown(), after: z.unknown() }),
          ),
          details: z.record(z.string(), z.unknown()).optional(),
        })
        .describe('Before/after of what changes.'),
      expiresAt: z.string().describe('When the confirmation lapses (ISO 8601).'),
      confirmBy: z
        .string()
        .describe(
          'self: the proposer confirms; approver: another user with the approver role must.',
        ),
      confirmAt: z
        .enum(['conversation', 'person'])
        .describe(
          'person: only a person approves it, in the console at approveUrl (an agent cannot confirm it); conversation: you may confirm it once the user says yes.',
        ),
      approveUrl: z
        .string()
        .describe(
          'The console page where a person reviews and approves this write: give it to the user.',
        ),
    })
    .describe('The proposed write, waiting for confirmation.'),
});

export const metaToolSchemas = Object.fromEntries(
  Object.entries(metaTools).map(([name, tool]) => [
    name,
    {
      inputSchema: jsonSchemaOf(tool.input, 'input'),
      outputSchema: jsonSchemaOf(tool.output, 'output'),
    },
  ]),
) as Record<
  MetaToolName,
  { inputSchema: Record<string, unknown>; outputSchema: Record<string, unknown> }
>;
