// Names a module's functions so that sorting them by name puts the functions that compile
// to nearly the same code side by side:
//
//   node scripts/order-functions.mjs app_bg.wasm
//   wasm-opt --reorder-functions-by-name --strip-debug app_bg.wasm -o app_bg.wasm
//
// Rust compiles a generic function once per type it is used with (a signal's `get` for
// each signal's type, a view's `build` for each element); the linker leaves these copies
// wherever their callers were compiled, often further apart than gzip's 32 KB window, so
// each copy is compressed as if it were new. This step orders the functions so that each
// is followed by one whose code shares much with it (see `chain`) and writes their ranks
// as their names, replacing the module's name section; wasm-opt then moves them into that
// order and drops the names. The copies of one generic function end up side by side and
// gzip finds each one in the copy before it. The code is not changed, only its order
// (docs/decisions.md, "The dashboard's release build").
//
// It refuses (exit 1, file left as it was) a module it cannot read.
import { readFileSync, writeFileSync } from "node:fs";
import { uleb } from "./wasm-sections.mjs";

const [wasmPath] = process.argv.slice(2);
if (!wasmPath) fail("usage: node scripts/order-functions.mjs MODULE_bg.wasm");

function fail(message) {
  console.error(`order-functions: ${message}`);
  process.exit(1);
}

const wasm = readFileSync(wasmPath);
if (wasm.length < 8 || wasm.readUInt32BE(0) !== 0x0061736d || wasm.readUInt32LE(4) !== 1) {
  fail(`${wasmPath} is not a wasm module`);
}

/** Reads an unsigned LEB128 number at `at` of `bytes`: [value, the offset after it]. */
function readUleb(bytes, at) {
  let value = 0, scale = 1, b;
  do {
    if (at >= bytes.length) fail("the module ends inside a number");
    b = bytes[at++];
    value += (b & 0x7f) * scale;
    scale *= 128;
  } while (b & 0x80);
  return [value, at];
}
const skipUleb = (bytes, at) => readUleb(bytes, at)[1];
const isNameSection = (s) => {
  if (s.id !== 0) return false;
  const [len, at] = readUleb(s.body, 0);
  return s.body.subarray(at, at + len).toString("utf8") === "name";
};

const sections = [];
for (let at = 8; at < wasm.length; ) {
  const id = wasm[at];
  const [size, start] = readUleb(wasm, at + 1);
  if (start + size > wasm.length) fail("a section runs past the module");
  sections.push({ id, body: wasm.subarray(start, start + size) });
  at = start + size;
}

// Imported functions come first in the function index space.
let imported = 0;
const imports = sections.find((s) => s.id === 2);
if (imports) {
  const b = imports.body;
  let [n, at] = readUleb(b, 0);
  for (; n > 0; n--) {
    for (let name = 0; name < 2; name++) {
      const [len, after] = readUleb(b, at);
      at = after + len;
    }
    const kind = b[at++];
    if (kind === 0) {
      imported++;
      at = skipUleb(b, at);
    } else if (kind === 1 || kind === 2) {
      if (kind === 1) at++; // the table's reference type
      const flags = b[at++];
      at = skipUleb(b, at);
      if (flags & 1) at = skipUleb(b, at);
    } else if (kind === 3) {
      at += 2;
    } else if (kind === 4) {
      at = skipUleb(b, at + 1);
    } else {
      fail(`unknown import kind ${kind}`);
    }
  }
}

const code = sections.find((s) => s.id === 10);
if (!code) fail(`${wasmPath} has no code`);
const bodies = [];
{
  let [n, at] = readUleb(code.body, 0);
  for (; n > 0; n--) {
    const [size, start] = readUleb(code.body, at);
    if (start + size > code.body.length) fail("a function runs past the code section");
    bodies.push(code.body.subarray(start, start + size));
    at = start + size;
  }
}

const order = chain(bodies);

/**
 * The functions in an order where each is followed by one whose code shares much with it:
 * first sorted by their bytes, then, from the first, each next one is the function (among
 * the `WINDOW` nearest to it in that sort, not yet placed) that shares the most distinct
 * three-byte strings with it, per string of its own; when none shares any, the first not
 * yet placed in the sort.
 */
function chain(bodies) {
  const WINDOW = 1000;
  const sorted = bodies.map((_, i) => i).sort((a, b) => Buffer.compare(bodies[a], bodies[b]) || a - b);
  const position = new Array(bodies.length);
  sorted.forEach((f, p) => { position[f] = p; });
  const grams = bodies.map((b) => {
    const set = new Set();
    for (let i = 0; i + 2 < b.length; i++) set.add((b[i] << 16) | (b[i + 1] << 8) | b[i + 2]);
    return Int32Array.from(set).sort();
  });
  const shared = (x, y) => {
    let n = 0;
    for (let i = 0, j = 0; i < x.length && j < y.length; ) {
      if (x[i] === y[j]) { n++; i++; j++; } else if (x[i] < y[j]) i++; else j++;
    }
    return n;
  };
  const placed = new Uint8Array(bodies.length);
  const order = [];
  let next = 0; // the first function of the sort that may not be placed yet
  for (let current = sorted[0]; ; ) {
    placed[current] = 1;
    order.push(current);
    if (order.length === bodies.length) return order;
    const p = position[current];
    let best = -1, bestScore = 0;
    for (let q = Math.max(0, p - WINDOW); q <= Math.min(sorted.length - 1, p + WINDOW); q++) {
      const f = sorted[q];
      if (placed[f]) continue;
      const score = shared(grams[current], grams[f]) / (1 + grams[f].length);
      if (score > bestScore) { bestScore = score; best = f; }
    }
    if (best < 0) {
      while (placed[sorted[next]]) next++;
      best = sorted[next];
    }
    current = best;
  }
}

// The new name section: the defined functions' names only, each its rank, zero-padded so
// that names sort as numbers.
const width = String(order.length).length;
const rank = new Array(order.length);
order.forEach((f, r) => { rank[f] = `f${String(r).padStart(width, "0")}`; });
const entries = rank.flatMap((name, f) => {
  const b = Buffer.from(name, "utf8");
  return [uleb(imported + f), uleb(b.length), b];
});
const functions = Buffer.concat([uleb(rank.length), ...entries]);
const label = Buffer.from("name", "utf8");
const names = {
  id: 0,
  body: Buffer.concat([uleb(label.length), label, Buffer.from([1]), uleb(functions.length), functions]),
};
const kept = sections.filter((s) => !isNameSection(s));
// The name section goes after the data section, where the format expects it.
const dataAt = kept.findLastIndex((s) => s.id === 11 || s.id === 10);
kept.splice(dataAt + 1, 0, names);

writeFileSync(
  wasmPath,
  Buffer.concat([wasm.subarray(0, 8), ...kept.flatMap((s) => [Buffer.from([s.id]), uleb(s.body.length), s.body])]),
);
