// The package's JavaScript side, shared by its Node (ESM and CommonJS) and browser entries.
//
// It reads every JS value here, in JS: property reads (getters, proxy traps) happen inside
// a try/catch, and only primitives are turned into text (String() of a number, boolean or
// bigint cannot run user code; objects, functions and symbols are never converted). Then
// it writes the texts as UTF-8 into the wasm's input buffer and makes one call that takes
// and returns numbers only. The wasm imports nothing that could call back into user code,
// so no JS exception can ever unwind through wasm frames (which is what used to leak the
// shadow stack and poison the instance), and a getter that calls the validator again runs
// before this call has touched any shared buffer.
//
// The answer is read back from wasm memory (layout: src/js.rs, `Written`): codes by
// number, every text decoded in one go. Names, codes and the messages of the seven known
// fields come from the wasm once and are kept, so the rules and their words are defined
// once, in Rust.

const NONE = 0xffffffff;
const NAMED_FIELD = 7;
const ID_LENGTH = 36;
const DATE_LENGTH = 10;
/// Shorter strings are copied by a loop; longer ones by the engine's UTF-8 encoder.
const SHORT = 64;
/// The longest text a field's rule needs to see: no value of any field but page and limit
/// is longer than a UUID (36), so a longer one keeps its verdict when cut to this length.
const LONGEST = 64;
/// Digits of an integer beyond the range of page and limit alike (the rules say which).
const HUGE = "99999999999999999999";

/** One binding per instance: its input buffer and cached views are the binding's own. */
const bound = new WeakMap();

/**
 * Binds the validator to an instantiated module: `wasm` holds its exported functions,
 * `memory` its WebAssembly.Memory; `latin1` (optional) decodes ASCII bytes from an
 * ArrayBuffer faster than TextDecoder (Node's Buffer). Binding the same instance again
 * (an app importing both the Node and the browser entry) gives the same functions.
 */
export function bind(wasm, memory, latin1) {
  let api = bound.get(wasm);
  if (api === undefined) {
    api = create(wasm, memory, latin1);
    bound.set(wasm, api);
  }
  return api;
}

