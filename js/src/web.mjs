// The package in browsers and bundlers: an ES module whose wasm is fetched by init()
// (once; later calls share it). Until init() has finished, every function answers
// `invalid_input` ("not ready") rather than throwing.
import loadGlue, { initSync as loadGlueSync } from "./glue.mjs";
import { bind } from "./core.mjs";

let api = null;
let loading = null;

const NOT_READY = "the validator is not ready yet: await init() before validating";
const notReady = () => ({ field: "", message: NOT_READY, code: "invalid_input" });

/**
 * Loads the wasm. `options.module_or_path` may name it (a URL, a Response, bytes or a
 * compiled WebAssembly.Module); by default it is `validator_bg.wasm` beside this file.
 */
export default function init(options) {
  loading ??= loadGlue(options).then(
    (wasm) => {
      api = bind(wasm, wasm.memory);
    },
    (error) => {
      loading = null; // a failed fetch may be retried
      throw error;
    },
  );
  return loading;
}
export { init };

/** Loads the wasm synchronously from `options.module` (bytes or a compiled module). */
export function initSync(options) {
  if (api === null) {
    const wasm = loadGlueSync(options);
    api = bind(wasm, wasm.memory);
    loading = Promise.resolve();
  }
}

export function validateAnalyticsQuery(input) {
  return api === null ? { valid: false, fields: [notReady()], warnings: [], query: null } : api.validateAnalyticsQuery(input);
}

export function validateAnalyticsRequest(campaignId, queryString) {
  return api === null ? { valid: false, fields: [notReady()], warnings: [], query: null } : api.validateAnalyticsRequest(campaignId, queryString);
}

export function validateSecretKey(key) {
  return api === null ? { valid: false, mode: null, fields: [notReady()] } : api.validateSecretKey(key);
}
