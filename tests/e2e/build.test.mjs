// The release bundle's linker, which leaves out the exports of unused stream classes
// (scripts/link-wasm.sh), and its post-build steps that drop their JS shells
// (scripts/drop-classes.mjs), order the functions by their code
// (scripts/order-functions.mjs) and shorten wasm-bindgen's generated names
// (scripts/short-wasm-names.mjs): on the real bundle, and on small modules made here to
// try their refusals. The rest of this suite loads the same bundle in Chromium, so a pair
// that did not link would fail there too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const script = join(root, "scripts", "short-wasm-names.mjs");
const dropClasses = join(root, "scripts", "drop-classes.mjs");
const linkWasm = join(root, "scripts", "link-wasm.sh");
const orderFunctions = join(root, "scripts", "order-functions.mjs");
const dist = join(root, "dist");
const LONG_NAME = /__wbg_\w+_[0-9a-f]{16}|wasm_bindgen_[0-9a-f]{16}___/;

function uleb(n) {
  const out = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
}
const name = (s) => [...uleb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id, body) => [id, ...uleb(body.length), ...body];

/** A module importing `field` from `./app_bg.js` and exporting its one function as `shim`
 * and as `main`. */
function module(field, shim) {
  return Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 0]),
    ...section(2, [1, ...name("./app_bg.js"), ...name(field), 0, 0]),
    ...section(3, [1, 0]),
    ...section(7, [2, ...name(shim), 0, 1, ...name("main"), 0, 1]),
    ...section(10, [1, 2, 0, 0x0b]),
  ]);
}

function workspace(wasm, js) {
  const dir = mkdtempSync(join(tmpdir(), "short-names-"));
  const paths = { wasm: join(dir, "app_bg.wasm"), js: join(dir, "app.js") };
  writeFileSync(paths.wasm, wasm);
  writeFileSync(paths.js, js);
  return paths;
}

const run = (paths) => spawnSync(process.execPath, [script, paths.wasm, paths.js], { encoding: "utf8" });

const IMPORT = "__wbg_log_0123456789abcdef";
const SHIM = "wasm_bindgen_0123456789abcdef___convert__closures_____invoke___true_";

test("renames an import and a shim in the module and its glue, and they still link", async () => {
  const glue = `const __w0 = 1; const imports = { "./app_bg.js": { ${IMPORT}: () => {} } };
export function call(wasm) { wasm.${SHIM}(); }`;
  const paths = workspace(module(IMPORT, SHIM), glue);
  const result = run(paths);
  assert.equal(result.status, 0, result.stderr);

  const wasm = readFileSync(paths.wasm);
  const js = readFileSync(paths.js, "utf8");
  const compiled = await WebAssembly.compile(wasm);
  const [imported] = WebAssembly.Module.imports(compiled);
  const exported = WebAssembly.Module.exports(compiled).map((e) => e.name);
  assert.ok(imported.name.length < 8, imported.name);
  assert.notEqual(imported.name, "__w0", "a name the glue already uses is skipped");
  assert.ok(exported.includes("main"), "public exports keep their names");
  const shim = exported.find((n) => n !== "main");
  assert.ok(shim.length < 8, shim);
  assert.doesNotMatch(js, LONG_NAME);

  // The glue's own import object links (a name it lacks is a LinkError), and the shim it
  // calls is the module's export.
  const { imports, call } = new Function(`${js.replace(/export /g, "")}; return { imports, call };`)();
  const instance = await WebAssembly.instantiate(compiled, imports);
  call(instance.exports);
});

test("refuses, leaving both files as they were, when the glue never mentions a name", () => {
  const wasm = module(IMPORT, SHIM);
  const glue = `export function call(wasm) { wasm.${SHIM}(); } // ${IMPORT}_suffix is another name`;
  const paths = workspace(wasm, glue);
  const result = run(paths);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /never mentions __wbg_log_0123456789abcdef/);
  assert.deepEqual(readFileSync(paths.wasm), wasm);
  assert.equal(readFileSync(paths.js, "utf8"), glue);
});

