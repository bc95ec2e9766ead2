import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface ErrorClass {
  base: string | undefined;
  code?: string;
  statusCode?: number;
  /** Position of the constructor parameter named `code`, when callers choose the code. */
  codeParameter?: number;
}

export interface ErrorCodeScan {
  /** Every error code the code can answer with, and the HTTP statuses it comes with. */
  codes: Map<string, Set<number>>;
  /** Places that pass a computed code, which a reader (or this scan) cannot list. */
  computed: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => join(root, dir, file));
}

const literalsOf = (node: ts.Expression): string[] | undefined => {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isParenthesizedExpression(node)) return literalsOf(node.expression);
  if (ts.isConditionalExpression(node)) {
    const [whenTrue, whenFalse] = [literalsOf(node.whenTrue), literalsOf(node.whenFalse)];
    return whenTrue && whenFalse ? [...whenTrue, ...whenFalse] : undefined;
  }
  return undefined;
};

const propertyName = (member: ts.ClassElement | ts.ObjectLiteralElementLike) =>
  member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))
    ? member.name.text
    : undefined;

function readClass(node: ts.ClassDeclaration): ErrorClass {
  const heritage = node.heritageClauses?.find(
    (clause) => clause.token === ts.SyntaxKind.ExtendsKeyword,
  );
  const base = heritage?.types[0]?.expression;
  const found: ErrorClass = { base: base && ts.isIdentifier(base) ? base.text : undefined };
  for (const member of node.members) {
    if (ts.isPropertyDeclaration(member) && member.initializer) {
      const name = propertyName(member);
      const code = name === 'code' ? literalsOf(member.initializer)?.[0] : undefined;
      if (code) found.code = code;
      if (name === 'statusCode' && ts.isNumericLiteral(member.initializer))
        found.statusCode = Number(member.initializer.text);
    }
    if (ts.isConstructorDeclaration(member)) {
      const index = member.parameters.findIndex(
        (parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === 'code',
      );
      if (index >= 0) found.codeParameter = index;
    }
  }
  return found;
}

/** The status of `json(500, { error: { … } })` around a literal envelope. */
function enclosingStatus(node: ts.Node): number | undefined {
  let at: ts.Node | undefined = node.parent;
  while (at && !ts.isCallExpression(at) && !ts.isBlock(at)) at = at.parent;
  const first = at && ts.isCallExpression(at) ? at.arguments[0] : undefined;
  return first && ts.isNumericLiteral(first) ? Number(first.text) : undefined;
}

/**
 * Every error code `layers/` and `functions/` can answer with, read from the source: the codes of
 * the `AppError` subclasses constructed somewhere, the codes passed to the subclasses that take
 * one, and error envelopes written out literally (the generic 500). An oracle for the README's error catalogue that does not
 * run the code it checks.
 *
 * @example
 * const { codes } = scanErrorCodes(); // codes.get('customer_not_found') → Set {404}
 */
export function scanErrorCodes(dirs: readonly string[] = ['layers', 'functions']): ErrorCodeScan {
  const files = dirs.flatMap(sourceFiles).map((file) => ({
    file,
    source: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
  }));
  const classes = new Map<string, ErrorClass>();
  const visitClasses = (node: ts.Node) => {
    if (ts.isClassDeclaration(node) && node.name) classes.set(node.name.text, readClass(node));
    ts.forEachChild(node, visitClasses);
  };
  for (const { source } of files) visitClasses(source);

  // An AppError subclass inherits the status of its ancestors.
  const lineage = (name: string): ErrorClass[] => {
    const chain: ErrorClass[] = [];
    for (let at = classes.get(name); at; at = at.base ? classes.get(at.base) : undefined)
      chain.push(at);
    return chain;
  };
  const isAppError = (name: string) =>
    name !== 'AppError' && lineage(name).some((entry) => entry.base === 'AppError');
  const statusOf = (name: string) => lineage(name).find((entry) => entry.statusCode)?.statusCode;

  const codes = new Map<string, Set<number>>();
  const computed: string[] = [];
  const add = (code: string, status: number | undefined) => {
    const statuses = codes.get(code) ?? new Set<number>();
    if (status !== undefined) statuses.add(status);
    codes.set(code, statuses);
  };
  for (const { file, source } of files) {
    const where = (node: ts.Node) =>
      `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
        const name = node.expression.text;
        const index = classes.get(name)?.codeParameter;
        const argument = index === undefined ? undefined : node.arguments?.[index];
        const own = lineage(name).find((entry) => entry.code)?.code;
        if (isAppError(name) && argument) {
          const literal = literalsOf(argument);
          if (literal) for (const code of literal) add(code, statusOf(name));
          else computed.push(`${where(node)}: new ${name}(${argument.getText(source)}, …)`);
        } else if (isAppError(name) && own) add(own, statusOf(name));
      }
      // A literal envelope: { code, category, message, retryable }.
      if (ts.isObjectLiteralExpression(node)) {
        const properties = new Map(
          node.properties.flatMap((property) =>
            ts.isPropertyAssignment(property) && propertyName(property)
              ? [[propertyName(property), property.initializer] as const]
              : [],
          ),
        );
        const code = properties.get('code');
        if (code && properties.has('category') && properties.has('retryable')) {
          const literal = literalsOf(code);
          if (literal) for (const value of literal) add(value, enclosingStatus(node));
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { codes, computed };
}
