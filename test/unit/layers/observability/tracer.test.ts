import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { handlerTracing } from '#layers/observability/tracer.ts';

/** Whether loading the gateway's handler chain with `env` loads the X-Ray SDK's context hooks. */
function loadsXRay(env: Record<string, string>): boolean {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "await import('#layers/http/gateway-handler.ts'); console.log(JSON.stringify(Object.keys(process.namespaces ?? {})));",
    ],
    { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 },
  );
  if (child.status !== 0) throw new Error(child.stderr.slice(-1_000));
  return (JSON.parse(child.stdout.trim()) as string[]).includes('AWSXRay');
}

describe('Powertools Tracer on the handlers', () => {
  it('is off unless the deployment turns it on', async () => {
    expect(await handlerTracing({})).toBeUndefined();
    expect(await handlerTracing({ POWERTOOLS_TRACE_ENABLED: 'false' })).toBeUndefined();
    const on = await handlerTracing({ POWERTOOLS_TRACE_ENABLED: 'true' });
    expect(on?.before).toBeTypeOf('function');
    expect(on?.onError).toBeTypeOf('function');
  });

  it('leaves the X-Ray SDK and its promise hooks unloaded when off', () => {
    expect(loadsXRay({ POWERTOOLS_TRACE_ENABLED: 'false' })).toBe(false);
    expect(loadsXRay({ POWERTOOLS_TRACE_ENABLED: 'true' })).toBe(true);
  }, 240_000);
});
