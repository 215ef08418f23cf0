// Prints the JS validator's size and per-call cost from Node, next to the same rules
// written with zod, measured in the same run. Figures are medians over interleaved
// rounds; the ratio (zod time / wasm time) is what to read, since machines are noisy.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { validateAnalyticsQuery, validateAnalyticsRequest } from "campaign-analytics-validator";
import { zodValidateQuery, zodValidateRequest } from "./zod-rules.mjs";

const require = createRequire(import.meta.url);
const pkgDir = require.resolve("campaign-analytics-validator/package.json").replace(/package\.json$/, "");
const { cases } = JSON.parse(readFileSync(new URL("../../tests/js/cases.json", import.meta.url), "utf8"));

// --- Size -----------------------------------------------------------------------------
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const wasm = readFileSync(`${pkgDir}web/validator_bg.wasm`);
const glue = readFileSync(`${pkgDir}web/validator.js`);
const wasmGz = gzipSync(wasm, { level: 9 }).length;
const glueGz = gzipSync(glue, { level: 9 }).length;
console.log("JS validator package (browser build)");
console.log(`  wasm     ${kb(wasm.length).padStart(9)} raw  ${kb(wasmGz).padStart(9)} gzip   budget <= 40 KB gzip: ${wasmGz <= 40 * 1024 ? "met" : "NOT MET"}`);
console.log(`  JS glue  ${kb(glue.length).padStart(9)} raw  ${kb(glueGz).padStart(9)} gzip`);

// --- Inputs: the shared case table (half valid, half invalid), in both forms -----------
const requests = cases.map((c) => [c.campaign_id, c.query]);
const objects = cases.flatMap((c) => {
  const params = new URLSearchParams(c.query);
  const names = [...params.keys()];
  if (new Set(names).size !== names.length) return [];
  const o = { campaign_id: c.campaign_id, ...Object.fromEntries(params) };
  // Also the JS-typed spelling an app would pass.
  const typed = { ...o };
  if (/^[0-9]{1,6}$/.test(typed.page ?? "")) typed.page = Number(typed.page);
  if (/^[0-9]{1,6}$/.test(typed.limit ?? "")) typed.limit = Number(typed.limit);
  if (typed.is_purchase === "true" || typed.is_purchase === "false") typed.is_purchase = typed.is_purchase === "true";
  return [o, typed];
});
const valid = requests.filter(([id, q]) => validateAnalyticsRequest(id, q).valid).length;
console.log(`\nInputs: ${requests.length} requests (${valid} valid), ${objects.length} query objects`);

// --- Both implementations must agree before their speed means anything ------------------
const essence = (r) => ({
  valid: r.valid,
  fields: r.fields.map((e) => [e.field, e.code]),
  warnings: r.warnings.map((e) => [e.field, e.code]),
  query: r.query,
});
for (const [id, q] of requests) assert.deepEqual(essence(zodValidateRequest(id, q)), essence(validateAnalyticsRequest(id, q)), `request ${q}`);
for (const o of objects) assert.deepEqual(essence(zodValidateQuery(o)), essence(validateAnalyticsQuery(o)), `query ${JSON.stringify(o)}`);
console.log("Agreement: zod and wasm give the same errors, warnings and normalized query on every input\n");

// --- Per-call cost ---------------------------------------------------------------------
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const MIN_MS = Number(process.env.BENCH_ROUND_MS ?? 150);
let sink = 0;

function round(fn, inputs) {
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (const input of inputs) sink += fn(input).fields.length;
    calls += inputs.length;
    elapsed = performance.now() - start;
  } while (elapsed < MIN_MS);
  return (elapsed * 1e6) / calls;
}

function compare(label, wasmFn, zodFn, inputs) {
  round(wasmFn, inputs); round(zodFn, inputs); // warm-up
  const w = [], z = [];
  for (let i = 0; i < ROUNDS; i++) { w.push(round(wasmFn, inputs)); z.push(round(zodFn, inputs)); }
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const [mw, mz] = [median(w), median(z)];
  const ratio = mz / mw;
  console.log(`${label.padEnd(26)} wasm ${mw.toFixed(0).padStart(6)} ns/call   zod ${mz.toFixed(0).padStart(6)} ns/call   zod/wasm ${ratio.toFixed(2)}x   budget >= 1.00x: ${ratio >= 1 ? "met" : "NOT MET"}`);
}

console.log(`Per-call cost, median of ${ROUNDS} interleaved rounds of >= ${MIN_MS} ms each`);
compare("validateAnalyticsQuery", validateAnalyticsQuery, zodValidateQuery, objects);
compare("validateAnalyticsRequest", ([id, q]) => validateAnalyticsRequest(id, q), ([id, q]) => zodValidateRequest(id, q), requests);
if (sink < 0) console.log(sink);
