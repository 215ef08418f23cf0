// Contract §1 written by hand in plain JavaScript, as a JS app would write it for speed
// without any library: the floor the wasm validator is compared with. It builds the very
// same result, messages included ({valid, fields, warnings, query} with the canonical
// path), and bench.mjs checks it agrees with the package on every input before timing.

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DIGITS = /^[0-9]+$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const KNOWN = "(known: time_frame, start_date, end_date, is_purchase, page, limit)";
const UUID_RULE = "a UUID such as 123e4567-e89b-12d3-a456-426614174000 (8-4-4-4-12 hex digits)";
const FRAMES_RULE = "one of per_hour, per_day, per_month, custom_range";
const DATE_RULE = "a calendar date written YYYY-MM-DD";

const err = (field, code, message) => ({ field, message, code });
const MSG = {
  campaign_id: { required: `campaign_id is required: ${UUID_RULE}`, invalid_uuid: `campaign_id must be ${UUID_RULE}` },
  time_frame: { required: `time_frame is required: ${FRAMES_RULE}`, invalid_enum: `time_frame must be ${FRAMES_RULE}` },
  start_date: { required: `start_date is required when time_frame is custom_range: ${DATE_RULE}`, invalid_date: `start_date must be ${DATE_RULE}` },
  end_date: { required: `end_date is required when time_frame is custom_range: ${DATE_RULE}`, invalid_date: `end_date must be ${DATE_RULE}` },
  is_purchase: { invalid_enum: "is_purchase must be one of true, false, all" },
  page: { invalid_integer: "page must be an integer from 1 to 2147483647", out_of_range: "page must be an integer from 1 to 2147483647" },
  limit: { invalid_integer: "limit must be an integer from 1 to 100", out_of_range: "limit must be an integer from 1 to 100" },
};
const fieldError = (field, code) =>
  code === "duplicate_parameter" ? err(field, code, `${field} must be given only once`)
  : code === "ignored_parameter" ? err(field, code, `${field} is ignored unless time_frame is custom_range`)
  : code === "date_order" ? err(field, code, "end_date must be after start_date")
  : code === "range_too_large" ? err(field, code, "end_date must be at most 365 days after start_date")
  : err(field, code, MSG[field][code]);

/** Days since -0400-03-01 of a proleptic Gregorian date (always positive), or -1 if it is no real date. */
export function dayNumber(text) {
  if (text.length !== 10 || !DATE.test(text)) return -1;
  const y = +text.slice(0, 4), m = +text.slice(5, 7), d = +text.slice(8, 10);
  if (m < 1 || m > 12 || d < 1) return -1;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const len = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  if (d > len) return -1;
  const yy = (m <= 2 ? y - 1 : y) + 400, mm = m <= 2 ? m + 9 : m - 3;
  return 365 * yy + Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400)
    + Math.floor((153 * mm + 2) / 5) + d;
}

/** The value of a digits-only text within 1..=max, -1 if not digits, 0 if out of range. */
function bounded(text, max) {
  if (!DIGITS.test(text)) return -1;
  let i = 0;
  while (i < text.length - 1 && text.charCodeAt(i) === 48) i++;
  if (text.length - i > 10) return 0;
  const n = +text.slice(i);
  return n >= 1 && n <= max ? n : 0;
}

/**
 * The rules over seven texts (undefined = absent; "" counts as absent), `dup` a bit set
 * of fields given twice (bit 0 campaign_id … bit 6 limit), `extraErrors` and `warnings`
 * those of unknown parameters.
 */
