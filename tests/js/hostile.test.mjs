// Contract §2 "Hostile input", against the built package as a JS app imports it: every
// hostile value is a result, never an exception, and nothing a caller does leaves the
// package unusable for the next call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  validateAnalyticsQuery,
  validateAnalyticsRequest,
  validateSecretKey,
} from "campaign-analytics-validator";

const ID = "123e4567-e89b-12d3-a456-426614174000";
const pairs = (list) => list.map((e) => [e.field, e.code]);
const NOT_AN_OBJECT = [["", "invalid_input"]];
const KNOWN = "(known: time_frame, start_date, end_date, is_purchase, page, limit)";

/** A valid call after the hostile ones: the instance must still give the exact answer. */
function assertStillValidates() {
  assert.deepEqual(validateAnalyticsRequest(ID.toUpperCase(), "time_frame=custom_range&start_date=2024-01-01&end_date=2024-02-01&page=2"), {
    valid: true,
    fields: [],
    warnings: [],
    query: {
      campaign_id: ID,
      time_frame: "custom_range",
      start_date: "2024-01-01",
      end_date: "2024-02-01",
      is_purchase: "all",
      page: 2,
      limit: 50,
      path: `/api/partner/v1/campaigns/${ID}/analytics?time_frame=custom_range&start_date=2024-01-01&end_date=2024-02-01&page=2`,
    },
  });
  assert.equal(validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_month", limit: 7 }).query.limit, 7);
  assert.equal(validateSecretKey("sk_live_0123456789abcdefghijKLMNOPQRSTUV").mode, "live");
}

test("a revoked Proxy is a result 50,000 times over, and the next valid call still validates", () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  for (let i = 0; i < 50_000; i++) {
    const r = validateAnalyticsQuery(proxy);
    if (r.valid || r.fields.length !== 1 || r.fields[0].code !== "invalid_input" || r.query !== null) {
      assert.fail(`call ${i}: ${JSON.stringify(r)}`);
    }
  }
  // Every entry point and argument position, a few thousand times more.
  for (let i = 0; i < 5_000; i++) {
    assert.deepEqual(pairs(validateAnalyticsRequest(proxy, "time_frame=per_day").fields), [["campaign_id", "invalid_uuid"]]);
    assert.deepEqual(pairs(validateAnalyticsRequest(ID, proxy).fields), NOT_AN_OBJECT);
    assert.deepEqual(pairs(validateSecretKey(proxy).fields), [["key", "invalid_key"]]);
    assert.deepEqual(pairs(validateAnalyticsQuery({ campaign_id: proxy, time_frame: "per_day" }).fields), [["campaign_id", "invalid_uuid"]]);
  }
  assertStillValidates();
});

test("getters and proxy traps that throw make the input unreadable, not the call", () => {
  const traps = ["get", "has", "ownKeys", "getPrototypeOf", "getOwnPropertyDescriptor", "isExtensible"];
  for (const trap of traps) {
    const input = new Proxy({ campaign_id: ID, time_frame: "per_day" }, { [trap]() { throw new Error(trap); } });
    const r = validateAnalyticsQuery(input);
    assert.equal(r.valid, trap !== "get", `${trap}: only reading a field runs user code`);
  }
  const getter = { campaign_id: ID, get limit() { throw new TypeError("no"); } };
  assert.deepEqual(pairs(validateAnalyticsQuery(getter).fields), NOT_AN_OBJECT);
  const revokesOnRead = {
    get campaign_id() {
      revoke();
      return ID;
    },
  };
  const { proxy, revoke } = Proxy.revocable(revokesOnRead, {});
  assert.deepEqual(pairs(validateAnalyticsQuery(proxy).fields), NOT_AN_OBJECT, "revoked halfway through the read");
  for (let i = 0; i < 20_000; i++) validateAnalyticsQuery(getter);
  assertStillValidates();
});

