import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { lambdaBundling } from '#infra/bundling.ts';

describe('a tool function bundle without -c powertoolsTracer=on', () => {
  it('leaves Powertools Tracer and the X-Ray SDK out, importing them only if tracing is turned on', async () => {
    // Act
    const result = await build({
      ...lambdaBundling.esbuild,
      entryPoints: ['functions/tools/call/handler.ts'],
      write: false,
      outfile: 'index.mjs',
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text ?? '';

    // Assert
    expect(code.length).toBeGreaterThan(100_000);
    expect(code).not.toContain('cls-hooked');
    expect(code).not.toContain('AWSXRay');
    expect(code).toContain('import("@aws-lambda-powertools/tracer")');
  });
});
