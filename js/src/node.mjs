// The package in Node, as an ES module: the wasm is loaded synchronously on import, so
// the functions work at once (init() is there for code shared with browsers).
import { readFileSync } from "node:fs";
import { initSync as instantiate } from "./glue.mjs";
import { bind } from "./core.mjs";

const wasm = instantiate({ module: readFileSync(new URL("./validator_bg.wasm", import.meta.url)) });
const latin1 = (buffer) => {
  const bytes = Buffer.from(buffer);
  return (start, end) => bytes.latin1Slice(start, end);
};

export const { validateAnalyticsQuery, validateAnalyticsRequest, validateSecretKey } = bind(wasm, wasm.memory, latin1);

/** Nothing to wait for in Node: the module is ready on import. */
export async function init() {}
export default init;
/** Nothing to do in Node: the module is ready on import. */
export function initSync() {}
