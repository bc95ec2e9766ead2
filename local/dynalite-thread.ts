/**
 * The DynamoDB emulator's thread (started by `startEmulators` in emulators.ts): dynalite serves on
 * a loopback port of its own, and every request is counted by operation, held for the bench's
 * delay when one is set, and timed, in memory shared with the main thread.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';
import dynalite from 'dynalite';
import { type DynaliteThreadData, dynamodbOperationSlot } from './emulator-counters.ts';
import { threadData } from './threads.ts';

const port = parentPort;
if (!port) throw new Error('local/dynalite-thread.ts runs as a worker thread only');
const data = threadData<DynaliteThreadData>();
const counts = new Int32Array(data.counts);
const delay = new Int32Array(data.delay);
const busy = new Float64Array(data.busy);

const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
// dynalite serves from its own `request` listeners: count, hold and time in front of them.
const serve = dynamo.listeners('request') as ((...args: unknown[]) => void)[];
dynamo.removeAllListeners('request');
dynamo.on('request', (request: IncomingMessage, response: ServerResponse) => {
  const operation =
    String(request.headers['x-amz-target'] ?? '')
      .split('.')
      .pop() ?? '';
  Atomics.add(counts, dynamodbOperationSlot(operation), 1);
  const arrived = performance.now();
  response.once('finish', () => {
    // One writer (this thread): the main thread only reads the running total.
    busy[0] = (busy[0] ?? 0) + (performance.now() - arrived);
  });
  const handle = () => {
    for (const listener of serve) listener.call(dynamo, request, response);
  };
  const delayMs = Atomics.load(delay, 0);
  if (delayMs > 0) setTimeout(handle, delayMs);
  else handle();
});
dynamo.listen(0, '127.0.0.1', () => {
  port.postMessage({ port: (dynamo.address() as AddressInfo).port });
});
port.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  dynamo.closeAllConnections?.();
  dynamo.close(() => {
    port.postMessage({ stopped: true });
    port.close();
  });
});
