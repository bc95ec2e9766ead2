import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { lambdaBundling } from '#infra/bundling.ts';

describe('a tool function bundle with declared tools', () => {
  it('holds the declarations as data and leaves the import command and its parsers out', async () => {
    // Act
    const result = await build({
      ...lambdaBundling.esbuild,
      entryPoints: ['functions/tools/call/handler.ts'],
      write: false,
      outfile: 'index.mjs',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);

    // Assert
    expect(inputs).toContain('layers/systems/declared/facilities/tools/get_asset.json');
    expect(inputs.filter((input) => input.startsWith('local/'))).toEqual([]);
    expect(inputs.filter((input) => /node_modules\/(yaml|@apidevtools)\//.test(input))).toEqual([]);
  });
});
