import SwaggerParser from '@apidevtools/swagger-parser';
import { LineCounter, parseDocument } from 'yaml';

/** A spec that cannot be imported: says where and what, and nothing is written. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}

export interface ParsedSpec {
  /** The document with every `$ref` resolved (circular ones left as `$ref`). */
  api: Record<string, unknown>;
  version: '3.0' | '3.1';
}

/**
 * Reads an OpenAPI 3.0 or 3.1 document, JSON or YAML, checks it against the OpenAPI schema and
 * resolves its `$ref`s. A syntax error names the line and column; nothing else is read.
 *
 * @example
 * const { api, version } = await parseSpec(text, 'specs/billing.yaml');
 */
export async function parseSpec(text: string, file: string): Promise<ParsedSpec> {
  // JSON is YAML 1.2: one parser gives both formats their line numbers.
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const [error] = document.errors;
  if (error) {
    const line = error.linePos?.[0];
    const where = line ? `${file}:${line.line}:${line.col}` : file;
    throw new SpecError(
      `${where}: ${error.message.split('\n')[0]}. Fix the syntax there; nothing was written.`,
    );
  }
  const raw = document.toJS() as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SpecError(`${file}: the file holds no OpenAPI document (an object at the top).`);
  const declared = String((raw as Record<string, unknown>).openapi ?? '');
  const version = /^3\.1\./.test(declared) ? '3.1' : /^3\.0\./.test(declared) ? '3.0' : undefined;
  if (!version) {
    const swagger = (raw as Record<string, unknown>).swagger;
    throw new SpecError(
      swagger
        ? `${file}: Swagger ${String(swagger)} is not supported; convert it to OpenAPI 3 first (e.g. with swagger2openapi).`
        : `${file}${lineOf(document, lineCounter, ['openapi'])}: "openapi" must be 3.0.x or 3.1.x, found ${declared || 'nothing'}.`,
    );
  }
  try {
    const api = (await SwaggerParser.validate(structuredClone(raw) as never, {
      dereference: { circular: 'ignore' },
    })) as unknown as Record<string, unknown>;
    return { api, version };
  } catch (cause) {
    const message = (cause as Error).message;
    const pointer = /#\/([^\s]+)/.exec(message)?.[1];
    const where = pointer
      ? lineOf(
          document,
          lineCounter,
          pointer.split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')),
        )
      : '';
    throw new SpecError(
      `${file}${where}: not a valid OpenAPI ${version} document: ${message.split('\n').slice(0, 4).join(' ')}. Fix it there; nothing was written.`,
    );
  }
}

/** `:<line>` of the node at `path`, when the document has it. */
function lineOf(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: readonly string[],
): string {
  const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0];
  return offset === undefined ? '' : `:${lineCounter.linePos(offset).line}`;
}
