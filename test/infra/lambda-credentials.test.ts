import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaBundling } from '#infra/bundling.ts';

describe('AWS credentials in a Lambda bundle', () => {
  let outdir: string | undefined;
  afterAll(async () => {
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  it('come from the environment Lambda sets, without the SDK’s profile, SSO and metadata sources', async () => {
    // Arrange: a client bundled as every function is
    outdir = await mkdtemp(join(tmpdir(), 'toolgate-credentials-'));
    const outfile = join(outdir, 'index.mjs');
    await build({
      ...lambdaBundling.esbuild,
      stdin: {
        contents:
          "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const credentials = () => new DynamoDBClient({ region: 'eu-west-1' }).config.credentials();",
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      outfile,
      logLevel: 'silent',
    });
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEFROMLAMBDA',
      AWS_SECRET_ACCESS_KEY: 'not-a-real-secret',
      AWS_SESSION_TOKEN: 'session-from-lambda',
    });

    // Act
    let credentials: Record<string, unknown>;
    try {
      const bundle = await import(pathToFileURL(outfile).href);
      credentials = await bundle.credentials();
    } finally {
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
    }

    // Assert
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAEXAMPLEFROMLAMBDA',
      sessionToken: 'session-from-lambda',
    });
    const code = await readFile(outfile, 'utf8');
    expect(code).not.toContain('credential-provider-ini');
    expect(code).not.toContain('fromSSO');
  });
});
