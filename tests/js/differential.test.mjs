// The package against an independent implementation of the same rules written by hand in
// plain JS on URLSearchParams (bench/validator/plain-rules.mjs, also the benchmark's
// floor), over generated requests and query objects: odd escapes, non-ASCII and astral
// names, keys pasted as names, duplicates, every field's edge values. Same result, messages
// and canonical path included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateAnalyticsQuery, validateAnalyticsRequest } from "campaign-analytics-validator";
import { plainValidateQuery, plainValidateRequest } from "../../bench/validator/plain-rules.mjs";

/** A small seeded generator (mulberry32): the same cases on every run. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ids = ["123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000", "", "abc", "123e4567e89b12d3a456426614174000", " 123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-00000000000g"];
const names = ["time_frame", "start_date", "end_date", "is_purchase", "page", "limit", "campaign_id", "utm", "", "Limit", "sk_test_0123456789abcdefghijKLMNOPQRSTUV", "x".repeat(45), "é".repeat(41), "😀", "toString", "__proto__", "a b", "\uFEFFx"];
const values = ["per_day", "custom_range", "per_hour", "per_month", "weekly", "", "2024-01-01", "2024-02-29", "2025-02-29", "2024-12-31", "2025-01-01", "0000-01-01", "9999-12-31", "0000-03-01",
  "true", "false", "all", "TRUE", "0", "1", "007", "50", "100", "101", "2147483647", "2147483648", "99999999999999", "+1", "-1", "1.0", "1e2", " 1", "x", "é", "😀"];
// Written the ways a URL may carry them: plain, percent-encoded, with + for spaces, or broken escapes.
const spell = (text, r) => {
  const roll = r();
  if (roll < 0.5) return encodeURIComponent(text);
  if (roll < 0.7) {
    const hex = (b) => b.toString(16).padStart(2, "0");
    return [...new TextEncoder().encode(text)].map((b) => `%${r() < 0.5 ? hex(b) : hex(b).toUpperCase()}`).join("");
  }
  if (roll < 0.8) return encodeURIComponent(text).replace(/%20/g, "+");
  if (roll < 0.9) return encodeURIComponent(text) + ["%", "%4", "%ZZ", "%FF", "%C3", "&&"][Math.floor(r() * 6)];
  return encodeURIComponent(text).toLowerCase();
};

test("the package and a plain JS implementation agree on 20,000 generated requests and objects", () => {
  const r = random(20261202);
  const pick = (list) => list[Math.floor(r() * list.length)];
  let valid = 0;
  let compared = 0;
  for (let i = 0; i < 20_000; i++) {
    // Half the cases start from a valid request, so that valid results are compared too.
    const base = r() < 0.5;
    const id = base ? ids[Math.floor(r() * 2)] : pick(ids);
    const pairs = Array.from({ length: Math.floor(r() * (base ? 3 : 8)) }, () => [pick(names), pick(values)]);
    if (base) pairs.unshift(["time_frame", pick(["per_hour", "per_day", "per_month"])]);
    else if (r() < 0.4) pairs.unshift(["time_frame", pick(["per_day", "custom_range"])]);
    const query = (r() < 0.2 ? "?" : "") + pairs.map(([n, v]) => `${spell(n, r)}=${spell(v, r)}`).join("&");
    const ours = validateAnalyticsRequest(id, query);
    assert.deepEqual(ours, plainValidateRequest(id, query), `request ${JSON.stringify([id, query])}`);
    if (ours.valid) valid++;

    // The same values as an object, typed as an app might type them.
    const object = { campaign_id: id };
    for (const [n, v] of pairs) if (["time_frame", "start_date", "end_date", "is_purchase", "page", "limit"].includes(n)) object[n] = v;
    if (r() < 0.3 && /^[0-9]{1,15}$/.test(object.page ?? "")) object.page = Number(object.page);
    if (r() < 0.3 && /^[0-9]{1,25}$/.test(object.limit ?? "")) object.limit = BigInt(object.limit);
    if (r() < 0.3 && (object.is_purchase === "true" || object.is_purchase === "false")) object.is_purchase = object.is_purchase === "true";
    if (r() < 0.05) object.time_frame = null;
    // Numbers and BigInts of every kind: integral ones are read by value.
    if (r() < 0.1) object[pick(["page", "limit"])] = pick([-1, -0, 0, 1.5, 100, 101, 2 ** 31, 1e21, -1e21, NaN, Infinity, -5n, 7n, 2n ** 40n]);
    assert.deepEqual(validateAnalyticsQuery(object), plainValidateQuery(object), `object ${JSON.stringify(object, (_, v) => (typeof v === "bigint" ? `${v}n` : v))}`);
    compared++;
  }
  assert.equal(compared, 20_000);
  assert.ok(valid > 1_000, `only ${valid} valid requests: the generator must reach valid ones`);
});
