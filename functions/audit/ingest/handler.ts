import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { ingestAuditLogs } from '#layers/audit/audit-ingest.ts';
import { auditIngestRole } from '#layers/composition/roles.ts';

const deps = auditIngestRole(process.env);

/**
 * The audit lines' subscriber (CloudWatch Logs → Lambda, asynchronously): writes them to the
 * audit table; a failure throws, so the batch is retried and then sent to the on-failure queue.
 */
export const handler = async (event: CloudWatchLogsEvent, context: Context): Promise<void> => {
  deps.logger.addContext(context);
  await ingestAuditLogs(event, deps);
};
