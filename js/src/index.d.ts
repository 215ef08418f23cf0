// The package's types, for every entry (Node ESM and CommonJS, browsers and bundlers).

/** Why a field was rejected (an error) or deserves a word (a warning). */
export type FieldErrorCode =
  | "required" | "invalid_uuid" | "invalid_enum" | "invalid_date" | "date_order"
  | "range_too_large" | "invalid_integer" | "out_of_range" | "duplicate_parameter"
  | "ignored_parameter" | "unknown_parameter" | "invalid_input" | "invalid_key";

/** One error or warning: the same shape as the `fields` of the API's 400 body. */
export interface FieldError {
  /** The parameter's name ("" for an input that cannot be read, "key" for a secret key). */
  field: string;
  /** A human message naming the field and what is allowed. */
  message: string;
  code: FieldErrorCode;
}

export type TimeFrame = "per_hour" | "per_day" | "per_month" | "custom_range";

/** The fields of an analytics query. `null` and `undefined` mean absent, as does "". */
export interface AnalyticsQueryInput {
  campaign_id?: string | null;
  time_frame?: string | null;
  /** YYYY-MM-DD; checked only when time_frame is "custom_range". */
  start_date?: string | null;
  /** YYYY-MM-DD; checked only when time_frame is "custom_range". */
  end_date?: string | null;
  is_purchase?: "true" | "false" | "all" | boolean | string | null;
  /** Digits, or an integral number (or BigInt): read by value, so 0, -1 or 1e21 are out of range. */
  page?: string | number | bigint | null;
  /** Digits, or an integral number (or BigInt) from 1 to 100. */
  limit?: string | number | bigint | null;
}

/** A query that passed every rule, normalized, with defaults filled in. */
export interface NormalizedQuery {
  /** Lower-case hyphenated UUID. */
  campaign_id: string;
  time_frame: TimeFrame;
  /** Present exactly for "custom_range". */
  start_date?: string;
  /** Present exactly for "custom_range". */
  end_date?: string;
  is_purchase: "true" | "false" | "all";
  page: number;
  limit: number;
  /** The canonical request path with its query string, defaults omitted. */
  path: string;
}

/** The result of validating a query: `query` is present exactly when `valid`. */
export type ValidationResult =
  | { valid: true; fields: []; warnings: FieldError[]; query: NormalizedQuery }
  | { valid: false; fields: FieldError[]; warnings: FieldError[]; query: null };

/** The result of checking a secret key's shape. */
export type SecretKeyResult =
  | { valid: true; mode: "live" | "test"; fields: [] }
  | { valid: false; mode: null; fields: FieldError[] };

/** Where init() finds the wasm (browsers): a URL, a fetch Response, bytes, or a compiled module. */
export interface InitOptions {
  module_or_path?: unknown;
}

// Each function takes any value (it never throws): the first signature says what it is
// meant for, the second lets an app pass what it holds unchecked (`unknown`, a parsed body).

/**
 * Validates a query given as an object of fields (contract §1). Never throws: anything
 * that is not a readable object gives one `invalid_input` error.
 */
export function validateAnalyticsQuery(input: AnalyticsQueryInput): ValidationResult;
export function validateAnalyticsQuery(input: unknown): ValidationResult;

/**
 * Validates a request as in a URL: the campaign id of the path and the raw query string
 * (a leading `?` optional; `+` and percent-escapes decoded as browsers do). Sees duplicated
 * and unknown parameters. Never throws. No query string (or `null`) means an empty one; a
 * query string of another type is `invalid_input`.
 */
export function validateAnalyticsRequest(campaignId: string | null | undefined, queryString?: string | null): ValidationResult;
export function validateAnalyticsRequest(campaignId: unknown, queryString?: unknown): ValidationResult;

/**
 * Checks a secret key's shape (`sk_live_`/`sk_test_` + 32 ASCII letters or digits). Never
 * throws: anything but such a string is `invalid_key`.
 */
export function validateSecretKey(key: string | null | undefined): SecretKeyResult;
export function validateSecretKey(key: unknown): SecretKeyResult;

/**
 * Loads the wasm. Browsers must await it once before validating; in Node the package is
 * ready on import and this resolves at once. It rejects only when the wasm cannot be
 * loaded (e.g. a failed fetch); it may then be called again.
 */
export function init(options?: InitOptions): Promise<void>;
export default init;

/**
 * Loads the wasm synchronously from `options.module` (its bytes or a compiled
 * WebAssembly.Module), for browsers that already hold it. Nothing to do in Node.
 */
export function initSync(options?: { module?: unknown }): void;
