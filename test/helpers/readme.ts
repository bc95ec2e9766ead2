import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ReadmeSection {
  heading: string;
  /** The section's lines, fenced blocks included, up to the next heading of any level. */
  text: string;
}

const FENCE = /^```(\S*)\s*$/;

/** A README of the project, by its path from the repository root (default the main one). */
export function readme(path = 'README.md'): string {
  return readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
}

/**
 * The README cut at its headings (`#` to `####`), headings inside fenced blocks ignored.
 *
 * @example
 * sections(readme()).find((section) => section.heading === 'Deploying to AWS');
 */
export function sections(markdown: string): ReadmeSection[] {
  const found: ReadmeSection[] = [];
  let current: { heading: string; lines: string[] } = { heading: '', lines: [] };
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (FENCE.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,4} (.+)$/.exec(line);
    if (heading?.[1]) {
      found.push({ heading: current.heading, text: current.lines.join('\n') });
      current = { heading: heading[1].trim(), lines: [] };
    } else current.lines.push(line);
  }
  found.push({ heading: current.heading, text: current.lines.join('\n') });
  return found;
}

/** The section under `heading`; throws naming the heading when the README has none. */
export function section(markdown: string, heading: string): string {
  const found = sections(markdown).find((candidate) => candidate.heading === heading);
  if (!found) throw new Error(`README.md has no section "${heading}"`);
  return found.text;
}

/** The fenced code blocks of a text with one of the given languages (info strings). */
export function codeBlocks(markdown: string, languages: readonly string[]): string[] {
  const blocks: string[] = [];
  let open: { language: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    const fence = FENCE.exec(line);
    if (fence && !open) open = { language: fence[1] ?? '', lines: [] };
    else if (fence && open) {
      if (languages.includes(open.language)) blocks.push(open.lines.join('\n'));
      open = undefined;
    } else open?.lines.push(line);
  }
  return blocks;
}

/** The prose paragraphs of a text (blank-line separated, fenced blocks left out). */
export function paragraphs(markdown: string): string[] {
  const found: string[] = [];
  let lines: string[] = [];
  let fenced = false;
  const flush = () => {
    if (lines.length > 0) found.push(lines.join('\n'));
    lines = [];
  };
  for (const line of markdown.split('\n')) {
    if (FENCE.test(line)) {
      flush();
      fenced = !fenced;
    } else if (!fenced && line.trim() === '') flush();
    else if (!fenced) lines.push(line);
  }
  flush();
  return found;
}

/**
 * The shell commands of a block: continuation lines joined, comments and blank lines dropped.
 *
 * @example
 * commands('npx cdk synth -c a=1 \\\n  -c b=2   # offline'); // ['npx cdk synth -c a=1 -c b=2']
 */
export function commands(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}
