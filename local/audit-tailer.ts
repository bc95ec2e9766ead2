import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsDecodedData, CloudWatchLogsEvent } from 'aws-lambda';
import { type LambdaHandler, lambdaContext } from './api-gateway.ts';

/** The most one delivery reads of the file (CloudWatch Logs sends batches of about 1 MB). */
const MAX_CHUNK_BYTES = 1_048_576;

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
    const chunk = await readChunk(options.file, offset, Math.min(size - offset, MAX_CHUNK_BYTES));
    const end = chunk.lastIndexOf(0x0a);
    // A line still being written: its end comes with the next look.
    if (end < 0) return false;
    const complete = chunk.subarray(0, end + 1);
    const lines = complete.toString('utf8').split('\n').filter(Boolean);
    const handler = await options.handler();
    await handler(subscriptionEvent(lines, offset) as never, lambdaContext(options.functionName));
    offset += complete.length;
    saveOffset(options.offsetFile, offset);
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
      if (more || !running) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, options.intervalMs);
      });
    }
  })();

  return {
    async delivered(timeoutMs = 15_000) {
      const target = await fileSize(options.file);
      const deadline = Date.now() + timeoutMs;
      while (offset < target) {
        if (Date.now() > deadline)
          throw new Error(
            `audit lines not delivered within ${timeoutMs} ms: ${offset} of ${target} bytes of ${options.file}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      wake?.();
      await loop;
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
    const buffer = Buffer.alloc(length);
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
