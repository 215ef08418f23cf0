// Contract §1 written with valibot 1, the way a JS app would write it without the
// package. The schemas do the rule checking; schema-common.mjs reads the input and
// builds the same result as the package, and bench.mjs checks they agree on every input.
import * as v from "valibot";
import { DIGITS, TIME_FRAMES, UUID, dayNumber, inRange, makeValidators } from "./schema-common.mjs";

// Each message is the contract's code; valibot stops a field's pipe at its first issue.
const bounded = (max) => v.pipe(
  v.string("required"),
  v.regex(DIGITS, "invalid_integer"),
  v.check((s) => inRange(s, max), "out_of_range"),
);

const query = v.object({
  campaign_id: v.pipe(v.string("required"), v.regex(UUID, "invalid_uuid")),
  time_frame: v.pipe(v.string("required"), v.picklist(TIME_FRAMES, "invalid_enum")),
  start_date: v.optional(v.string()),
  end_date: v.optional(v.string()),
  is_purchase: v.optional(v.picklist(["true", "false", "all"], "invalid_enum"), "all"),
  page: v.optional(bounded(2147483647), "1"),
  limit: v.optional(bounded(100), "50"),
});

// Only for a custom range: both dates required and real; then their order and span.
const date = v.pipe(v.string("required"), v.check((s) => dayNumber(s) >= 0, "invalid_date"));
const range = v.pipe(
  v.object({ start_date: date, end_date: date }),
  v.forward(v.check((r) => dayNumber(r.end_date) > dayNumber(r.start_date), "date_order"), ["end_date"]),
  v.forward(v.check((r) => dayNumber(r.end_date) - dayNumber(r.start_date) <= 365, "range_too_large"), ["end_date"]),
);

const config = { abortPipeEarly: true };
// A missing key is valibot's own issue (its input undefined): that is `required`.
const issuesOf = (parsed) => (parsed.success ? [] : parsed.issues.map((i) => [
  String(i.path[0].key),
  i.input === undefined ? "required" : i.message,
]));

function check(input) {
  const parsed = v.safeParse(query, input, config);
  const issues = issuesOf(parsed);
  if (input.time_frame === "custom_range") issues.push(...issuesOf(v.safeParse(range, input, config)));
  return { issues, data: issues.length === 0 ? parsed.output : null };
}

export const { validateQuery: valibotValidateQuery, validateRequest: valibotValidateRequest } = makeValidators(check);
