// The built package, imported by name exactly as a JS app would, in Node (ESM, no init).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import {
  validateAnalyticsQuery,
  validateAnalyticsRequest,
  validateSecretKey,
} from "campaign-analytics-validator";

const { cases } = JSON.parse(readFileSync(new URL("./cases.json", import.meta.url), "utf8"));
const ID = "123e4567-e89b-12d3-a456-426614174000";
const pairs = (list) => list.map((e) => [e.field, e.code]);

/** Checks the result shape every function promises, whatever the input was. */
function assertShape(result) {
  assert.equal(typeof result, "object");
  assert.equal(typeof result.valid, "boolean");
  assert.ok(Array.isArray(result.fields) && Array.isArray(result.warnings));
  for (const e of [...result.fields, ...result.warnings]) {
    assert.deepEqual(Object.keys(e).sort(), ["code", "field", "message"]);
    assert.equal(typeof e.message, "string");
    assert.ok(e.message.length > 0);
  }
  assert.equal(result.valid, result.fields.length === 0);
  assert.equal(result.query === null, !result.valid, "query present exactly when valid");
  return result;
}

test("the shared case table holds for validateAnalyticsRequest", () => {
  assert.ok(cases.length > 40);
  for (const c of cases) {
    const r = assertShape(validateAnalyticsRequest(c.campaign_id, c.query));
    assert.deepEqual(pairs(r.fields), c.errors, c.name);
    assert.deepEqual(pairs(r.warnings), c.warnings, c.name);
    if (c.path) assert.equal(r.query.path, c.path, c.name);
  }
});

test("validateAnalyticsQuery agrees with the table for plain string fields", () => {
  for (const c of cases) {
    const params = new URLSearchParams(c.query);
    const fields = ["time_frame", "start_date", "end_date", "is_purchase", "page", "limit"];
    const names = [...params.keys()];
    // Duplicates and unknown parameters exist only in query strings.
    if (names.some((n) => !fields.includes(n)) || new Set(names).size !== names.length) continue;
    const input = { campaign_id: c.campaign_id, ...Object.fromEntries(params) };
    const r = assertShape(validateAnalyticsQuery(input));
    assert.deepEqual(pairs(r.fields), c.errors, c.name);
    if (c.path) assert.equal(r.query.path, c.path, c.name);
  }
});

test("the normalized query carries every field and the canonical path", () => {
  const r = validateAnalyticsQuery({
    campaign_id: ID.toUpperCase(),
    time_frame: "custom_range",
    start_date: "2024-02-01",
    end_date: "2024-02-29",
    is_purchase: "false",
    page: "003",
    limit: "25",
  });
  assert.deepEqual(r.query, {
    campaign_id: ID,
    time_frame: "custom_range",
    start_date: "2024-02-01",
    end_date: "2024-02-29",
    is_purchase: "false",
    page: 3,
    limit: 25,
    path: `/api/partner/v1/campaigns/${ID}/analytics?time_frame=custom_range&start_date=2024-02-01&end_date=2024-02-29&is_purchase=false&page=3&limit=25`,
  });
  const d = validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day" }).query;
  assert.deepEqual(d, {
    campaign_id: ID, time_frame: "per_day", is_purchase: "all", page: 1, limit: 50,
    path: `/api/partner/v1/campaigns/${ID}/analytics?time_frame=per_day`,
  });
  assert.ok(!("start_date" in d), "no dates outside custom_range");
});