test("drops the glue's entries for imports the module no longer has, in wasm-bindgen's shape only", async () => {
  const DEAD = "__wbg_new_typed_0123456789abcdef";
  const entries = (dead) => `function getImports() {
    const import0 = {
        __proto__: null,
        ${IMPORT}: function() {
            return 1;
        },
${dead}    };
    return { "./app_bg.js": import0 };
}
export function call(wasm) { wasm.${SHIM}(); }`;
  const deadEntry = `        ${DEAD}: function(arg0, arg1) {
            const inner = { a: arg0 };
            return new Promise(() => inner);
        },
`;
  const paths = workspace(module(IMPORT, SHIM), entries(deadEntry));
  const result = run(paths);
  assert.equal(result.status, 0, result.stderr);
  const js = readFileSync(paths.js, "utf8");
  assert.doesNotMatch(js, /new_typed|new Promise/);
  const { getImports } = new Function(`${js.replace(/export /g, "")}; return { getImports };`)();
  await WebAssembly.instantiate(readFileSync(paths.wasm), getImports());

  // Written some other way, it is not taken apart: refused, files as they were.
  const odd = entries(`        ${DEAD}: function(arg0) { return arg0; },\n`);
  const wasm = module(IMPORT, SHIM);
  const refused = workspace(wasm, odd);
  const again = run(refused);
  assert.equal(again.status, 1, again.stdout);
  assert.match(again.stderr, /not in the shape wasm-bindgen writes/);
  assert.equal(readFileSync(refused.js, "utf8"), odd);
  assert.deepEqual(readFileSync(refused.wasm), wasm);
});

test("refuses a file that is not a wasm module, and a truncated one", () => {
  for (const bytes of [Buffer.from("<!doctype html>"), module(IMPORT, SHIM).subarray(0, 30)]) {
    const paths = workspace(bytes, `const a = "${IMPORT}";`);
    const result = run(paths);
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stderr, /^short-wasm-names: /);
    assert.deepEqual(readFileSync(paths.wasm), bytes);
  }
});

/** A module exporting its one function under each of `names`. */
function exporting(names) {
  return Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 0]),
    ...section(2, [1, ...name("./app_bg.js"), ...name("__wbindgen_init"), 0, 0]),
    ...section(3, [1, 0]),
    ...section(7, [names.length, ...names.flatMap((n) => [...name(n), 0, 1])]),
    ...section(10, [1, 2, 0, 0x0b]),
  ]);
}

/** An exported class as wasm-bindgen writes it, with its registry and dispose line. */
const glueClass = (cls) => `export class ${cls} {
    free() {
        wasm.__wbg_${cls.toLowerCase()}_free(this.__wbg_ptr, 0);
    }
    pull(controller) {
        return wasm.${cls.toLowerCase()}_pull(this.__wbg_ptr, controller);
    }
}
if (Symbol.dispose) ${cls}.prototype[Symbol.dispose] = ${cls}.prototype.free;
`;
const registry = (cls) => `const ${cls}Finalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_${cls.toLowerCase()}_free(ptr >>> 0, 1));
`;
const dropRun = (paths, ...classes) =>
  spawnSync(process.execPath, [dropClasses, paths.wasm, paths.js, ...classes], { encoding: "utf8" });

test("drops a class from the glue of a module linked without it; the rest still links", async () => {
  const glue = `${glueClass("IntoUnderlyingSource")}
export function main(wasm) { return wasm.main(); }
${registry("IntoUnderlyingSource")}
const imports = { "./app_bg.js": { __wbindgen_init: () => {} } };
`;
  const wasm = exporting(["main", "memory_like"]);
  const paths = workspace(wasm, glue);
  const result = dropRun(paths, "IntoUnderlyingSource");
  assert.equal(result.status, 0, result.stderr);
  const js = readFileSync(paths.js, "utf8");
  assert.doesNotMatch(js, /IntoUnderlyingSource|intounderlyingsource/);
  assert.deepEqual(readFileSync(paths.wasm), wasm, "the module is not touched");
  const compiled = await WebAssembly.compile(readFileSync(paths.wasm));
  const { imports, main } = new Function(`${js.replace(/export /g, "")}; return { imports, main };`)();
  const instance = await WebAssembly.instantiate(compiled, imports);
  assert.equal(main(instance.exports), undefined);
});

