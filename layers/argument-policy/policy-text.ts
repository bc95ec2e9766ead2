/** One policy of a Cedar file, as written there. */
export interface PolicySource {
  /** The file's name, e.g. `orders.cedar`. */
  file: string;
  /** The policy's text, annotations included, up to and with its `;`. */
  text: string;
  /** 1-based line of its first character in the file. */
  line: number;
  /** Offset of its first character in the file. */
  offset: number;
}

/** Line (1-based) of an offset in a text. */
export const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let index = 0; index < Math.min(offset, text.length); index++)
    if (text[index] === '\n') line++;
  return line;
};

/**
 * Splits a Cedar file into its policies at the `;` that end them, skipping strings and comments,
 * so each policy keeps its place in the file for errors (`file:line`). Text after the last `;`
 * that is not blank comes back as a policy too: Cedar then says what is missing.
 */
export function splitPolicies(file: string, text: string): PolicySource[] {
  const policies: PolicySource[] = [];
  let start = 0;
  let index = 0;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = /^(?:\s|\/\/[^\n]*)*/.exec(raw)?.[0].length ?? 0;
    if (stripComments(raw).trim()) {
      policies.push({
        file,
        text: raw.slice(lead),
        offset: start + lead,
        line: lineAt(text, start + lead),
      });
    }
    start = end;
  };
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      index++;
      while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
      index++;
    } else if (char === '/' && text[index + 1] === '/') {
      while (index < text.length && text[index] !== '\n') index++;
    } else if (char === ';') {
      index++;
      push(index);
    } else {
      index++;
    }
  }
  push(text.length);
  return policies;
}

/** The text without `//` comments (strings kept), for scanning. */
export function stripComments(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      const from = index;
      index++;
      while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
      index++;
      out += text.slice(from, index);
    } else if (char === '/' && text[index + 1] === '/') {
      while (index < text.length && text[index] !== '\n') index++;
    } else {
      out += char;
      index++;
    }
  }
  return out;
}

const SCOPE = /^\s*(?:@[\s\S]*?\)\s*)*(?:permit|forbid)\s*\(([\s\S]*?)\)\s*(?:when|unless|;|$)/;

/**
 * The tools a policy's scope names (`action == Action::"x"`, `action in [Action::"x", …]`), or
 * `all` when its scope leaves the action open: read without the Cedar engine, so a call to a
 * tool no rule names never loads it.
 */
export function toolsNamed(policy: string): ReadonlySet<string> | 'all' {
  const scope = SCOPE.exec(stripComments(policy))?.[1];
  if (!scope) return 'all';
  const action = scope.split(',').slice(1, -1).join(',');
  const names = [...action.matchAll(/Action::"([^"\\]*)"/g)].map((match) => match[1] ?? '');
  return names.length > 0 ? new Set(names) : 'all';
}

/** The annotations before a policy's effect, e.g. `{ id: 'orders-limit', allows: '…' }`. */
export function annotationsOf(policy: string): Record<string, string> {
  const annotations: Record<string, string> = {};
  const head = /^\s*@([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(\s*"((?:[^"\\]|\\.)*)"\s*\))?/;
  let rest = stripComments(policy);
  for (let match = head.exec(rest); match; match = head.exec(rest)) {
    annotations[match[1] ?? ''] = (match[2] ?? '').replace(/\\(.)/g, '$1');
    rest = rest.slice(match[0].length);
  }
  return annotations;
}
