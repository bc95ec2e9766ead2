import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one Powertools tracer of a function instance. It traces only on Lambda with active tracing:
 * off the platform (local mode, tests) or with POWERTOOLS_TRACE_ENABLED=false it does nothing and
 * sends no segment. Which calls are traced is decided before the function runs (README: Cost
 * model, traces); a traced call that fails carries its error.
 *
 * @example
 * middy(handler).use(captureLambdaHandler(tracer, { captureResponse: false }));
 */
export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'toolgate',
});
