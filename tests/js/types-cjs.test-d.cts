// Type-level tests of the CommonJS declarations (index.d.cts), checked by `tsc`: a
// TypeScript app compiled to CommonJS gets the same functions and result types.
import validator = require("campaign-analytics-validator");

const result: validator.ValidationResult = validator.validateAnalyticsRequest("id", "?time_frame=per_day");
if (result.valid) {
  const path: string = result.query.path;
  void path;
}
const key: validator.SecretKeyResult = validator.validateSecretKey("sk_test_x");
const body: unknown = JSON.parse("{}");
const fromBody: validator.ValidationResult = validator.validateAnalyticsQuery(body);
const fromUnknown: validator.SecretKeyResult = validator.validateSecretKey(body);
const input: validator.AnalyticsQueryInput = { campaign_id: null, page: 3 };
void [fromBody, fromUnknown, input];
const ready: Promise<void> = validator.init();
validator.initSync();
// @ts-expect-error CommonJS has no default export
void validator.default;
void [key, ready];