test("refuses, leaving both files as they were, a class it cannot drop whole", () => {
  const linked = exporting(["main"]);
  const whole = `${glueClass("IntoUnderlyingSource")}${registry("IntoUnderlyingSource")}`;
  const cases = [
    // Not in the glue at all.
    [linked, whole, "IntoUnderlyingSink", /no IntoUnderlyingSink in the shape/],
    // Its registry is missing.
    [linked, glueClass("IntoUnderlyingSource"), "IntoUnderlyingSource", /no IntoUnderlyingSource in the shape/],
    // Used elsewhere in the glue.
    [linked, `${whole}export const keep = new IntoUnderlyingSource();\n`, "IntoUnderlyingSource", /still in the glue/],
    // Another export of it still called.
    [linked, `${whole}export const f = (wasm) => wasm.intounderlyingsource_pull(0);\n`, "IntoUnderlyingSource", /still calls intounderlyingsource_pull/],
    // The module still exports it (not linked by scripts/link-wasm.sh): its code is there.
    [exporting(["intounderlyingsource_pull", "__wbg_intounderlyingsource_free", "main"]), whole, "IntoUnderlyingSource", /still exports intounderlyingsource_pull/],
    // Not a name.
    [linked, whole, "a[b]", /not a class name/],
  ];
  for (const [wasm, glue, cls, why] of cases) {
    const paths = workspace(wasm, glue);
    const result = dropRun(paths, cls);
    assert.equal(result.status, 1, `${cls}: ${result.stdout}`);
    assert.match(result.stderr, why);
    assert.deepEqual(readFileSync(paths.wasm), wasm);
    assert.equal(readFileSync(paths.js, "utf8"), glue);
  }
});

/** Runs scripts/link-wasm.sh with `args`, its linker a recorder; returns the run and what the linker got. */
function linkRun(args) {
  const dir = mkdtempSync(join(tmpdir(), "link-wasm-"));
  const recorder = join(dir, "lld");
  writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, "args")}"\n`, { mode: 0o755 });
  const result = spawnSync("bash", [linkWasm, ...args], { encoding: "utf8", env: { ...process.env, LINK_WASM_LLD: recorder } });
  let got = null;
  try { got = readFileSync(join(dir, "args"), "utf8").split("\n").slice(0, -1); } catch { /* not called */ }
  return { result, got };
}

test("the linker leaves out exactly the unused classes' exports and passes the rest as given", () => {
  const HASH = "58a9338f50bce61c";
  const classExports = ["IntoUnderlyingByteSource", "IntoUnderlyingSink", "IntoUnderlyingSource"].flatMap((c) => {
    const l = c.toLowerCase();
    return [`__wbg_${l}_free_${HASH}`, `${l}_pull_${HASH}`, `__wbindgen_describe_${l}_pull_${HASH}`];
  });
  const kept = ["main", `__wbg_question_free_${HASH}`, `mount_panels`, `__wbindgen_describe_intounderlying_${HASH}`];
  const args = ["-flavor", "wasm", "--export", kept[0], ...classExports.flatMap((e) => ["--export", e]),
    ...kept.slice(1).flatMap((e) => ["--export", e]), "a file with spaces.o", "-o", "out.wasm"];
  const { result, got } = linkRun(args);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(got, ["-flavor", "wasm", "--export", kept[0], ...kept.slice(1).flatMap((e) => ["--export", e]),
    "a file with spaces.o", "-o", "out.wasm"]);

  // A link that exports nothing of wasm-bindgen's (another binary) passes through untouched.
  const plain = linkRun(["-flavor", "wasm", "x.o", "-o", "y.wasm"]);
  assert.equal(plain.result.status, 0, plain.result.stderr);
  assert.deepEqual(plain.got, ["-flavor", "wasm", "x.o", "-o", "y.wasm"]);
});

test("the linker refuses a response file and a link that has only some of the classes", () => {
  const file = linkRun(["-flavor", "wasm", "@/tmp/args"]);
  assert.equal(file.result.status, 1);
  assert.match(file.result.stderr, /response file/);
  assert.equal(file.got, null, "the linker was not called");

  const some = linkRun(["--export", "__wbg_intounderlyingsource_free_0123", "-o", "out.wasm"]);
  assert.equal(some.result.status, 1);
  assert.match(some.result.stderr, /exports nothing of IntoUnderlyingByteSource/);
  assert.equal(some.got, null, "the linker was not called");
});