test("a getter that calls the validator again gets its own answer, and the outer call is unharmed", () => {
  const seen = [];
  const input = {
    campaign_id: ID,
    get time_frame() {
      seen.push(validateAnalyticsRequest("nope", "limit=0&x=1"));
      seen.push(validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_hour", page: "9" }));
      seen.push(validateSecretKey("sk_test_0123456789abcdefghijKLMNOPQRSTUV"));
      return "per_day";
    },
    limit: "10",
  };
  const outer = validateAnalyticsQuery(input);
  assert.equal(outer.query.path, `/api/partner/v1/campaigns/${ID}/analytics?time_frame=per_day&limit=10`);
  assert.deepEqual(pairs(seen[0].fields), [["campaign_id", "invalid_uuid"], ["time_frame", "required"], ["limit", "out_of_range"]]);
  assert.deepEqual(pairs(seen[0].warnings), [["x", "unknown_parameter"]]);
  assert.equal(seen[1].query.path, `/api/partner/v1/campaigns/${ID}/analytics?time_frame=per_hour&page=9`);
  assert.equal(seen[2].mode, "test");

  // Re-entered a thousand levels deep, each level answering its own input.
  const nest = (depth) => ({
    campaign_id: ID,
    get time_frame() {
      if (depth > 0) assert.equal(validateAnalyticsQuery(nest(depth - 1)).query.page, depth);
      return "per_day";
    },
    page: String(depth + 1),
  });
  assert.equal(validateAnalyticsQuery(nest(1000)).query.page, 1001);
  assertStillValidates();
});

test("BigInt, Symbol, functions and values nested 100,000 deep are results", () => {
  const q = (extra) => validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day", ...extra });
  assert.equal(q({ limit: 10n }).query.limit, 10);
  assert.deepEqual(pairs(q({ limit: 10n ** 30n }).fields), [["limit", "out_of_range"]]);
  assert.deepEqual(pairs(q({ page: -5n }).fields), [["page", "out_of_range"]]);
  // BigInts far too large for any field (a million-digit number's decimal text would take
  // seconds to write): answered by value, never written out.
  const huge = 2n ** 4_000_000n;
  assert.deepEqual(pairs(q({ page: huge, limit: -huge }).fields), [["page", "out_of_range"], ["limit", "out_of_range"]]);
  assert.deepEqual(pairs(validateAnalyticsQuery({ campaign_id: huge, time_frame: huge, start_date: huge, is_purchase: huge }).fields),
    [["campaign_id", "invalid_uuid"], ["time_frame", "invalid_enum"], ["is_purchase", "invalid_enum"]]);
  assert.deepEqual(pairs(validateAnalyticsRequest(huge, "time_frame=per_day").fields), [["campaign_id", "invalid_uuid"]]);
  assert.deepEqual(pairs(q({ is_purchase: Symbol("true") }).fields), [["is_purchase", "invalid_enum"]]);
  assert.deepEqual(pairs(q({ limit: () => 10 }).fields), [["limit", "invalid_integer"]]);
  assert.deepEqual(pairs(q({ start_date: Symbol.iterator }).warnings), [["start_date", "ignored_parameter"]]);
  assert.deepEqual(pairs(validateAnalyticsQuery(Symbol("q")).fields), NOT_AN_OBJECT);
  assert.deepEqual(pairs(validateAnalyticsRequest(Symbol("id"), Symbol("qs")).fields), NOT_AN_OBJECT);
  assert.deepEqual(pairs(validateAnalyticsRequest(10n, "time_frame=per_day").fields), [["campaign_id", "invalid_uuid"]]);

  let deepObject = {};
  let deepArray = [];
  for (let i = 0; i < 100_000; i++) {
    deepObject = { campaign_id: deepObject, time_frame: deepObject };
    deepArray = [deepArray];
  }
  assert.deepEqual(pairs(validateAnalyticsQuery(deepObject).fields), [["campaign_id", "invalid_uuid"], ["time_frame", "invalid_enum"]]);
  assert.deepEqual(pairs(validateAnalyticsQuery(deepArray).fields), NOT_AN_OBJECT);
  assert.deepEqual(pairs(q({ limit: deepArray }).fields), [["limit", "invalid_integer"]]);
  assert.deepEqual(pairs(validateAnalyticsRequest(deepArray, deepObject).fields), NOT_AN_OBJECT);
  assertStillValidates();
});

test("multi-megabyte strings are validated like short ones", () => {
  const mb = 1 << 20;
  assert.deepEqual(pairs(validateAnalyticsRequest("a".repeat(8 * mb), "time_frame=per_day").fields), [["campaign_id", "invalid_uuid"]]);
  const longName = "é".repeat(3 * mb);
  const r = validateAnalyticsRequest(ID, `time_frame=per_day&${longName}=1&limit=${"9".repeat(2 * mb)}`);
  assert.deepEqual(pairs(r.fields), [["limit", "out_of_range"]]);
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0].field, longName);
  assert.equal(r.warnings[0].message, `"${"é".repeat(40)}…" is not a parameter of this endpoint and is ignored ${KNOWN}`);
  const padded = validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day", page: "0".repeat(4 * mb) + "7" });
  assert.equal(padded.query.page, 7);
  assertStillValidates();
});

test("inputs beyond 16 million characters are refused as invalid_input, and nothing is harmed", () => {
  const limit = 16 * (1 << 20);
  const prefix = "time_frame=per_day&";
  // Exactly at the limit (campaign id and query string together): validated.
  const name = "n".repeat(limit - ID.length - prefix.length - 2);
  const atLimit = validateAnalyticsRequest(ID, `${prefix}${name}=1`);
  assert.equal(atLimit.valid, true);
  assert.equal(atLimit.warnings[0].field.length, name.length);
  // One more: refused without being read.
  const tooLarge = {
    valid: false,
    fields: [{ field: "", code: "invalid_input", message: "the input is too large to validate: more than 16 million characters in all" }],
    warnings: [],
    query: null,
  };
  assert.deepEqual(validateAnalyticsRequest(ID, `${prefix}${name}=12`), tooLarge);
  assert.deepEqual(pairs(validateSecretKey("k".repeat(limit + 1)).fields), [["key", "invalid_key"]]);
  assertStillValidates();
});

