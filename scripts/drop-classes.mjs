// Drops JS classes that a dependency exports through wasm-bindgen and nothing uses from a
// module's glue, once the module has none of their exports:
//
//   node scripts/drop-classes.mjs app_bg.wasm app.js ClassName...
//
// Leptos always links server_fn, whose browser side brings wasm-streams, whose
// `#[wasm_bindgen]` classes (`IntoUnderlyingSource`, …) are exports of every module that
// links it although the dashboard never streams. The release bundle's linker leaves their
// exports out (scripts/link-wasm.sh), so their code is not in the module; wasm-bindgen still
// writes a JS class for each. This step removes, for each class named, its `export class`
// block, its finalization registry and its `Symbol.dispose` line from the glue.
//
// It refuses (exit 1, files left as they were) rather than write a pair that may not link:
// a class the glue does not have in the shape wasm-bindgen writes, a class name left in
// the glue, a module that still exports something of a class (its code would stay), or a
// glue that calls an export the module does not have.
import { readFileSync, writeFileSync } from "node:fs";
import { identifier, readModule } from "./wasm-sections.mjs";

const [wasmPath, jsPath, ...classes] = process.argv.slice(2);
if (!wasmPath || !jsPath || classes.length === 0) {
  fail("usage: node scripts/drop-classes.mjs MODULE_bg.wasm MODULE.js CLASS...");
}

function fail(message) {
  console.error(`drop-classes: ${message}`);
  process.exit(1);
}

const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, "utf8");
const module = readModule(wasm, (message) => fail(`${wasmPath}: ${message}`));

for (const name of classes) {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) fail(`${name} is not a class name`);
  // The three pieces wasm-bindgen writes for an exported class, each exactly once.
  const pieces = [
    // The class: from its line to the first line that is a lone closing brace.
    new RegExp(`^export class ${name} \\{\\n[\\s\\S]*?^\\}\\n`, "m"),
    new RegExp(`^if \\(Symbol\\.dispose\\) ${name}\\.prototype\\[Symbol\\.dispose\\] = ${name}\\.prototype\\.free;\\n`, "m"),
    // Its registry: a statement of three lines ending with the first semicolon.
    new RegExp(`^const ${name}Finalization = \\(typeof FinalizationRegistry === 'undefined'\\)\\n[^;]*;\\n`, "m"),
  ];
  for (const piece of pieces) {
    if (!piece.test(js)) fail(`the glue has no ${name} in the shape wasm-bindgen writes (${piece.source.slice(0, 40)}…)`);
    js = js.replace(piece, "");
  }
  if (identifier(name).test(js) || identifier(`${name}Finalization`).test(js)) {
    fail(`${name} is still in the glue`);
  }
  const lower = name.toLowerCase();
  const own = module.exports.filter((e) => e.name.startsWith(`${lower}_`) || e.name === `__wbg_${lower}_free`);
  if (own.length > 0) {
    fail(`the module still exports ${own[0].name}: it was not linked by scripts/link-wasm.sh`);
  }
}

// Everything the glue still calls must still be there.
const left = new Set(module.exports.map((e) => e.name));
for (const [, called] of js.matchAll(/\bwasm\.([\w$]+)/g)) {
  if (!left.has(called)) fail(`the glue still calls ${called}, which was dropped or never existed`);
}
writeFileSync(jsPath, js);
console.log(`drop-classes: ${classes.length} classes dropped from the glue of ${wasmPath.split("/").pop()}`);
