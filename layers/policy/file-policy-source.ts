import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { PolicyHolder, type PolicyListener, type PolicySource } from './policy-source.ts';
import { loadPolicyFile } from './policy-yaml.ts';

export interface FilePolicySource extends PolicySource {
  /** Stops watching the file. */
  close(): void;
}

/**
 * A policy file read now (a file that does not validate throws, naming file and line) and again
 * whenever it changes, in local mode: its directory is watched (inotify on Linux), so a save is
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
  options: { settleMs?: number; shownAs?: string } = {},
): FilePolicySource {
  const shownAs = options.shownAs ?? file;
  const holder = new PolicyHolder(listener);
  const read = () => loadPolicyFile(file, shownAs).policy;
  // The first read fails the start: there is no last good policy to keep.
  const first = read();
  holder.offer(shownAs, () => first);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(file), { persistent: false }, (_event, name) => {
    if (name !== null && name !== basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => holder.offer(shownAs, read), options.settleMs ?? 50);
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
