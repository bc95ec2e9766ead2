import { hasSqlDetails, loadModule, parseSync } from 'libpg-query';

/** What a statement may use: the system's allow-listed views and the tool's declared parameters. */
export interface StatementRules {
  /** Relations the statement may read, lower case, optionally schema-qualified (`public.shipments`). */
  views: readonly string[];
  /** The tool's parameters in order: `$1` is the first. */
  parameters: readonly string[];
}

/** One reason a statement is refused, with its line in the statement when the parser gives one. */
export interface StatementProblem {
  line?: number;
  message: string;
}

const WRITES: Readonly<Record<string, string>> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

// Template syntax of the usual string builders: a statement carrying one was meant to be filled in
// with input, which the gateway never does.
const TEMPLATE = /\$\{|\{\{|%\(\w+\)s|%s\b/;

/**
 * Checks with PostgreSQL's own parser (libpg-query) that a declared statement is one SELECT that
 * reads only allow-listed views, takes input only through `$1..$n` bound to the declared
 * parameters, and neither writes, locks nor creates anything. Runs at build time (tests, synth,
 * local mode's start), never on a tool call.
 *
 * @example
 * await checkStatement('SELECT * FROM shipments WHERE order_id = $1', { views: ['shipments'], parameters: ['orderId'] }); // []
 */
export async function checkStatement(
  text: string,
  rules: StatementRules,
): Promise<StatementProblem[]> {
  await loadModule();
  let parsed: { stmts?: { stmt?: Record<string, unknown> }[] };
  try {
    parsed = parseSync(text) as typeof parsed;
  } catch (error) {
    const position = hasSqlDetails(error) ? error.sqlDetails?.cursorPosition : undefined;
    return [
      {
        ...(position === undefined ? {} : { line: lineAt(text, position) }),
        message: `does not parse as PostgreSQL: ${(error as Error).message}`,
      },
    ];
  }
  const statements = parsed.stmts ?? [];
  if (statements.length !== 1)
    return [
      {
        message: `holds ${statements.length} statements; a SQL tool runs exactly one SELECT`,
      },
    ];
  const [kind, root] = Object.entries(statements[0]?.stmt ?? {})[0] ?? ['nothing', {}];
  if (kind !== 'SelectStmt')
    return [
      {
        message: `is ${describeKind(kind)}, not a SELECT: SQL tools only read (there is no SQL write tool, by design)`,
      },
    ];

  const problems: StatementProblem[] = [];
  const problem = (message: string, location?: unknown) =>
    problems.push({
      ...(typeof location === 'number' ? { line: lineAt(text, location) } : {}),
      message,
    });
  const cteNames = new Set<string>();
  const relations: { name: string; location: unknown }[] = [];
  const placeholders = new Map<number, unknown>();
  const parameterNames = new Map(rules.parameters.map((name) => [name.toLowerCase(), name]));

  walk({ SelectStmt: root }, (key, node) => {
    if (key in WRITES) problem(`writes (${WRITES[key]}): SQL tools only read`);
    else if (key === 'CommonTableExpr') cteNames.add(String(node.ctename));
    else if (key === 'RangeVar')
      relations.push({
        name: node.schemaname ? `${node.schemaname}.${node.relname}` : String(node.relname),
        location: node.location,
      });
    else if (key === 'RangeFunction')
      problem('reads from a function; SQL tools read allow-listed views only');
    else if (key === 'ParamRef') placeholders.set(Number(node.number), node.location);
    else if (key === 'ColumnRef') {
      for (const field of (node.fields as { String?: { sval?: string } }[] | undefined) ?? []) {
        const named = parameterNames.get(String(field.String?.sval).toLowerCase());
        if (named)
          problem(
            `names the parameter "${named}" where its placeholder $${rules.parameters.indexOf(named) + 1} belongs`,
            node.location,
          );
      }
    } else if (key === 'A_Const' && typeof (node.sval as { sval?: unknown })?.sval === 'string') {
      const value = (node.sval as { sval: string }).sval;
      if (
        TEMPLATE.test(value) ||
        [...parameterNames.keys()].some((p) => value.toLowerCase().includes(`:${p}`))
      )
        problem(
          `builds its text from input ('${value}'); bind input with $1..$n placeholders instead`,
          node.location,
        );
    }
    if (key === 'SelectStmt' && node.intoClause)
      problem('creates a table (SELECT … INTO); SQL tools only read');
    if (key === 'SelectStmt' && node.lockingClause)
      problem('locks rows (FOR UPDATE/SHARE); SQL tools only read');
  });

  if (TEMPLATE.test(text) && !problems.some((p) => p.message.startsWith('builds its text')))
    problem(
      `holds template syntax (\${…}, {{…}}, %s); bind input with $1..$n placeholders instead`,
    );
  const allowed = new Set(rules.views.map((view) => view.toLowerCase()));
  for (const relation of relations) {
    if (cteNames.has(relation.name) || allowed.has(relation.name)) continue;
    const unqualified = relation.name.replace(/^public\./, '');
    if (allowed.has(unqualified)) continue;
    problem(
      `reads "${relation.name}", which is not an allow-listed view of the system (${rules.views.join(', ')})`,
      relation.location,
    );
  }
  for (const [number, location] of placeholders) {
    if (number < 1 || number > rules.parameters.length)
      problem(
        `uses $${number}, which no declared parameter binds (${rules.parameters.length} declared)`,
        location,
      );
  }
  rules.parameters.forEach((name, index) => {
    if (!placeholders.has(index + 1))
      problem(`never uses $${index + 1}, the declared parameter "${name}"`);
  });
  return problems;
}

/** Visits every node of a libpg-query tree as (node type, node). */
function walk(node: unknown, visit: (key: string, node: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (/^[A-Z]/.test(key) && value && typeof value === 'object' && !Array.isArray(value))
      visit(key, value as Record<string, unknown>);
    walk(value, visit);
  }
}

/** The 1-based line of a 0- or 1-based character position in `text`. */
function lineAt(text: string, position: number): number {
  return text.slice(0, Math.max(0, position)).split('\n').length;
}

function describeKind(kind: string): string {
  const words = kind.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
  return `a ${words.toUpperCase()} statement`;
}