/** The function names of `wasm`'s name section, by function index (null: no such section). */
function functionNames(wasm) {
  let at = 8;
  const leb = () => { let v = 0, s = 0, b; do { b = wasm[at++]; v |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return v; };
  const sections = [];
  while (at < wasm.length) {
    const id = wasm[at++], size = leb(), end = at + size;
    if (id === 0) {
      const len = leb();
      if (wasm.subarray(at, at + len).toString() === "name") {
        at += len;
        const sub = wasm[at++];
        leb();
        assert.equal(sub, 1, "function names only");
        const names = new Map();
        for (let n = leb(); n > 0; n--) {
          const index = leb(), len2 = leb();
          names.set(index, wasm.subarray(at, at + len2).toString());
          at += len2;
        }
        sections.push(names);
      }
    }
    at = end;
  }
  assert.ok(sections.length <= 1, "one name section at most");
  return sections[0] ?? null;
}

/**
 * A module importing one function, then defining three (no locals): `i32.const 1; drop`
 * then twice `i32.const 7; drop`; `i32.const 2; drop`; and like the first, with 3 for 1.
 */
function threeFunctions(withNames) {
  const drop = (n) => [0x41, n, 0x1a];
  const bodies = [[...drop(1), ...drop(7), ...drop(7)], drop(2), [...drop(3), ...drop(7), ...drop(7)]]
    .map((b) => [0, ...b, 0x0b]);
  const names = [...uleb(1), ...uleb(2), ...name("old")];
  return Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 0, 0]),
    ...section(2, [1, ...name("./app_bg.js"), ...name("__wbindgen_init"), 0, 0]),
    ...section(3, [3, 0, 0, 0]),
    ...section(7, [1, ...name("main"), 0, 1]),
    ...section(10, [3, ...bodies.flatMap((b) => [...uleb(b.length), ...b])]),
    ...(withNames ? section(0, [...name("name"), 1, ...uleb(names.length), ...names]) : []),
  ]);
}

test("names the functions in an order where similar code follows, replacing any names; the module still compiles", async () => {
  for (const withNames of [false, true]) {
    const paths = workspace(threeFunctions(withNames), "");
    const result = spawnSync(process.execPath, [orderFunctions, paths.wasm], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    const wasm = readFileSync(paths.wasm);
    await WebAssembly.compile(wasm);
    // By their bytes the order is 1, 2, 3; but the third shares most of its code with the
    // first and the second shares none, so the third follows the first.
    assert.deepEqual([...functionNames(wasm)], [[1, "f0"], [2, "f2"], [3, "f1"]]);
  }
});

test("refuses, leaving the file as it was, what is not a whole wasm module", () => {
  for (const bytes of [Buffer.from("<!doctype html>"), threeFunctions(false).subarray(0, 40)]) {
    const paths = workspace(bytes, "");
    const result = spawnSync(process.execPath, [orderFunctions, paths.wasm], { encoding: "utf8" });
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stderr, /^order-functions: /);
    assert.deepEqual(readFileSync(paths.wasm), bytes);
  }
});

test("the release bundle's modules and glue carry no generated long names", async () => {
  const files = readdirSync(dist);
  const stems = files.filter((f) => f.endsWith("_bg.wasm")).map((f) => f.slice(0, -"_bg.wasm".length));
  assert.equal(stems.length, 2, `the page's and the panels' modules: ${files}`);
  for (const stem of stems) {
    const js = readFileSync(join(dist, `${stem}.js`), "utf8");
    assert.doesNotMatch(js, LONG_NAME, stem);
    const compiled = await WebAssembly.compile(readFileSync(join(dist, `${stem}_bg.wasm`)));
    for (const { module: from, name: field } of WebAssembly.Module.imports(compiled)) {
      if (from.endsWith("_bg.js")) assert.ok(field.length < 8 && js.includes(field), `${stem}: ${field}`);
    }
    for (const { name: field } of WebAssembly.Module.exports(compiled)) {
      assert.doesNotMatch(field, LONG_NAME, stem);
      assert.doesNotMatch(field, /intounderlying/, `${stem}: the stream classes are dropped`);
    }
    assert.doesNotMatch(js, /IntoUnderlying/, stem);
    // The names that ordered the functions are gone.
    assert.equal(functionNames(readFileSync(join(dist, `${stem}_bg.wasm`))), null, stem);
  }
  // The page's digests in index.html are those of the rewritten files (a stale digest
  // would make the browser refuse them; the tests in Chromium load this page).
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const pinned = [...html.matchAll(/href=\/?([^ >]+) integrity=(sha384-[^ >]+)/g)];
  assert.ok(pinned.length >= 4, "the stylesheet, the glue, a snippet and the module");
  for (const [, href, digest] of pinned) {
    const actual = "sha384-" + createHash("sha384").update(readFileSync(join(dist, href))).digest("base64");
    assert.equal(digest, actual, href);
  }
});
