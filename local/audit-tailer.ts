import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { type LambdaHandler, lambdaContext } from './api-gateway.ts';
import { startThread } from './threads.ts';

/** The most one delivery reads of the file (CloudWatch Logs sends batches of about 1 MB). */
const MAX_CHUNK_BYTES = 1_048_576;
/**
 * The most lines one delivery carries: one BatchWriteItem of the ingest. The tailer shares the
 * gateway's event loop, so it delivers a backlog in small slices, the loop free between them, and
 * a call never waits behind a whole backlog's delivery (which the cloud's subscription does in
 * another process).
 */
const MAX_LINES_PER_DELIVERY = 25;
const SLICE_BYTES = 65_536;

export interface AuditTailer {
  /**
   * Resolves once every line written to the file before the call is in the audit table (polled);
   * rejects after `timeoutMs` with how far delivery got.
   */
  delivered(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Local stand-in for the audit lines' subscription filter: reads the audit log file every
 * `intervalMs` from its saved offset and invokes the ingest with the complete lines, as a
 * CloudWatch Logs subscription delivery (base64 gzip). The offset is saved in `offsetFile` only
 * after the ingest succeeded, so a restart neither loses a line nor skips one; a line delivered
 * twice (the process died between the two) overwrites its own item.
 *
 * @example
 * const tailer = tailAuditLog({ file, offsetFile, intervalMs: 100, handler, functionName: 'audit-ingest' });
 */
export function tailAuditLog(options: {
  file: string;
  offsetFile: string;
  intervalMs: number;
  /** The ingest's handler (functions/audit/ingest), loaded on first use. */
  handler: () => Promise<LambdaHandler>;
  functionName: string;
  onError?: (error: unknown) => void;
  /** After each delivery: the file's offset up to which every line is in the table. */
  onDelivered?: (offset: number) => void;
}): AuditTailer {
  let offset = readOffset(options.offsetFile);
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const deliverOnce = async (): Promise<boolean> => {
    const size = await fileSize(options.file);
    // A file shorter than the offset was replaced: start it from its beginning.
    if (size < offset) offset = 0;
    if (size === offset) return false;
    // A slice's lines are a few KB: read that much first, the most a line may take only if needed.
    let chunk = await readChunk(options.file, offset, Math.min(size - offset, SLICE_BYTES));
    if (chunk.indexOf(0x0a) < 0 && chunk.length === SLICE_BYTES)
      chunk = await readChunk(options.file, offset, Math.min(size - offset, MAX_CHUNK_BYTES));
    const end = endOfLines(chunk, MAX_LINES_PER_DELIVERY);
    // A line still being written: its end comes with the next look.
    if (end < 0) return false;
    const complete = chunk.subarray(0, end + 1);
    const lines = complete.toString('utf8').split('\n').filter(Boolean);
    const handler = await options.handler();
    await handler(subscriptionEvent(lines, offset) as never, lambdaContext(options.functionName));
    offset += complete.length;
    saveOffset(options.offsetFile, offset);
    options.onDelivered?.(offset);
    return offset < size;
  };

  const loop = (async () => {
    while (running) {
      let more = false;
      try {
        more = await deliverOnce();
      } catch (error) {
        if (running) options.onError?.(error);
      }
      if (!running) continue;
      if (more) {
        // The rest of a backlog after what waits on the loop (calls being answered).
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, options.intervalMs);
      });
    }
  })();

  return {
    delivered: (timeoutMs) => deliveredUpTo(options.file, () => offset, timeoutMs),
    async stop() {
      running = false;
      clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}

/** Index of the newline that ends the first `lines` complete lines of `chunk` (or fewer), -1 if none. */
function endOfLines(chunk: Buffer, lines: number): number {
  let end = -1;
  for (let count = 0; count < lines; count++) {
    const next = chunk.indexOf(0x0a, end + 1);
    if (next < 0) break;
    end = next;
  }
  return end;
}

/** Resolves once `offset()` reaches the file's size as it is now (polled); rejects after `timeoutMs`. */
async function deliveredUpTo(
  file: string,
  offset: () => number,
  timeoutMs = 15_000,
): Promise<void> {
  const target = await fileSize(file);
  const deadline = Date.now() + timeoutMs;
  while (offset() < target) {
    if (Date.now() > deadline)
      throw new Error(
        `audit lines not delivered within ${timeoutMs} ms: ${offset()} of ${target} bytes of ${file}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What the tailer's thread is started with (local/audit-tailer-thread.ts). */
export interface AuditTailerThreadData {
  readonly file: string;
  readonly offsetFile: string;
  readonly intervalMs: number;
  /** File URL of the ingest's handler module. */
  readonly handlerUrl: string;
  readonly functionName: string;
}

/** Messages from the tailer's thread. */
export type AuditTailerThreadMessage =
  | { readonly type: 'delivered'; readonly offset: number }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'stopped' };

/**
 * `tailAuditLog` in a thread of its own, as the subscription's deliveries run in a function of
 * their own on AWS: the gateway's event loop never waits behind a delivery (the reading, the
 * decoding and the ingest's writes), so local mode's answers and the bench's figures do not carry
 * work that is not the call's. The ingest reads the environment the thread is started with (a
 * copy of this process's).
 */
export function tailAuditLogInThread(
  options: AuditTailerThreadData & { onError?: (error: unknown) => void },
): AuditTailer {
  let offset = readOffset(options.offsetFile);
  const { onError, ...data } = options;
  const thread = startThread(
    new URL('./audit-tailer-thread.ts', import.meta.url),
    data satisfies AuditTailerThreadData,
  );
  let stopped: (() => void) | undefined;
  const ended = new Promise<void>((resolve) => {
    stopped = resolve;
    thread.once('exit', () => resolve());
  });
  thread.on('message', (message: AuditTailerThreadMessage) => {
    if (message.type === 'delivered') offset = message.offset;
    else if (message.type === 'error') onError?.(new Error(message.message));
    else stopped?.();
  });
  thread.on('error', (error) => onError?.(error));
  return {
    delivered: (timeoutMs) => deliveredUpTo(options.file, () => offset, timeoutMs),
    async stop() {
      thread.postMessage('stop');
      await ended;
      await thread.terminate();
    },
  };
}

async function fileSize(file: string): Promise<number> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

async function readChunk(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function readOffset(file: string): number {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { offset?: unknown };
    return typeof saved.offset === 'number' && saved.offset >= 0 ? saved.offset : 0;
  } catch {
    return 0;
  }
}

/** Written aside and renamed: a process killed mid-write leaves the previous offset whole. */
function saveOffset(file: string, offset: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const aside = `${file}.tmp`;
  writeFileSync(aside, JSON.stringify({ offset }));
  renameSync(aside, file);
}

/** The lines as CloudWatch Logs delivers a subscription's batch to Lambda. */
function subscriptionEvent(lines: readonly string[], offset: number): CloudWatchLogsEvent {
  const now = Date.now();
  const data: CloudWatchLogsDecodedData = {
    messageType: 'DATA_MESSAGE',
    owner: 'local',
    logGroup: '/toolgate/local/gateway',
    logStream: 'gateway.log',
    subscriptionFilters: ['audit-lines'],
    logEvents: lines.map((message, index) => ({
      id: `${offset}-${index}`,
      timestamp: now,
      message,
    })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}
