/**
 * The audit tailer's thread (started by `tailAuditLogInThread` in audit-tailer.ts): tails the
 * audit log into the ingest's handler and reports each delivered offset, until told to stop.
 */
import { parentPort } from 'node:worker_threads';
import type { LambdaHandler } from './api-gateway.ts';
import {
  type AuditTailerThreadData,
  type AuditTailerThreadMessage,
  tailAuditLog,
} from './audit-tailer.ts';
import { threadData } from './threads.ts';

const data = threadData<AuditTailerThreadData>();
const port = parentPort;
if (!port) throw new Error('local/audit-tailer-thread.ts runs as a worker thread only');
const post = (message: AuditTailerThreadMessage) => port.postMessage(message);

let handler: Promise<LambdaHandler> | undefined;
const tailer = tailAuditLog({
  file: data.file,
  offsetFile: data.offsetFile,
  intervalMs: data.intervalMs,
  functionName: data.functionName,
  handler: () => {
    handler ??= import(data.handlerUrl).then(
      (module: { handler: LambdaHandler }) => module.handler,
    );
    return handler;
  },
  onDelivered: (offset) => post({ type: 'delivered', offset }),
  onError: (error) => post({ type: 'error', message: (error as Error).message }),
});

port.on('message', async (message: unknown) => {
  if (message !== 'stop') return;
  await tailer.stop();
  post({ type: 'stopped' });
  port.close();
});