test("a query's fields and a request's campaign id are validated whatever their length", () => {
  // Only the query string's size is bounded (all its names are reported); a field is
  // judged by its rule however long it is, beyond the 16 million characters too.
  const huge = 20 * (1 << 20);
  const long = (c) => c.repeat(huge);
  assert.deepEqual(pairs(validateAnalyticsQuery({ campaign_id: long("x") }).fields), [["campaign_id", "invalid_uuid"], ["time_frame", "required"]]);
  assert.deepEqual(pairs(validateAnalyticsQuery({
    campaign_id: ID, time_frame: "custom_range", start_date: long("1"), end_date: `2024-01-01${long("0")}`, is_purchase: long("é"), page: long("0"), limit: `${long("0")}1x`,
  }).fields), [["start_date", "invalid_date"], ["end_date", "invalid_date"], ["is_purchase", "invalid_enum"], ["page", "out_of_range"], ["limit", "invalid_integer"]]);
  assert.deepEqual(pairs(validateAnalyticsQuery({ campaign_id: ID, time_frame: long("p"), start_date: long("😀") }).warnings), [["start_date", "ignored_parameter"]]);
  const zeros = validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day", page: `${long("0")}2147483647`, limit: `${long("0")}100` });
  assert.deepEqual([zeros.query.page, zeros.query.limit], [2147483647, 100]);
  assert.deepEqual(pairs(validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day", page: `${long("0")}2147483648`, limit: `1${long("0")}` }).fields),
    [["page", "out_of_range"], ["limit", "out_of_range"]]);
  // A long run of digits followed by something else is no integer, however it starts.
  assert.deepEqual(pairs(validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day", page: `${"1".repeat(100)}.0` }).fields), [["page", "invalid_integer"]]);
  assert.deepEqual(pairs(validateAnalyticsRequest(long("a"), "time_frame=per_day").fields), [["campaign_id", "invalid_uuid"]]);
  assert.deepEqual(pairs(validateAnalyticsRequest(`${ID}${long(" ")}`, "time_frame=per_day").fields), [["campaign_id", "invalid_uuid"]]);
  assertStillValidates();
});

test("100,000 distinct parameter names give the right warnings, in order", () => {
  const n = 100_000;
  const names = Array.from({ length: n }, (_, i) => `p${i}`);
  // Two of them given again (percent-encoded), and a known field repeated.
  const qs = `time_frame=per_day&${names.map((p) => `${p}=1`).join("&")}&%70${7}=2&limit=5&%70${99_999}=3&limit=6`;
  const r = validateAnalyticsRequest(ID, qs);
  assert.deepEqual(pairs(r.fields), [["limit", "duplicate_parameter"], ["p7", "duplicate_parameter"], ["p99999", "duplicate_parameter"]]);
  const expected = names.filter((p) => p !== "p7" && p !== "p99999");
  assert.equal(r.warnings.length, expected.length);
  r.warnings.forEach((w, i) => {
    if (w.field !== expected[i] || w.code !== "unknown_parameter") assert.fail(`warning ${i}: ${JSON.stringify(w)}`);
  });
  assert.equal(r.warnings[n - 3].message, `"p99998" is not a parameter of this endpoint and is ignored ${KNOWN}`);
  assert.equal(r.query, null);
});

test("odd text is decoded as URLSearchParams decodes it", () => {
  for (const qs of ["time_frame=per_day&\uD800=1", "time_frame=per_day&%FF%FE=1", "time_frame=per_day&a%00b=1", "time_frame=per_day&%EF%BB%BFx=1", "time_frame=per_day&\u{1F600}+%F0%9F%98%80=1"]) {
    const expected = [...new URLSearchParams(qs).keys()].filter((k) => k !== "time_frame");
    const r = validateAnalyticsRequest(ID, qs);
    assert.deepEqual(r.warnings.map((w) => w.field), expected, qs);
    assert.ok(r.valid, qs);
  }
  assert.deepEqual(pairs(validateAnalyticsQuery({ campaign_id: ID, time_frame: "per_day\u0000" }).fields), [["time_frame", "invalid_enum"]]);
});

test("the wasm imports nothing through which user code could run", () => {
  // The design's guarantee, checked on the shipped module: JS values are read in JS, and
  // the wasm can call only wasm-bindgen's own start-up intrinsics, so no JS exception can
  // ever unwind through wasm frames (which used to leak the shadow stack and a borrow,
  // and poisoned the instance).
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve("campaign-analytics-validator/validator_bg.wasm"));
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
  assert.ok(imports.length > 0);
  for (const { name, kind } of imports) {
    assert.equal(kind, "function");
    assert.match(name, /^(__wbindgen_init_externref_table|__wbg___wbindgen_memory_[0-9a-f]+)$/, `unexpected import ${name}`);
  }
});