function run(id, frame, start, end, purchase, page, limit, dup, extraErrors, unknownWarnings) {
  const fields = [];
  const warnings = [];
  let ok = true;
  if (dup & 1) { fields.push(fieldError("campaign_id", "duplicate_parameter")); ok = false; }
  else if (!id) { fields.push(fieldError("campaign_id", "required")); ok = false; }
  else if (id.length !== 36 || !UUID.test(id)) { fields.push(fieldError("campaign_id", "invalid_uuid")); ok = false; }
  let frameOk = false, custom = false;
  if (dup & 2) { fields.push(fieldError("time_frame", "duplicate_parameter")); ok = false; }
  else if (!frame) { fields.push(fieldError("time_frame", "required")); ok = false; }
  else if (frame === "per_hour" || frame === "per_day" || frame === "per_month") frameOk = true;
  else if (frame === "custom_range") frameOk = custom = true;
  else { fields.push(fieldError("time_frame", "invalid_enum")); ok = false; }
  let startDay = -1;
  if (dup & 4) { fields.push(fieldError("start_date", "duplicate_parameter")); ok = false; }
  else if (custom) {
    if (!start) { fields.push(fieldError("start_date", "required")); ok = false; }
    else if ((startDay = dayNumber(start)) < 0) { fields.push(fieldError("start_date", "invalid_date")); ok = false; }
  } else if (start) warnings.push(fieldError("start_date", "ignored_parameter"));
  if (dup & 8) { fields.push(fieldError("end_date", "duplicate_parameter")); ok = false; }
  else if (custom) {
    let endDay;
    if (!end) { fields.push(fieldError("end_date", "required")); ok = false; }
    else if ((endDay = dayNumber(end)) < 0) { fields.push(fieldError("end_date", "invalid_date")); ok = false; }
    else if (startDay >= 0 && endDay - startDay <= 0) { fields.push(fieldError("end_date", "date_order")); ok = false; }
    else if (startDay >= 0 && endDay - startDay > 365) { fields.push(fieldError("end_date", "range_too_large")); ok = false; }
  } else if (end) warnings.push(fieldError("end_date", "ignored_parameter"));
  if (dup & 16) { fields.push(fieldError("is_purchase", "duplicate_parameter")); ok = false; }
  else if (!purchase) purchase = "all";
  else if (purchase !== "true" && purchase !== "false" && purchase !== "all") { fields.push(fieldError("is_purchase", "invalid_enum")); ok = false; }
  let pageN = 1, limitN = 50;
  if (dup & 32) { fields.push(fieldError("page", "duplicate_parameter")); ok = false; }
  else if (page && (pageN = bounded(page, 2147483647)) <= 0) {
    fields.push(fieldError("page", pageN < 0 ? "invalid_integer" : "out_of_range")); ok = false;
  }
  if (dup & 64) { fields.push(fieldError("limit", "duplicate_parameter")); ok = false; }
  else if (limit && (limitN = bounded(limit, 100)) <= 0) {
    fields.push(fieldError("limit", limitN < 0 ? "invalid_integer" : "out_of_range")); ok = false;
  }
  if (extraErrors !== null) { for (const e of extraErrors) fields.push(e); ok = ok && extraErrors.length === 0; }
  if (unknownWarnings !== null) for (const w of unknownWarnings) warnings.push(w);
  if (!ok || !frameOk) return { valid: false, fields, warnings, query: null };

  const campaign = id.toLowerCase();
  let qs = "time_frame=" + frame;
  let query;
  if (custom) {
    qs += "&start_date=" + start + "&end_date=" + end;
    query = { campaign_id: campaign, time_frame: frame, start_date: start, end_date: end, is_purchase: purchase, page: pageN, limit: limitN, path: "" };
  } else {
    query = { campaign_id: campaign, time_frame: frame, is_purchase: purchase, page: pageN, limit: limitN, path: "" };
  }
  if (purchase !== "all") qs += "&is_purchase=" + purchase;
  if (pageN !== 1) qs += "&page=" + pageN;
  if (limitN !== 50) qs += "&limit=" + limitN;
  query.path = "/api/partner/v1/campaigns/" + campaign + "/analytics?" + qs;
  return { valid: true, fields, warnings, query };
}

/** A JS value as the text a URL would carry; undefined for null/undefined. */
export function text(v) {
  switch (typeof v) {
    case "string": return v;
    case "undefined": return undefined;
    case "number": case "boolean": case "bigint": return String(v);
    default: return v === null ? undefined : "[object]";
  }
}

