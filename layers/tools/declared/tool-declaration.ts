import * as z from 'zod';
import { importSourceSchema } from '../../systems/declared-systems.ts';

const TOOL_NAME = /^[a-z][a-z0-9_]{2,63}$/;

/** A JSON Schema (draft 2020-12) as written in a declaration; converted to zod when first used. */
const jsonSchema = z.record(z.string(), z.unknown());

/** `{name}` placeholders of a path template. */
export const placeholdersOf = (path: string): string[] =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);

export const requestSchema = z.strictObject({
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']),
  /** Path from the system's base URL, with `{name}` for each path parameter, e.g. `/v2/assets/{asset_id}`. */
  path: z.string().regex(/^\//, 'must start with "/"'),
  /** The input fields sent as path, query or header parameters, by their name in the request. */
  parameters: z
    .array(z.strictObject({ name: z.string().min(1), in: z.enum(['path', 'query', 'header']) }))
    .default([]),
  /** Whether the input field `body` is sent as the JSON request body. */
  body: z.boolean().default(false),
  /** The header that carries the write's idempotency key, when the operation accepts one. */
  idempotencyKeyHeader: z.string().min(1).optional(),
});
export type DeclaredRequest = z.output<typeof requestSchema>;

/** A call back to the system that undoes a write, e.g. DELETE of what a POST created. */
const compensationSchema = z.strictObject({
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']),
  /** `{field}` is an input field, `{result.field}` a field of the write's answer. */
  path: z.string().regex(/^\//, 'must start with "/"'),
});

const writeSchema = z.strictObject({
  /** Who may confirm: the proposer, or (four eyes) another user with the approver role. */
  confirmBy: z.enum(['self', 'approver']).default('self'),
  /** `person` (the default): only a person's session may confirm; `conversation`: the agent may relay a yes. */
  confirmAt: z.enum(['person', 'conversation']).default('person'),
  /** A GET path (same placeholders) whose answer the preview shows as the current state. */
  currentState: z.strictObject({ path: z.string().regex(/^\//) }).optional(),
  compensation: compensationSchema.optional(),
});

/** A tool declared as data (`layers/systems/declared/<system>/tools/<name>.json`). */
export const toolDeclarationSchema = z
  .strictObject({
    name: z
      .string()
      .regex(TOOL_NAME, 'must be snake_case: a lower-case letter, then 2 to 63 of a-z, 0-9, _'),
    title: z.string().min(4),
    description: z.string().min(1),
    system: z.string().min(1),
    risk: z.enum(['read', 'write']),
    request: requestSchema,
    /** JSON Schema of the input: an object that refuses unknown fields. */
    input: jsonSchema.refine(
      (schema) => schema.type === 'object' && schema.additionalProperties === false,
      'must be an object schema with "additionalProperties": false',
    ),
    /** JSON Schema of the system's answer, checked at the boundary (`upstream_data_invalid`). */
    output: jsonSchema,
    timeoutMs: z.number().int().positive().max(30_000).optional(),
    redact: z.array(z.string().min(1)).optional(),
    /** Read tools only: answers cached for `ttlSeconds`. */
    cache: z.strictObject({ ttlSeconds: z.number().int().positive() }).optional(),
    /** Write tools only: confirmation, current state, compensation. */
    write: writeSchema.optional(),
    source: importSourceSchema.optional(),
  })
  .superRefine((tool, ctx) => {
    const reading = tool.request.method === 'GET' || tool.request.method === 'HEAD';
    if (tool.risk === 'read' && !reading)
      ctx.addIssue({
        code: 'custom',
        path: ['risk'],
        message: `a ${tool.request.method} changes data, so the tool must be "write"`,
      });
    if (tool.risk === 'write' && tool.cache)
      ctx.addIssue({ code: 'custom', path: ['cache'], message: 'only read tools are cached' });
    if (tool.risk === 'read' && tool.write)
      ctx.addIssue({ code: 'custom', path: ['write'], message: 'only write tools take "write"' });
    const pathParameters = tool.request.parameters
      .filter((parameter) => parameter.in === 'path')
      .map((parameter) => parameter.name);
    for (const name of placeholdersOf(tool.request.path))
      if (!pathParameters.includes(name))
        ctx.addIssue({
          code: 'custom',
          path: ['request', 'parameters'],
          message: `the path names {${name}}, which is no path parameter`,
        });
    const properties = (tool.input.properties ?? {}) as Record<string, unknown>;
    const fields = [
      ...tool.request.parameters.map((parameter) => parameter.name),
      ...(tool.request.body ? ['body'] : []),
    ];
    for (const field of fields)
      if (!(field in properties))
        ctx.addIssue({
          code: 'custom',
          path: ['input', 'properties'],
          message: `the request sends "${field}", which the input schema does not declare`,
        });
    for (const template of [tool.write?.currentState?.path, tool.write?.compensation?.path])
      for (const name of placeholdersOf(template ?? ''))
        if (!name.startsWith('result.') && !(name in properties))
          ctx.addIssue({
            code: 'custom',
            path: ['write'],
            message: `{${name}} is neither an input field nor a {result.…} field`,
          });
  });
export type ToolDeclaration = z.output<typeof toolDeclarationSchema>;
