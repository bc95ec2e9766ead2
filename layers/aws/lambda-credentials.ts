import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The credentials of every AWS client in a Lambda bundle, in place of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`, swapped for this module by the bundler: see
 * infra/bundling.ts). Lambda hands a function its role's credentials in environment variables,
 * so the chain's other sources (profiles, SSO, web identity, containers, instance metadata) are
 * never reached there; leaving them out takes about 90 KB off each bundle and their loading off
 * every cold start. Local mode and tests run from source and keep the SDK's own chain.
 *
 * @example
 * // infra/bundling.ts: alias: { '@aws-sdk/credential-provider-node': './layers/aws/lambda-credentials.ts' }
 */
export const defaultProvider = (
  init: Parameters<typeof fromEnv>[0] = {},
): ReturnType<typeof fromEnv> => fromEnv(init);
