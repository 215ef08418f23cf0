// The browser build (dist/web.mjs) in a process of its own, so that nothing has loaded
// the wasm before its init(): as a browser app would use it, minus the browser (the
// bundler test in tests/js-bundler runs it in Chromium).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const ID = "123e4567-e89b-12d3-a456-426614174000";
const pairs = (list) => list.map((e) => [e.field, e.code]);
const { cases } = JSON.parse(readFileSync(new URL("./cases.json", import.meta.url), "utf8"));
const require = createRequire(import.meta.url);
const dist = new URL("dist/", pathToFileURL(require.resolve("campaign-analytics-validator/package.json")));

test("the browser build answers 'not ready' before init, and validates after it", async () => {
  const web = await import(new URL("web.mjs", dist));
  const notReady = { field: "", code: "invalid_input", message: "the validator is not ready yet: await init() before validating" };
  assert.deepEqual(web.validateAnalyticsRequest(ID, "time_frame=per_day"), { valid: false, fields: [notReady], warnings: [], query: null });
  assert.deepEqual(web.validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day" }), { valid: false, fields: [notReady], warnings: [], query: null });
  assert.deepEqual(web.validateSecretKey("sk_test_0123456789abcdefghijKLMNOPQRSTUV"), { valid: false, mode: null, fields: [notReady] });

  // A load that fails rejects, and a later init may still succeed.
  await assert.rejects(web.default({ module_or_path: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) }));
  assert.equal(web.validateAnalyticsRequest(ID, "time_frame=per_day").valid, false);
  const wasm = readFileSync(new URL("validator_bg.wasm", dist));
  await Promise.all([web.default({ module_or_path: wasm }), web.init({ module_or_path: wasm })]);
  web.initSync({ module: wasm }); // already loaded: nothing to do

  for (const c of cases) {
    const r = web.validateAnalyticsRequest(c.campaign_id, c.query);
    assert.deepEqual(pairs(r.fields), c.errors, c.name);
    assert.deepEqual(pairs(r.warnings), c.warnings, c.name);
    if (c.path) assert.equal(r.query.path, c.path, c.name);
  }
  assert.equal(web.validateSecretKey("sk_test_0123456789abcdefghijKLMNOPQRSTUV").mode, "test");
  assert.equal(web.validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day", limit: 5 }).query.limit, 5);
});
