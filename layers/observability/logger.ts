import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one Powertools logger of a function instance. Service name and level come from
 * POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL.
 *
 * @example
 * logger.setCorrelationId(requestId);
 * logger.info('tool called', { tool: 'get_customer' });
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'toolgate',
});
