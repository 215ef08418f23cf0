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
// Entries of the glue's import object that the module no longer imports (their callers were
// dropped before, see scripts/drop-classes.mjs) are removed from the glue.
//
// Every name is renamed as a whole identifier, and the step refuses (exit 1, files left
// as they were) rather than write a pair that may not link: a name the glue never
// mentions, a new name already in use, or an old name left behind.
import { readFileSync, writeFileSync } from "node:fs";
import { identifier, readModule } from "./wasm-sections.mjs";

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
const module = readModule(wasm, (message) => fail(`${wasmPath}: ${message}`));
const { imports, exports } = module;

const inUse = new Set([...imports.map((i) => i.field), ...exports.map((e) => e.name)]);
const exported = new Set(exports.map((e) => e.name));

// Entries of the glue's import object that the module no longer imports (an earlier step
// dropped the code that called them, and wasm-opt the import): dropped too, each in the
// shape wasm-bindgen writes it (`        name: function(...) {` to its own `        },`).
const imported = new Set(imports.map((i) => i.field));
let unusedImports = 0;
for (const [, key] of js.matchAll(/^ {8}([\w$]+): function\(/gm)) {
  if (!GENERATED_IMPORT.test(key) || imported.has(key) || exported.has(key)) continue;
  const entry = new RegExp(`^ {8}${key.replace(/\$/g, "\\$")}: function\\([^)]*\\) \\{\\n[\\s\\S]*?^ {8}\\},?\\n`, "m");
  if (!entry.test(js)) fail(`the glue's entry for ${key}, which the module no longer imports, is not in the shape wasm-bindgen writes`);
  js = js.replace(entry, "");
  if (identifier(key).test(js)) fail(`${key} is still in the glue after its entry was dropped`);
  unusedImports++;
}

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

module.imports = newImports;
module.exports = newExports;
const out = module.write();
if (!WebAssembly.validate(out)) fail("the renamed module does not validate");

writeFileSync(wasmPath, out);
writeFileSync(jsPath, js);
console.log(`short-wasm-names: ${renames.size} names shortened in ${wasmPath.split("/").pop()} and its glue; ${unusedImports} unused glue imports dropped`);
