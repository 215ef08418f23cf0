// What the zod and valibot versions share around their schemas: reading JS values and
// query strings, the messages, and building the result ({valid, fields, warnings, query}
// with the canonical path). Each schema library does the rule checking itself.
import { integer, redact, shown, text } from "./plain-rules.mjs";

export const FIELDS = ["campaign_id", "time_frame", "start_date", "end_date", "is_purchase", "page", "limit"];
export const TIME_FRAMES = ["per_hour", "per_day", "per_month", "custom_range"];
export const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const DIGITS = /^[0-9]+$/;
export { dayNumber } from "./plain-rules.mjs";

const ALLOWED = {
  campaign_id: "a UUID such as 123e4567-e89b-12d3-a456-426614174000 (8-4-4-4-12 hex digits)",
  time_frame: "one of per_hour, per_day, per_month, custom_range",
  start_date: "a calendar date written YYYY-MM-DD",
  end_date: "a calendar date written YYYY-MM-DD",
  is_purchase: "one of true, false, all",
  page: "an integer from 1 to 2147483647",
  limit: "an integer from 1 to 100",
};

function message(field, code) {
  const allowed = ALLOWED[field];
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

/** Digits within 1..=max (leading zeros fine); a schema refinement after DIGITS. */
export const inRange = (v, max) => {
  const significant = v.replace(/^0+(?=.)/, "");
  return significant.length <= 10 && +significant >= 1 && +significant <= max;
};

/**
 * The two entry points around `check(input)`, which validates an object of present texts
 * and returns `{ issues: [[field, code], ...], data }` (data: the parsed texts, defaults
 * filled, when there is no issue).
 */
export function makeValidators(check) {
  function run(values, duplicated, extraErrors, warnings) {
    const input = {};
    for (const f of FIELDS) if (!duplicated.has(f) && values[f] !== undefined) input[f] = values[f];
    const { issues, data } = check(input);
    const errors = new Map();
    for (const f of duplicated) errors.set(f, "duplicate_parameter");
    for (const [field, code] of issues) if (!errors.has(field)) errors.set(field, code);
    const dateWarnings = [];
    if (values.time_frame !== "custom_range") {
      for (const f of ["start_date", "end_date"]) {
        if (values[f] !== undefined && !duplicated.has(f)) dateWarnings.push({ field: f, message: message(f, "ignored_parameter"), code: "ignored_parameter" });
      }
    }
    const fields = FIELDS.filter((f) => errors.has(f)).map((f) => ({ field: f, message: message(f, errors.get(f)), code: errors.get(f) }));
    fields.push(...extraErrors);
    const allWarnings = [...dateWarnings, ...warnings];
    if (fields.length > 0) return { valid: false, fields, warnings: allWarnings, query: null };
    const q = data;
    const query = { campaign_id: q.campaign_id.toLowerCase(), time_frame: q.time_frame };
    if (q.time_frame === "custom_range") Object.assign(query, { start_date: q.start_date, end_date: q.end_date });
    Object.assign(query, { is_purchase: q.is_purchase, page: Number(q.page), limit: Number(q.limit) });
    let qs = `time_frame=${query.time_frame}`;
    if (query.start_date) qs += `&start_date=${query.start_date}&end_date=${query.end_date}`;
    if (query.is_purchase !== "all") qs += `&is_purchase=${query.is_purchase}`;
    if (query.page !== 1) qs += `&page=${query.page}`;
    if (query.limit !== 50) qs += `&limit=${query.limit}`;
    query.path = `/api/partner/v1/campaigns/${query.campaign_id}/analytics?${qs}`;
    return { valid: true, fields: [], warnings: allWarnings, query };
  }

  function validateQuery(input) {
    const invalid = { valid: false, fields: [{ field: "", message: "the query must be an object with fields such as campaign_id and time_frame", code: "invalid_input" }], warnings: [], query: null };
    if (typeof input !== "object" || input === null) return invalid;
    const values = {};
    try {
      if (Array.isArray(input)) return invalid;
      for (const f of FIELDS) values[f] = input[f];
    } catch {
      return invalid;
    }
    for (const f of FIELDS) values[f] = (f === "page" || f === "limit" ? integer : text)(values[f]) || undefined;
    return run(values, new Set(), [], []);
  }

  function validateRequest(campaignId, queryString) {
    if (queryString !== undefined && queryString !== null && typeof queryString !== "string") {
      return { valid: false, fields: [{ field: "", message: 'the query string must be a string such as "?time_frame=per_day"', code: "invalid_input" }], warnings: [], query: null };
    }
    const params = new URLSearchParams(queryString ?? "");
    const values = { campaign_id: text(campaignId) || undefined };
    const seen = new Map();
    for (const [name, value] of params) seen.set(name, [...(seen.get(name) ?? []), value]);
    const duplicated = new Set();
    const extraErrors = [];
    const warnings = [];
    for (const [name, list] of seen) {
      const known = FIELDS.includes(name) && name !== "campaign_id";
      if (list.length > 1) {
        if (known || name === "campaign_id") duplicated.add(name);
        else extraErrors.push({ field: redact(name), message: `${shown(redact(name))} must be given only once`, code: "duplicate_parameter" });
      } else if (known) values[name] = list[0] === "" ? undefined : list[0];
      else warnings.push({ field: redact(name), message: `${shown(redact(name))} is not a parameter of this endpoint and is ignored (known: time_frame, start_date, end_date, is_purchase, page, limit)`, code: "unknown_parameter" });
    }
    return run(values, duplicated, extraErrors, warnings);
  }

  return { validateQuery, validateRequest };
}
