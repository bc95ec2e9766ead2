import { buildDependencies } from '#layers/runtime/dependencies.ts';
import { prefillHandler } from './prefill.ts';

const deps = buildDependencies(process.env);

/** Invoked asynchronously by the read tool functions (never through API Gateway). */
export const handler = prefillHandler(deps);
