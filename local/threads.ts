import { Worker, workerData } from 'node:worker_threads';

/**
 * A worker thread running one of local mode's TypeScript modules, with `data` as its
 * `threadData()`: local mode runs the stand-ins for separate AWS services (the DynamoDB emulator,
 * the audit subscription's deliveries) in threads of their own, so the gateway's event loop does
 * only what a function on AWS would.
 *
 * @example
 * const thread = startThread(new URL('./dynalite-thread.ts', import.meta.url), shared);
 */
export function startThread(module: URL, data: unknown): Worker {
  return new Worker(new URL('./ts-thread.mjs', import.meta.url), {
    workerData: { module: module.href, data },
  });
}

/** Inside a thread started by `startThread`: the data it was given. */
export const threadData = <T>(): T => (workerData as { data: T }).data;
