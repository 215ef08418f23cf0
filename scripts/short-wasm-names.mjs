// Gives a wasm module's glue-facing imports and exports short names, in the module and in
// its wasm-bindgen glue alike:
//
//   node scripts/short-wasm-names.mjs app_bg.wasm app.js
//
// wasm-bindgen names every import after the JS function it binds plus a 16-digit hash
// (`__wbg_new_with_str_sequence_and_options_ea4ce88081790553`) and every closure shim after
// its mangled signature (up to 300 characters). The names are written twice, in the wasm's
// import and export sections and in the glue, and their hashes do not compress: about 6 KB
// of the page's first load, gzipped. Only these names are renamed — the ones wasm-bindgen
// generates for its own glue; the module's public exports (`memory`, `main`, what the
// panels' page calls) keep theirs.
//
// Every name is renamed as a whole identifier, and the step refuses (exit 1, files left
// as they were) rather than write a pair that may not link: a name the glue never
// mentions, a new name already in use, or an old name left behind.
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) fail("usage: node scripts/short-wasm-names.mjs MODULE_bg.wasm MODULE.js");

/** Imports wasm-bindgen generated for the glue, and its closure shims' exports. */
const GENERATED_IMPORT = /^(__wbg_\w+_[0-9a-f]{16}|__wbindgen_\w+)$/;
const GENERATED_EXPORT = /^wasm_bindgen_[0-9a-f]{16}___\w+$/;

function fail(message) {
  console.error(`short-wasm-names: ${message}`);
  process.exit(1);
}

const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, "utf8");
if (wasm.readUInt32BE(0) !== 0x0061736d || wasm.readUInt32LE(4) !== 1) fail(`${wasmPath} is not a wasm module`);

/** A reader over one byte array. */
function reader(bytes, at = 0) {
  return {
    get at() { return at; },
    done() { return at >= bytes.length; },
    byte() {
      if (at >= bytes.length) fail("the module ends inside a section");
      return bytes[at++];
    },
    uleb() {
      let value = 0n, shift = 0n, b;
      do { b = this.byte(); value |= BigInt(b & 0x7f) << shift; shift += 7n; } while (b & 0x80);
      return Number(value);
    },
    bytes(n) {
      if (at + n > bytes.length) fail("a name runs past its section");
      const out = bytes.subarray(at, at + n); at += n; return out;
    },
    name() { return this.bytes(this.uleb()).toString("utf8"); },
  };
}

function uleb(n) {
  const out = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return Buffer.from(out);
}
const encodeName = (s) => { const b = Buffer.from(s, "utf8"); return Buffer.concat([uleb(b.length), b]); };

// Split the module into its sections.
const sections = [];
for (const r = reader(wasm, 8); !r.done(); ) {
  const id = r.byte();
  const size = r.uleb();
  sections.push({ id, body: r.bytes(size) });
}

/** Skips an import's description (after its kind byte). */
function skipLimits(r) { const flags = r.byte(); r.uleb(); if (flags & 1) r.uleb(); }
function skipImportDesc(r, kind) {
  switch (kind) {
    case 0: r.uleb(); break; // function: type index
    case 1: r.byte(); skipLimits(r); break; // table: reference type, limits
    case 2: skipLimits(r); break; // memory
    case 3: r.byte(); r.byte(); break; // global: value type, mutability
    case 4: r.byte(); r.uleb(); break; // tag
    default: fail(`unknown import kind ${kind}`);
  }
}

function readImports(body) {
  const r = reader(body), out = [];
  for (let n = r.uleb(); n > 0; n--) {
    const module = r.name(), field = r.name(), start = r.at, kind = r.byte();
    skipImportDesc(r, kind);
    out.push({ module, field, desc: body.subarray(start, r.at) });
  }
  return out;
}

function readExports(body) {
  const r = reader(body), out = [];
  for (let n = r.uleb(); n > 0; n--) {
    const name = r.name(), start = r.at;
    r.byte(); r.uleb();
    out.push({ name, desc: body.subarray(start, r.at) });
  }
  return out;
}

const importSection = sections.find((s) => s.id === 2);
const exportSection = sections.find((s) => s.id === 7);
if (!importSection || !exportSection) fail("the module has no import or no export section");
const imports = readImports(importSection.body);
const exports = readExports(exportSection.body);

// Whole identifiers only: an old name inside a longer one is not that name.
const identifier = (name) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
const inUse = new Set([...imports.map((i) => i.field), ...exports.map((e) => e.name)]);
const exported = new Set(exports.map((e) => e.name));

const renames = new Map();
let next = 0;
function shortName() {
  for (;;) {
    const candidate = `__w${(next++).toString(36)}`;
    if (!inUse.has(candidate) && !identifier(candidate).test(js)) return candidate;
  }
}
function rename(old) {
  if (!renames.has(old)) {
    if (!identifier(old).test(js)) fail(`the glue never mentions ${old}`);
    renames.set(old, shortName());
  }
  return renames.get(old);
}

const glueModule = (module) => module.endsWith("_bg.js");
const newImports = imports.map((i) =>
  glueModule(i.module) && GENERATED_IMPORT.test(i.field) && !exported.has(i.field)
    ? { ...i, field: rename(i.field) }
    : i,
);
const newExports = exports.map((e) => (GENERATED_EXPORT.test(e.name) ? { ...e, name: rename(e.name) } : e));

// The glue: longest names first, so none is replaced inside another.
for (const [old, short] of [...renames].sort((a, b) => b[0].length - a[0].length)) {
  js = js.replace(identifier(old), short);
}
for (const old of renames.keys()) if (identifier(old).test(js)) fail(`${old} is still in the glue`);

importSection.body = Buffer.concat([
  uleb(newImports.length),
  ...newImports.flatMap((i) => [encodeName(i.module), encodeName(i.field), i.desc]),
]);
exportSection.body = Buffer.concat([
  uleb(newExports.length),
  ...newExports.flatMap((e) => [encodeName(e.name), e.desc]),
]);
const out = Buffer.concat([
  wasm.subarray(0, 8),
  ...sections.flatMap((s) => [Buffer.from([s.id]), uleb(s.body.length), s.body]),
]);
if (!WebAssembly.validate(out)) fail("the renamed module does not validate");

writeFileSync(wasmPath, out);
writeFileSync(jsPath, js);
console.log(`short-wasm-names: ${renames.size} names shortened in ${wasmPath.split("/").pop()} and its glue`);
