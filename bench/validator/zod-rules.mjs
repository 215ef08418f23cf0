// Contract §1 written with zod, the way a JS app would write it without the package:
// the baseline the wasm validator is measured against. It returns the same result shape
// ({valid, fields, warnings, query}), and bench.mjs checks that both agree on every
// input before timing anything, so the comparison is like for like.
import { z } from "zod";

const FIELDS = ["campaign_id", "time_frame", "start_date", "end_date", "is_purchase", "page", "limit"];
const TIME_FRAMES = ["per_hour", "per_day", "per_month", "custom_range"];
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DIGITS = /^[0-9]+$/;
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DAY_MS = 86_400_000;

const MESSAGES = {
  campaign_id: "a UUID such as 123e4567-e89b-12d3-a456-426614174000 (8-4-4-4-12 hex digits)",
  time_frame: "one of per_hour, per_day, per_month, custom_range",
  start_date: "a calendar date written YYYY-MM-DD",
  end_date: "a calendar date written YYYY-MM-DD",
  is_purchase: "one of true, false, all",
  page: "an integer from 1 to 2147483647",
  limit: "an integer from 1 to 100",
};

function message(field, code) {
  const allowed = MESSAGES[field];
  switch (code) {
    case "required":
      return field.endsWith("_date")
        ? `${field} is required when time_frame is custom_range: ${allowed}`
        : `${field} is required: ${allowed}`;
    case "date_order": return "end_date must be after start_date";
    case "range_too_large": return "end_date must be at most 365 days after start_date";
    case "duplicate_parameter": return `${field} must be given only once`;
    case "ignored_parameter": return `${field} is ignored unless time_frame is custom_range`;
    default: return `${field} must be ${allowed}`;
  }
}

function dateMs(text) {
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
    ? date.getTime() : null;
}

/** One field's rules, in order, stopping at the first failure (`abort`). */
const fail = (code) => ({ params: { code }, abort: true });
const text = z.string();
const bounded = (max) => text
  .refine((v) => DIGITS.test(v), fail("invalid_integer"))
  .refine((v) => { const n = Number(v.replace(/^0+(?=.)/, "")); return n >= 1 && n <= max; }, fail("out_of_range"));

const schema = z.object({
  campaign_id: text.refine((v) => UUID.test(v), fail("invalid_uuid")),
  time_frame: text.refine((v) => TIME_FRAMES.includes(v), fail("invalid_enum")),
  start_date: text.optional(),
  end_date: text.optional(),
  is_purchase: z.enum(["true", "false", "all"], fail("invalid_enum")).default("all"),
  page: bounded(2147483647).default("1"),
  limit: bounded(100).default("50"),
}).superRefine((q, ctx) => {
  if (q.time_frame !== "custom_range") return;
  const ms = {};
  for (const field of ["start_date", "end_date"]) {
    const v = q[field];
    if (v === undefined) ctx.addIssue({ code: "custom", path: [field], params: { code: "required" } });
    else if ((ms[field] = dateMs(v)) === null) ctx.addIssue({ code: "custom", path: [field], params: { code: "invalid_date" } });
  }
  if (ms.start_date != null && ms.end_date != null) {
    const days = (ms.end_date - ms.start_date) / DAY_MS;
    if (days <= 0) ctx.addIssue({ code: "custom", path: ["end_date"], params: { code: "date_order" } });
    else if (days > 365) ctx.addIssue({ code: "custom", path: ["end_date"], params: { code: "range_too_large" } });
  }
});

/** A field's value as text ("" and null/undefined mean absent), as the contract reads JS values. */
function asText(v) {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "number") return Number.isInteger(v) && Math.abs(v) < 1e21 ? String(v) : "x";
  return "[object]";
}

function run(values, duplicated, extraErrors, warnings) {
  const input = {};
  for (const f of FIELDS) if (!duplicated.has(f) && values[f] !== undefined) input[f] = values[f];
  const parsed = schema.safeParse(input);
  const errors = new Map();
  for (const f of duplicated) errors.set(f, "duplicate_parameter");
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0]);
      if (errors.has(field)) continue;
      // A field missing altogether fails zod's type check: that is `required`.
      const code = issue.params?.code ?? (issue.code === "invalid_type" ? "required" : "invalid_enum");
      errors.set(field, code);
    }
  }
  if (values.time_frame !== "custom_range") {
    for (const f of ["start_date", "end_date"]) if (values[f] !== undefined && !duplicated.has(f)) warnings.unshift({ field: f, message: message(f, "ignored_parameter"), code: "ignored_parameter" });
  }
  const fields = FIELDS.filter((f) => errors.has(f)).map((f) => ({ field: f, message: message(f, errors.get(f)), code: errors.get(f) }));
  fields.push(...extraErrors);
  if (fields.length > 0) return { valid: false, fields, warnings: sortWarnings(warnings), query: null };
  const q = parsed.data;
  const query = { campaign_id: q.campaign_id.toLowerCase(), time_frame: q.time_frame };
  if (q.time_frame === "custom_range") Object.assign(query, { start_date: q.start_date, end_date: q.end_date });
  Object.assign(query, { is_purchase: q.is_purchase, page: Number(q.page), limit: Number(q.limit) });
  let qs = `time_frame=${query.time_frame}`;
  if (query.start_date) qs += `&start_date=${query.start_date}&end_date=${query.end_date}`;
  if (query.is_purchase !== "all") qs += `&is_purchase=${query.is_purchase}`;
  if (query.page !== 1) qs += `&page=${query.page}`;
  if (query.limit !== 50) qs += `&limit=${query.limit}`;
  query.path = `/api/partner/v1/campaigns/${query.campaign_id}/analytics?${qs}`;
  return { valid: true, fields: [], warnings: sortWarnings(warnings), query };
}

function sortWarnings(warnings) {
  const rank = (w) => (w.code === "ignored_parameter" ? FIELDS.indexOf(w.field) : 100);
  return warnings.sort((a, b) => rank(a) - rank(b));
}

export function zodValidateQuery(input) {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { valid: false, fields: [{ field: "", message: "the query must be an object with fields such as campaign_id and time_frame", code: "invalid_input" }], warnings: [], query: null };
  }
  const values = {};
  for (const f of FIELDS) values[f] = asText(input[f]);
  return run(values, new Set(), [], []);
}

export function zodValidateRequest(campaignId, queryString) {
  const params = new URLSearchParams(queryString);
  const values = { campaign_id: asText(campaignId) };
  const seen = new Map();
  for (const [name, value] of params) seen.set(name, [...(seen.get(name) ?? []), value]);
  const duplicated = new Set();
  const extraErrors = [];
  const warnings = [];
  for (const [name, list] of seen) {
    const known = FIELDS.includes(name) && name !== "campaign_id";
    if (list.length > 1) {
      if (known || name === "campaign_id") duplicated.add(name);
      else extraErrors.push({ field: name, message: `"${name}" must be given only once`, code: "duplicate_parameter" });
    } else if (known) values[name] = list[0] === "" ? undefined : list[0];
    else warnings.push({ field: name, message: `"${name}" is not a parameter of this endpoint and is ignored (known: time_frame, start_date, end_date, is_purchase, page, limit)`, code: "unknown_parameter" });
  }
  return run(values, duplicated, extraErrors, warnings);
}
