// Prints the JS validator's size and per-call cost from Node next to the same rules
// written by hand in plain JS, with valibot and with zod, all measured in the same run
// after checking that every implementation gives the very same result on every input.
// Figures are medians over interleaved rounds; read the ratios (their time / package
// time), since machines are noisy. Exits non-zero when a budget is missed:
//   - the package is faster than valibot on both calls;
//   - the wasm is at most 40 KB gzipped;
//   - 100,000 distinct parameter names take well under a second (and about ten times
//     what 10,000 take: linear).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { performance } from "node:perf_hooks";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { validateAnalyticsQuery, validateAnalyticsRequest } from "campaign-analytics-validator";
import { plainValidateQuery, plainValidateRequest } from "./plain-rules.mjs";
import { valibotValidateQuery, valibotValidateRequest } from "./valibot-rules.mjs";
import { zodValidateQuery, zodValidateRequest } from "./zod-rules.mjs";

const require = createRequire(import.meta.url);
const pkgDir = require.resolve("campaign-analytics-validator/package.json").replace(/package\.json$/, "");
const { cases } = JSON.parse(readFileSync(new URL("../../tests/js/cases.json", import.meta.url), "utf8"));
const missed = [];
const budget = (ok, what) => { if (!ok) missed.push(what); return ok ? "met" : "NOT MET"; };

// --- Size -----------------------------------------------------------------------------
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const wasm = readFileSync(`${pkgDir}dist/validator_bg.wasm`);
const glue = Buffer.concat(["web.mjs", "core.mjs", "glue.mjs"].map((f) => readFileSync(`${pkgDir}dist/${f}`)));
const wasmGz = gzipSync(wasm, { level: 9 }).length;
const glueGz = gzipSync(glue, { level: 9 }).length;
console.log("JS validator package");
console.log(`  wasm     ${kb(wasm.length).padStart(9)} raw  ${kb(wasmGz).padStart(9)} gzip   budget <= 40 KB gzip: ${budget(wasmGz <= 40 * 1024, "wasm size")}`);
console.log(`  JS (browser entry) ${kb(glue.length).padStart(9)} raw  ${kb(glueGz).padStart(9)} gzip`);

// --- Inputs: the shared case table (about half valid), in both forms -------------------
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
const validRequests = requests.filter(([id, q]) => validateAnalyticsRequest(id, q).valid).length;
const validObjects = objects.filter((o) => validateAnalyticsQuery(o).valid).length;
console.log(`\nInputs: ${requests.length} requests (${validRequests} valid), ${objects.length} query objects (${validObjects} valid)`);

// --- Every implementation must give the same result before its speed means anything ----
const others = [
  ["plain JS", plainValidateQuery, plainValidateRequest],
  ["valibot", valibotValidateQuery, valibotValidateRequest],
  ["zod", zodValidateQuery, zodValidateRequest],
];
for (const [name, query, request] of others) {
  for (const [id, q] of requests) assert.deepEqual(request(id, q), validateAnalyticsRequest(id, q), `${name}: request ${id} ${q}`);
  for (const o of objects) assert.deepEqual(query(o), validateAnalyticsQuery(o), `${name}: query ${JSON.stringify(o)}`);
}
console.log("Agreement: plain JS, valibot and zod give the package's result (messages and path included) on every input\n");

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

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Interleaved rounds of every implementation; returns the package's ratio to valibot. */
function compare(label, implementations, inputs) {
  const times = implementations.map(() => []);
  for (const [, fn] of implementations) round(fn, inputs); // warm-up
  for (let i = 0; i < ROUNDS; i++) implementations.forEach(([, fn], k) => times[k].push(round(fn, inputs)));
  const medians = times.map(median);
  const ours = medians[0];
  console.log(label);
  implementations.forEach(([name], k) => {
    const ratio = k === 0 ? "" : `   ${name}/package ${(medians[k] / ours).toFixed(2)}x`;
    console.log(`  ${name.padEnd(9)} ${medians[k].toFixed(0).padStart(6)} ns/call${ratio}`);
  });
  const vsValibot = medians[implementations.findIndex(([n]) => n === "valibot")] / ours;
  console.log(`  budget: faster than valibot (valibot/package > 1.00x): ${budget(vsValibot > 1, `${label} vs valibot`)}\n`);
}

console.log(`Per-call cost, median of ${ROUNDS} interleaved rounds of >= ${MIN_MS} ms each`);
compare("validateAnalyticsQuery", [
  ["package", validateAnalyticsQuery],
  ["plain JS", plainValidateQuery],
  ["valibot", valibotValidateQuery],
  ["zod", zodValidateQuery],
], objects);
const pair = (fn) => ([id, q]) => fn(id, q);
compare("validateAnalyticsRequest", [
  ["package", pair(validateAnalyticsRequest)],
  ["plain JS", pair(plainValidateRequest)],
  ["valibot", pair(valibotValidateRequest)],
  ["zod", pair(zodValidateRequest)],
], requests);

// --- Linear cost in the number of distinct parameters (contract §2) --------------------
const ID = "123e4567-e89b-12d3-a456-426614174000";
function distinct(n) {
  const qs = "time_frame=per_day&" + Array.from({ length: n }, (_, i) => `p${i}=1`).join("&");
  const times = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const r = validateAnalyticsRequest(ID, qs);
    times.push(performance.now() - start);
    assert.equal(r.warnings.length, n);
  }
  return median(times);
}
const small = distinct(10_000);
const large = distinct(100_000);
console.log("Distinct parameter names in one query string (median of 5)");
console.log(`  10,000: ${small.toFixed(1)} ms   100,000: ${large.toFixed(1)} ms   (${(large / small).toFixed(1)}x for 10x the names; quadratic grouping would be ~100x)`);
console.log(`  budget: 100,000 in under 500 ms: ${budget(large < 500, "100,000 names")}; under 30x the time of 10,000: ${budget(large / small < 30, "linear growth")}`);

// --- Hostile values cost no more than their size (contract §2) ------------------------
// A BigInt of 4 million bits is 0.5 MB of memory, but its decimal text takes seconds to
// write: the package must judge it by value. A 20-million-character field is judged by its
// first characters (or, for page and limit, one scan of its digits).
function perCall(input) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    sink += validateAnalyticsQuery(input).fields.length;
    times.push(performance.now() - start);
  }
  return median(times);
}
const huge = 2n ** 4_000_000n;
const ordinary = perCall({ campaign_id: ID, time_frame: "per_day", page: 2 });
const bigints = perCall({ campaign_id: huge, time_frame: huge, start_date: huge, end_date: huge, is_purchase: huge, page: huge, limit: -huge });
const longText = perCall({ campaign_id: "x".repeat(20 << 20), time_frame: "per_day", page: "0".repeat(20 << 20) + "1" });
console.log("\nHostile values in validateAnalyticsQuery (median of 5)");
console.log(`  ordinary: ${ordinary.toFixed(3)} ms   4-million-bit BigInts in every field: ${bigints.toFixed(3)} ms   20-million-character fields: ${longText.toFixed(1)} ms`);
console.log(`  budget: the BigInts in under 10 ms: ${budget(bigints < 10, "huge BigInts")}`);

if (sink < 0) console.log(sink);
if (missed.length > 0) {
  console.error(`\nBudgets NOT met: ${missed.join(", ")}`);
  process.exit(1);
}
console.log("\nAll budgets met.");