/**
 * page or limit as a URL would carry it: an integral number or BigInt by its value (below
 * 1 or above 2147483647 out of range, however it would be written), anything else as text().
 */
export function integer(v) {
  if (typeof v === "number" && Number.isInteger(v)) return v < 1 ? "0" : v > 2147483647 ? "2147483648" : String(v);
  if (typeof v === "bigint") return v < 1n ? "0" : v > 2147483647n ? "2147483648" : String(v);
  return text(v);
}

const invalidInput = () => ({
  valid: false,
  fields: [err("", "invalid_input", "the query must be an object with fields such as campaign_id and time_frame")],
  warnings: [],
  query: null,
});

export function plainValidateQuery(input) {
  if (typeof input !== "object" || input === null) return invalidInput();
  let a, b, c, d, e, f, g;
  try {
    if (Array.isArray(input)) return invalidInput();
    a = input.campaign_id; b = input.time_frame; c = input.start_date; d = input.end_date;
    e = input.is_purchase; f = input.page; g = input.limit;
  } catch {
    return invalidInput();
  }
  return run(text(a), text(b), text(c), text(d), text(e), integer(f), integer(g), 0, null, null);
}

/** A key pasted as a parameter name is redacted in field and message alike. */
export function redact(name) {
  if (name.indexOf("sk_") < 0) return name;
  let out = "", copied = 0, at = name.indexOf("sk_");
  for (; at >= 0; at = name.indexOf("sk_", at + 1)) {
    if (!name.startsWith("sk_live_", at) && !name.startsWith("sk_test_", at)) continue;
    const body = at + 8;
    if (body < copied) continue;
    let stop = body;
    while (stop < name.length && /[0-9A-Za-z]/.test(name[stop])) stop++;
    out += name.slice(copied, body) + "[redacted]";
    copied = stop;
  }
  return copied === 0 ? name : out + name.slice(copied);
}

export function shown(name) {
  if (name === "") return "a parameter with an empty name";
  const chars = Array.from(name);
  return chars.length > 40 ? `"${chars.slice(0, 40).join("")}…"` : `"${name}"`;
}

const FIELD_BIT = { time_frame: 2, start_date: 4, end_date: 8, is_purchase: 16, page: 32, limit: 64 };

export function plainValidateRequest(campaignId, queryString) {
  if (queryString === undefined || queryString === null) queryString = "";
  else if (typeof queryString !== "string") {
    return { valid: false, fields: [err("", "invalid_input", 'the query string must be a string such as "?time_frame=per_day"')], warnings: [], query: null };
  }
  const values = { time_frame: undefined, start_date: undefined, end_date: undefined, is_purchase: undefined, page: undefined, limit: undefined };
  let dup = 0, seen = 0;
  let unknown = null;
  for (const [name, value] of new URLSearchParams(queryString)) {
    const bit = FIELD_BIT[name];
    if (bit !== undefined && Object.hasOwn(FIELD_BIT, name)) {
      if (seen & bit) dup |= bit; else { seen |= bit; values[name] = value; }
    } else {
      unknown ??= new Map();
      unknown.set(name, (unknown.get(name) ?? 0) + 1);
    }
  }
  let extraErrors = null, unknownWarnings = null;
  if (unknown !== null) {
    extraErrors = []; unknownWarnings = [];
    for (const [name, count] of unknown) {
      if (name === "campaign_id" && count > 1) { dup |= 1; continue; }
      const field = redact(name);
      if (count > 1) extraErrors.push(err(field, "duplicate_parameter", `${shown(field)} must be given only once`));
      else unknownWarnings.push(err(field, "unknown_parameter", `${shown(field)} is not a parameter of this endpoint and is ignored ${KNOWN}`));
    }
  }
  return run(text(campaignId) ?? "", values.time_frame, values.start_date, values.end_date, values.is_purchase,
    values.page, values.limit, dup, extraErrors, unknownWarnings);
}
