import type middy from '@middy/core';

/**
 * Powertools Tracer on the gateway's handlers, when the deployment asks for it
 * (`-c powertoolsTracer=on`, which sets POWERTOOLS_TRACE_ENABLED=true). Off by default, and then
 * never loaded: loading it loads the X-Ray SDK, whose context tracking hooks every promise of the
 * process and took about 30% more CPU per read call in `npm run bench`'s profile (README: Cost
 * model, traces). Lambda's active tracing records the sampled invocations either way.
 *
 * @example
 * const tracing = await handlerTracing(process.env); // undefined unless POWERTOOLS_TRACE_ENABLED=true
 * if (tracing) handler.use(tracing);
 */
export async function handlerTracing(
  env: Readonly<Record<string, string | undefined>>,
): Promise<middy.MiddlewareObj | undefined> {
  if (env.POWERTOOLS_TRACE_ENABLED !== 'true') return undefined;
  const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
    import('@aws-lambda-powertools/tracer'),
    import('@aws-lambda-powertools/tracer/middleware'),
  ]);
  const tracer = new Tracer({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'toolgate' });
  // Responses stay out of traces: they carry business data.
  return captureLambdaHandler(tracer, { captureResponse: false }) as middy.MiddlewareObj;
}

/** Decided once per instance, at its cold start. */
export const tracing = await handlerTracing(process.env);
