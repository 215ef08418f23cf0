// Type-level tests of the package's declarations, checked by `tsc` (npm test): a JS app
// written in TypeScript gets every function and result type, and narrowing on `valid`
// gives a non-null query.
import init, {
  init as namedInit,
  initSync,
  validateAnalyticsQuery,
  validateAnalyticsRequest,
  validateSecretKey,
  type AnalyticsQueryInput,
  type FieldError,
  type FieldErrorCode,
  type NormalizedQuery,
  type SecretKeyResult,
  type TimeFrame,
  type ValidationResult,
} from "campaign-analytics-validator";

const input: AnalyticsQueryInput = { campaign_id: "x", time_frame: "per_day", page: 2, limit: "10", is_purchase: true };
const result: ValidationResult = validateAnalyticsQuery(input);
if (result.valid) {
  const query: NormalizedQuery = result.query;
  const path: string = query.path;
  const frame: TimeFrame = query.time_frame;
  const page: number = query.page;
  void [path, frame, page];
} else {
  const errors: FieldError[] = result.fields;
  const code: FieldErrorCode = errors[0].code;
  // @ts-expect-error the query is null when the result is not valid
  const path: string = result.query.path;
  void [code, path];
}
const byUrl: ValidationResult = validateAnalyticsRequest("id", "?time_frame=per_day");
const noQuery: ValidationResult = validateAnalyticsRequest("id");
// @ts-expect-error the campaign id is required
validateAnalyticsRequest();
const key: SecretKeyResult = validateSecretKey("sk_test_x");
const mode: "live" | "test" | null = key.mode;
// @ts-expect-error codes are a closed set
const wrong: FieldErrorCode = "not_a_code";
// Whatever an app holds may be validated (the functions never throw): values of unknown
// type (a parsed JSON body), `string | null` from URLSearchParams or a form.
const body: unknown = JSON.parse("{}");
const fromBody: ValidationResult = validateAnalyticsQuery(body);
const params = new URLSearchParams("?campaign=x");
const fromParams: ValidationResult = validateAnalyticsRequest(params.get("campaign"), params.get("q"));
const typedKey: string | null = params.get("key");
const fromForm: SecretKeyResult = validateSecretKey(typedKey);
const fromUnknown: SecretKeyResult = validateSecretKey(body);
const byNumbers: ValidationResult = validateAnalyticsQuery({ campaign_id: "x", time_frame: "per_day", page: 2n, limit: 10 });
void [fromBody, fromParams, fromForm, fromUnknown, byNumbers];
const ready: Promise<void> = init();
const again: Promise<void> = namedInit({ module_or_path: "validator_bg.wasm" });
initSync({ module: new Uint8Array() });
void [byUrl, noQuery, mode, wrong, ready, again];