test("numbers, booleans, null and undefined are read as the contract says", () => {
  const base = { campaign_id: ID, time_frame: "per_day" };
  const q = (extra) => assertShape(validateAnalyticsQuery({ ...base, ...extra }));
  assert.equal(q({ page: 2, limit: 100 }).query.limit, 100);
  assert.equal(q({ page: 2.0 }).query.page, 2);
  assert.equal(q({ limit: 10n }).query.limit, 10);
  assert.equal(q({ is_purchase: true }).query.is_purchase, "true");
  assert.equal(q({ is_purchase: false }).query.is_purchase, "false");
  assert.equal(q({ page: null, limit: undefined, is_purchase: null }).valid, true);
  assert.deepEqual(pairs(q({ page: 1.5 }).fields), [["page", "invalid_integer"]]);
  assert.equal(q({ limit: 1e2 }).query.limit, 100);
  assert.equal(q({ page: 2147483647 }).query.page, 2147483647);
  // Not an integer: the text rule's invalid_integer.
  for (const page of [1.5, NaN, Infinity, -Infinity, Number.MIN_VALUE, 2147483647.5]) {
    assert.deepEqual(pairs(q({ page }).fields), [["page", "invalid_integer"]], String(page));
  }
  // An integer outside the range is out of range, whatever its size or sign, and however
  // JS would write it (1e21 and beyond are written with an exponent).
  for (const page of [0, -0, -1, -2147483648, 2147483648, 1e20, 1e21, 1e300, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, 0n, -5n, 2147483648n, 10n ** 30n]) {
    assert.deepEqual(pairs(q({ page }).fields), [["page", "out_of_range"]], String(page));
  }
  for (const limit of [0, -1, 101, 1e21, -(2n ** 70n)]) {
    assert.deepEqual(pairs(q({ limit }).fields), [["limit", "out_of_range"]], String(limit));
  }
  assert.deepEqual(pairs(q({ is_purchase: 1 }).fields), [["is_purchase", "invalid_enum"]]);
  assert.deepEqual(pairs(q({ time_frame: ["per_day"] }).fields), [["time_frame", "invalid_enum"]]);
  assert.deepEqual(pairs(q({ campaign_id: { id: ID } }).fields), [["campaign_id", "invalid_uuid"]]);
  assert.deepEqual(pairs(q({ campaign_id: null }).fields), [["campaign_id", "required"]]);
  assert.deepEqual(pairs(q({ time_frame: "" }).fields), [["time_frame", "required"]]);
});

test("no function ever throws, whatever it is given", () => {
  const throwing = new Proxy({}, { get() { throw new Error("trap"); } });
  const getter = { get time_frame() { throw new Error("getter"); } };
  const hostile = { toString() { throw new Error("toString"); }, valueOf() { throw new Error("valueOf"); }, [Symbol.toPrimitive]() { throw new Error("toPrimitive"); } };
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const huge = "x".repeat(1 << 20);
  const nested = { a: { b: { c: [1, { d: 2 }] } } };
  const odd = [
    undefined, null, 0, -1, NaN, Infinity, 1n, -(2n ** 70n), true, false, "", huge, Symbol("s"), () => 1,
    [], [1, 2], {}, nested, throwing, getter, hostile, revoked, Object.create(null), new Date(0), /re/,
    new Map(), new Uint8Array(8), "\uD800", "\u0000", Promise.resolve(1), new String("per_day"),
  ];
  for (const a of odd) {
    assertShape(validateAnalyticsQuery(a));
    for (const b of odd) assertShape(validateAnalyticsRequest(a, b));
    const k = validateSecretKey(a);
    assert.equal(k.valid, false);
    assert.equal(k.mode, null);
    assert.deepEqual(pairs(k.fields), [["key", "invalid_key"]]);
    for (const field of ["campaign_id", "time_frame", "start_date", "end_date", "is_purchase", "page", "limit"]) {
      assertShape(validateAnalyticsQuery({ [field]: a, time_frame: "custom_range" }));
    }
  }
  for (const a of [undefined, null, 5, "x", [], () => 1, throwing, revoked, Symbol("s"), 1n]) {
    assert.deepEqual(validateAnalyticsQuery(a), {
      valid: false,
      fields: [{ field: "", code: "invalid_input", message: "the query must be an object with fields such as campaign_id and time_frame" }],
      warnings: [],
      query: null,
    });
  }
  assert.deepEqual(pairs(validateAnalyticsRequest(ID, huge).warnings), [[huge, "unknown_parameter"]]);
  assert.deepEqual(pairs(validateAnalyticsRequest(huge, "time_frame=per_day").fields), [["campaign_id", "invalid_uuid"]]);
  assert.deepEqual(validateAnalyticsRequest(ID, 42).fields, [
    { field: "", code: "invalid_input", message: 'the query string must be a string such as "?time_frame=per_day"' },
  ]);
  assert.equal(validateAnalyticsRequest(ID, undefined).fields[0].field, "time_frame");
  // Objects are never converted with their own code: a String object is not a string.
  assert.deepEqual(pairs(validateAnalyticsQuery({ campaign_id: ID, time_frame: new String("per_day") }).fields), [["time_frame", "invalid_enum"]]);
});

