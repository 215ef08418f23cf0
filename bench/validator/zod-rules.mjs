// Contract §1 written with zod 4, the way a JS app would write it without the package.
// The schemas do the rule checking; schema-common.mjs reads the input and builds the
// same result as the package, and bench.mjs checks they agree on every input.
import { z } from "zod";
import { DIGITS, TIME_FRAMES, UUID, dayNumber, inRange, makeValidators } from "./schema-common.mjs";

/** One field's rules, in order, stopping at the first failure (`abort`). */
const fail = (code) => ({ params: { code }, abort: true });
const text = z.string();
const bounded = (max) => text
  .refine((s) => DIGITS.test(s), fail("invalid_integer"))
  .refine((s) => inRange(s, max), fail("out_of_range"));

const query = z.object({
  campaign_id: text.refine((s) => UUID.test(s), fail("invalid_uuid")),
  time_frame: text.refine((s) => TIME_FRAMES.includes(s), fail("invalid_enum")),
  start_date: text.optional(),
  end_date: text.optional(),
  is_purchase: z.enum(["true", "false", "all"], fail("invalid_enum")).default("all"),
  page: bounded(2147483647).default("1"),
  limit: bounded(100).default("50"),
});

// Only for a custom range: both dates required and real; then their order and span.
const date = text.refine((s) => dayNumber(s) >= 0, fail("invalid_date"));
const range = z.object({ start_date: date, end_date: date }).superRefine((r, ctx) => {
  const span = dayNumber(r.end_date) - dayNumber(r.start_date);
  if (span <= 0) ctx.addIssue({ code: "custom", path: ["end_date"], params: { code: "date_order" } });
  else if (span > 365) ctx.addIssue({ code: "custom", path: ["end_date"], params: { code: "range_too_large" } });
});

// A field missing altogether fails zod's type check: that is `required`.
const issuesOf = (parsed) => (parsed.success ? [] : parsed.error.issues.map((issue) => [
  String(issue.path[0]),
  issue.params?.code ?? (issue.code === "invalid_type" ? "required" : "invalid_enum"),
]));

function check(input) {
  const parsed = query.safeParse(input);
  const issues = issuesOf(parsed);
  if (input.time_frame === "custom_range") issues.push(...issuesOf(range.safeParse(input)));
  return { issues, data: issues.length === 0 ? parsed.data : null };
}

export const { validateQuery: zodValidateQuery, validateRequest: zodValidateRequest } = makeValidators(check);
