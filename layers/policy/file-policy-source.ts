import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Policy } from '../auth/policy.ts';
import { PolicyHolder, type PolicyListener, type PolicySource } from './policy-source.ts';
import { loadPolicyFile } from './policy-yaml.ts';

export interface FilePolicySource extends PolicySource {
  /** Stops watching the file. */
  close(): void;
}

/**
 * A policy file and the argument rules beside it (`*.cedar`), read now (a file that does not
 * validate throws, naming file and line) and again whenever one of them changes, in local mode: its directory is watched (inotify on Linux), so a save is
 * seen in milliseconds and an editor that replaces the file rather than writing it is seen too.
 * Changes are read after `settleMs` of quiet, so a save in several writes is read once, whole.
 *
 * @example
 * const source = watchPolicyFile('infra/policy/policy.yaml', { taken: (change) => audit(change) });
 * source.current().version;
 */
export function watchPolicyFile(
  file: string,
  listener: PolicyListener = {},
  options: {
    settleMs?: number;
    shownAs?: string;
    /**
     * A further check of a changed policy that needs more than its file (the argument rules
     * against the tools' schemas): a rejection refuses the change as a bad file would be.
     */
    check?: (policy: Policy) => Promise<void>;
  } = {},
): FilePolicySource {
  const shownAs = options.shownAs ?? file;
  const holder = new PolicyHolder(listener);
  const read = () => loadPolicyFile(file, shownAs).policy;
  // The first read fails the start: there is no last good policy to keep.
  const first = read();
  holder.offer(shownAs, () => first);
  let timer: NodeJS.Timeout | undefined;
  let reads = 0;
  /** Reads the file and checks it; only the latest read is offered, as it was when read. */
  const reread = async () => {
    const mine = ++reads;
    let outcome: Policy | Error;
    try {
      outcome = read();
      await options.check?.(outcome);
    } catch (error) {
      outcome = error as Error;
    }
    if (mine !== reads) return;
    holder.offer(shownAs, () => {
      if (outcome instanceof Error) throw outcome;
      return outcome;
    });
  };
  const watcher: FSWatcher = watch(dirname(file), { persistent: false }, (_event, name) => {
    // The policy file, or an argument rule beside it.
    if (name !== null && name !== basename(file) && !name.endsWith('.cedar')) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reread(), options.settleMs ?? 50);
    timer.unref();
  });
  return {
    current: () => holder.current(),
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