test("validateSecretKey accepts exactly sk_live_/sk_test_ + 32 letters or digits", () => {
  const body = "0123456789abcdefghijKLMNOPQRSTUV";
  assert.deepEqual(validateSecretKey(`sk_live_${body}`), { valid: true, mode: "live", fields: [] });
  assert.deepEqual(validateSecretKey(`sk_test_${body}`), { valid: true, mode: "test", fields: [] });
  for (const bad of [`sk_live_${body}x`, `sk_live_${body.slice(1)}`, `sk_prod_${body}`, ` sk_test_${body}`,
    `sk_test_${body.slice(1)}-`, `SK_TEST_${body}`, "sk_test_"]) {
    const r = validateSecretKey(bad);
    assert.equal(r.valid, false, bad);
    assert.equal(r.mode, null);
    assert.deepEqual(pairs(r.fields), [["key", "invalid_key"]]);
    assert.ok(!r.fields[0].message.includes(body), "never echoes the key");
  }
});

test("CommonJS apps can require the package too", () => {
  const require = createRequire(import.meta.url);
  const cjs = require("campaign-analytics-validator");
  assert.deepEqual(Object.keys(cjs).sort(), ["init", "initSync", "validateAnalyticsQuery", "validateAnalyticsRequest", "validateSecretKey"]);
  assert.deepEqual(cjs.validateAnalyticsRequest(ID, "time_frame=per_day&limit=10").query.path, `/api/partner/v1/campaigns/${ID}/analytics?time_frame=per_day&limit=10`);
  assert.deepEqual(pairs(cjs.validateAnalyticsQuery({ campaign_id: ID, time_frame: "x" }).fields), [["time_frame", "invalid_enum"]]);
  assert.equal(cjs.validateSecretKey("sk_live_0123456789abcdefghijKLMNOPQRSTUV").mode, "live");
});

test("Node apps need no init, but may call it (code shared with browsers)", async () => {
  const esm = await import("campaign-analytics-validator");
  assert.equal(await esm.default(), undefined);
  assert.equal(await esm.init(), undefined);
  assert.equal(esm.initSync(), undefined);
  assert.equal(esm.validateAnalyticsRequest(ID, "time_frame=per_day").valid, true);
});

test("an app importing the Node and the browser entries gets one safe binding", async () => {
  const require = createRequire(import.meta.url);
  const dist = new URL("dist/", pathToFileURL(require.resolve("campaign-analytics-validator/package.json")));
  const web = await import(new URL("web.mjs", dist));
  await web.default();
  // Alternate between them with inputs that make the input buffer grow.
  for (let size = 1; size <= 1 << 22; size *= 4) {
    const name = "n".repeat(size);
    assert.equal(web.validateAnalyticsRequest(ID, `time_frame=per_day&${name}=1`).warnings[0].field.length, size);
    assert.equal(validateAnalyticsRequest(ID, `time_frame=per_day&${name}x=1`).warnings[0].field.length, size + 1);
    assert.equal(web.validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day", page: "0".repeat(size) + "3" }).query.page, 3);
  }
});
