import { existsSync, readFileSync } from 'node:fs';

export type Cedar = typeof import('@cedar-policy/cedar-wasm/web');

/**
 * The compiled Cedar engine's file name: a Lambda bundle carries it beside the handler
 * (infra/bundling.ts copies it there); elsewhere it is read from the package.
 */
export const CEDAR_WASM_FILE = 'cedar_wasm_bg.wasm';

let engine: Promise<Cedar> | undefined;

/**
 * The Cedar engine, loaded on first use and kept: about 4 MB of WebAssembly that only a call to a
 * tool with argument rules (or a policy validation) should pay for, so nothing imports it eagerly.
 *
 * @example
 * const cedar = await cedarEngine();
 * cedar.checkParsePolicySet({ staticPolicies: text });
 */
export function cedarEngine(): Promise<Cedar> {
  engine ??= (async () => {
    const cedar = await import('@cedar-policy/cedar-wasm/web');
    cedar.initSync({ module: readFileSync(wasmLocation()) });
    return cedar;
  })();
  return engine;
}

function wasmLocation(): URL {
  const beside = new URL(`./${CEDAR_WASM_FILE}`, import.meta.url);
  if (existsSync(beside)) return beside;
  return new URL(CEDAR_WASM_FILE, import.meta.resolve('@cedar-policy/cedar-wasm/web'));
}
