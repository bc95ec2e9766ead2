type Schema = Record<string, unknown>;

/** Keywords OpenAI strict function calling accepts (structured outputs subset). */
const OPENAI_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'description',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  '$defs',
  '$ref',
  'title',
]);
const OPENAI_FORMATS = new Set([
  'date-time',
  'time',
  'date',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
]);

const isObject = (value: unknown): value is Schema =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const allowsNull = (schema: Schema): boolean =>
  schema.type === 'null' ||
  (Array.isArray(schema.type) && schema.type.includes('null')) ||
  (Array.isArray(schema.anyOf) &&
    schema.anyOf.some((branch) => isObject(branch) && allowsNull(branch)));

/** Words for constraints a dialect cannot express, kept in the description so the model still sees them. */
function constraintNote(schema: Schema): string {
  const notes: string[] = [];
  if (schema.minLength !== undefined) notes.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) notes.push(`at most ${schema.maxLength} characters`);
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  if (typeof schema.format === 'string' && !OPENAI_FORMATS.has(schema.format))
    notes.push(`format ${schema.format}`);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/**
 * The OpenAI strict function-calling form of a JSON Schema: every object closed and with every
 * property required, optional properties made nullable (send null to leave one out), and
 * unsupported keywords folded into the description.
 *
 * @example
 * toOpenAiStrict(describeTool(getCustomerOrders).inputSchema).required; // ['customerId', 'limit', 'status']
 */
export function toOpenAiStrict(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!OPENAI_KEYWORDS.has(key)) continue;
    if (key === 'format' && !OPENAI_FORMATS.has(String(value))) continue;
    out[key] = value;
  }
  const note = constraintNote(schema);
  if (note) out.description = `${String(schema.description ?? '')}${note}`.trim();
  if (isObject(schema.items)) out.items = toOpenAiStrict(schema.items);
  if (Array.isArray(schema.anyOf))
    out.anyOf = schema.anyOf.map((branch) => (isObject(branch) ? toOpenAiStrict(branch) : branch));
  if (schema.type === 'object' || isObject(schema.properties)) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = new Set((schema.required as string[] | undefined) ?? []);
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([name, property]) => {
        const strict = toOpenAiStrict(property);
        if (required.has(name) || allowsNull(strict)) return [name, strict];
        const { description, ...rest } = strict;
        return [
          name,
          {
            anyOf: [rest, { type: 'null' }],
            ...(description ? { description: `${description} Null to leave it out.` } : {}),
          },
        ];
      }),
    );
    out.required = Object.keys(properties);
    out.additionalProperties = false;
  }
  return out;
}

/** Problems that would make OpenAI strict function calling refuse the schema. */
export function openAiStrictProblems(schema: Schema, path = '$'): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(schema))
    if (!OPENAI_KEYWORDS.has(key)) problems.push(`${path}: unsupported keyword ${key}`);
  if (schema.type === 'object') {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    if (schema.additionalProperties !== false)
      problems.push(`${path}: additionalProperties must be false`);
    const required = new Set((schema.required as string[] | undefined) ?? []);
    for (const name of Object.keys(properties))
      if (!required.has(name)) problems.push(`${path}.${name}: not in required`);
    for (const [name, property] of Object.entries(properties))
      problems.push(...openAiStrictProblems(property, `${path}.${name}`));
  }
  if (isObject(schema.items)) problems.push(...openAiStrictProblems(schema.items, `${path}[]`));
  if (Array.isArray(schema.anyOf)) {
    schema.anyOf.forEach((branch, index) => {
      if (isObject(branch)) problems.push(...openAiStrictProblems(branch, `${path}|${index}`));
    });
  }
  return problems;
}

/** Problems that would make Anthropic tool use refuse an `input_schema`. */
export function anthropicProblems(schema: Schema): string[] {
  const problems: string[] = [];
  if (schema.type !== 'object') problems.push('$: input_schema must be an object schema');
  if (!isObject(schema.properties)) problems.push('$: properties missing');
  const refs = JSON.stringify(schema).match(/"\$ref":"(?!#)[^"]*"/g);
  if (refs) problems.push(`$: external $ref ${refs.join(', ')}`);
  return problems;
}