function create(wasm, memory, latin1) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  let bytes = new Uint8Array(memory.buffer);
  let words = new Uint32Array(memory.buffer);
  let ascii = latin1 ? latin1(memory.buffer) : null;

  /** New views after the memory grew (the old buffer is then detached, length 0). */
  function fresh() {
    if (bytes.byteLength === 0) {
      bytes = new Uint8Array(memory.buffer);
      words = new Uint32Array(memory.buffer);
      ascii = latin1 ? latin1(memory.buffer) : null;
    }
  }

  function decode(at, length, isAscii) {
    if (length === 0) return "";
    return isAscii && ascii !== null ? ascii(at, at + length) : decoder.decode(bytes.subarray(at, at + length));
  }

  /** A fixed text of the wasm's (names, codes, messages); null if there is none. */
  function describe(table, index) {
    const at = wasm.describe(table, index);
    fresh();
    return at === 0 ? null : decode(words[at >>> 2], words[(at >>> 2) + 1], false);
  }

  const list = (table) => {
    const out = [];
    for (let text; (text = describe(table, out.length)) !== null;) out.push(text);
    return out;
  };
  const FIELDS = list(0);
  const CODES = list(1);
  const TIME_FRAMES = list(2);
  const PURCHASES = list(3);
  const NOT_AN_OBJECT = describe(5, 0);
  const NOT_A_STRING = describe(5, 1);
  const BAD_KEY = describe(5, 2);
  const TOO_LARGE = describe(5, 3);
  const messages = [];
  const message = (field, code) => messages[field * 16 + code] ??= describe(4, field * 16 + code);

  // Grouping parameter names hashes them with 128 random bits, so that nobody can
  // precompute names that collide (WebAssembly has no entropy of its own).
  const seed = new Uint32Array(4);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(seed);
  else for (let i = 0; i < 4; i++) seed[i] = Math.random() * 0x100000000;
  wasm.seed(seed[0], seed[1], seed[2], seed[3]);

  // --- Input ---------------------------------------------------------------------------
  /**
   * Where to write `size` bytes of input, or 0 when the wasm refuses (too large). Asked
   * afresh before every call and written at once, with no user code in between: no
   * address is kept that a later growth of the buffer could leave dangling.
   */
  function reserve(size) {
    const at = wasm.reserve_input(size) >>> 0;
    fresh();
    return at;
  }

  /** Writes `text` as UTF-8 at `at` (room for 3 bytes per unit assured); its byte length. */
  function put(text, at) {
    const n = text.length;
    if (n > SHORT) return encoder.encodeInto(text, bytes.subarray(at, at + 3 * n)).written;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) return i + encoder.encodeInto(text.slice(i), bytes.subarray(at + i, at + 3 * n)).written;
      bytes[at + i] = c;
    }
    return n;
  }

  /**
   * A field's value as the text a URL would carry (as `String(v)` for numbers and
   * booleans), cut to what its rule needs to see: a field is judged by its rule however
   * long it is, and costs no more than a short one.
   */
  function text(v) {
    switch (typeof v) {
      case "string": return v.length > LONGEST ? v.slice(0, LONGEST) : v;
      case "undefined": return undefined;
      case "number": case "boolean": return String(v);
      // No BigInt is valid outside page and limit; and writing out a huge one in decimal
      // would take seconds.
      case "bigint": return "[bigint]";
      // Objects, arrays, functions, symbols: present, and valid for no field. Never
      // converted: that would run the value's own code.
      default: return v === null ? undefined : "[object]";
    }
  }

  /**
   * page or limit: an integral number or BigInt by its value, written as digits (below 1:
   * "0"; too large to write exactly: more digits than any range allows), so that it is
   * out of range however large or negative, never "not an integer"; other numbers as JS
   * writes them (`1.5`, `NaN`: not digits); a long text with its leading zeros dropped.
   */
  function integer(v) {
    switch (typeof v) {
      case "number":
        if (!Number.isInteger(v)) return String(v);
        return v < 1 ? "0" : v <= Number.MAX_SAFE_INTEGER ? String(v) : HUGE;
      case "bigint": return v < 1n ? "0" : v <= 9007199254740991n ? String(v) : HUGE;
      case "string": {
        if (v.length <= LONGEST) return v;
        // Two scans for a single character each (no backtracking), in the regex engine.
        if (/[^0-9]/.test(v)) return "x";
        const first = v.search(/[^0]/);
        return first < 0 ? "0" : v.length - first > HUGE.length ? HUGE : v.slice(first);
      }
      default: return text(v);
    }
  }

  // --- Results -------------------------------------------------------------------------
  const rejected = (message) => ({ valid: false, fields: [{ field: "", message, code: "invalid_input" }], warnings: [], query: null });

  function entry(w, all) {
    const field = words[w];
    const code = CODES[words[w + 1]];
    if (field !== NAMED_FIELD) return { field: FIELDS[field], message: message(field, words[w + 1]), code };
    const at = words[w + 2];
    const end = at + words[w + 3];
    return { field: all.slice(at, end), message: all.slice(end, end + words[w + 4]), code };
  }

  /** The result the wasm wrote at `address`. */
  function read(address) {
    fresh();
    let w = address >>> 2;
    const flags = words[w + 2];
    const errors = words[w + 3];
    const warnings = words[w + 4];
    const all = decode(words[w], words[w + 1], (flags & 2) !== 0);
    w += 5;
    const fieldList = [];
    for (let i = 0; i < errors; i++, w += 5) fieldList.push(entry(w, all));
    const warningList = [];
    for (let i = 0; i < warnings; i++, w += 5) warningList.push(entry(w, all));
    if ((flags & 1) === 0) return { valid: false, fields: fieldList, warnings: warningList, query: null };

    const pathAt = words[w + 4];
    const path = all.slice(pathAt, pathAt + words[w + 5]);
    const idAt = words[w + 6];
    const startAt = words[w + 7];
    const endAt = words[w + 8];
    const query = startAt === NONE
      ? {
        campaign_id: all.slice(idAt, idAt + ID_LENGTH),
        time_frame: TIME_FRAMES[words[w]],
        is_purchase: PURCHASES[words[w + 1]],
        page: words[w + 2],
        limit: words[w + 3],
        path,
      }
      : {
        campaign_id: all.slice(idAt, idAt + ID_LENGTH),
        time_frame: TIME_FRAMES[words[w]],
        start_date: all.slice(startAt, startAt + DATE_LENGTH),
        end_date: all.slice(endAt, endAt + DATE_LENGTH),
        is_purchase: PURCHASES[words[w + 1]],
        page: words[w + 2],
        limit: words[w + 3],
        path,
      };
    return { valid: true, fields: fieldList, warnings: warningList, query };
  }

  // Each call into the wasm below sits in a try: it cannot trap (it calls no JS, and the
  // input cap keeps it far from running out of memory), but "never throws" holds even so.

  // --- The API -------------------------------------------------------------------------
  function validateAnalyticsQuery(input) {
    if (typeof input !== "object" || input === null) return rejected(NOT_AN_OBJECT);
    let a, b, c, d, e, f, g;
    try {
      // A revoked proxy throws here (isArray too); a getter may throw or call us again.
      if (Array.isArray(input)) return rejected(NOT_AN_OBJECT);
      a = input.campaign_id;
      b = input.time_frame;
      c = input.start_date;
      d = input.end_date;
      e = input.is_purchase;
      f = input.page;
      g = input.limit;
    } catch {
      return rejected(NOT_AN_OBJECT);
    }
    a = text(a); b = text(b); c = text(c); d = text(d); e = text(e); f = integer(f); g = integer(g);
    const units = (a?.length ?? 0) + (b?.length ?? 0) + (c?.length ?? 0) + (d?.length ?? 0)
      + (e?.length ?? 0) + (f?.length ?? 0) + (g?.length ?? 0);
    let at = reserve(3 * units);
    if (at === 0) return rejected(TOO_LARGE);
    const la = a === undefined ? -1 : put(a, at); at += la < 0 ? 0 : la;
    const lb = b === undefined ? -1 : put(b, at); at += lb < 0 ? 0 : lb;
    const lc = c === undefined ? -1 : put(c, at); at += lc < 0 ? 0 : lc;
    const ld = d === undefined ? -1 : put(d, at); at += ld < 0 ? 0 : ld;
    const le = e === undefined ? -1 : put(e, at); at += le < 0 ? 0 : le;
    const lf = f === undefined ? -1 : put(f, at); at += lf < 0 ? 0 : lf;
    const lg = g === undefined ? -1 : put(g, at);
    try {
      return read(wasm.validate_fields(la, lb, lc, ld, le, lf, lg));
    } catch {
      return rejected(TOO_LARGE);
    }
  }

  function validateAnalyticsRequest(campaignId, queryString) {
    let query;
    if (queryString === undefined || queryString === null) query = "";
    else if (typeof queryString === "string") query = queryString;
    else return rejected(NOT_A_STRING);
    const id = text(campaignId) ?? "";
    const at = reserve(3 * (id.length + query.length));
    if (at === 0) return rejected(TOO_LARGE);
    const idBytes = put(id, at);
    const queryBytes = put(query, at + idBytes);
    try {
      return read(wasm.validate_url(idBytes, queryBytes));
    } catch {
      return rejected(TOO_LARGE);
    }
  }

  function validateSecretKey(key) {
    const at = typeof key === "string" ? reserve(3 * key.length) : 0;
    if (at !== 0) {
      let mode = 0;
      try {
        mode = wasm.check_key(put(key, at));
      } catch {
        // Not reachable (see above); an unchecked key is not a valid one.
      }
      if (mode === 1) return { valid: true, mode: "live", fields: [] };
      if (mode === 2) return { valid: true, mode: "test", fields: [] };
    }
    return { valid: false, mode: null, fields: [{ field: "key", message: BAD_KEY, code: "invalid_key" }] };
  }

  return { validateAnalyticsQuery, validateAnalyticsRequest, validateSecretKey };
}
