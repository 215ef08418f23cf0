// A wasm module's sections, its import and export sections read and written back: what the
// post-build steps that edit a module's names need (scripts/short-wasm-names.mjs,
// scripts/drop-classes.mjs). Every reader refuses (through `fail`) rather than guess at a
// module it cannot read.

/** A reader over one byte array; `fail(message)` is called on bytes that do not read. */
function reader(bytes, fail, at = 0) {
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

export function uleb(n) {
  const out = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return Buffer.from(out);
}
const encodeName = (s) => { const b = Buffer.from(s, "utf8"); return Buffer.concat([uleb(b.length), b]); };

/** Skips an import's description (after its kind byte). */
function skipLimits(r) { const flags = r.byte(); r.uleb(); if (flags & 1) r.uleb(); }
function skipImportDesc(r, kind, fail) {
  switch (kind) {
    case 0: r.uleb(); break; // function: type index
    case 1: r.byte(); skipLimits(r); break; // table: reference type, limits
    case 2: skipLimits(r); break; // memory
    case 3: r.byte(); r.byte(); break; // global: value type, mutability
    case 4: r.byte(); r.uleb(); break; // tag
    default: fail(`unknown import kind ${kind}`);
  }
}

/**
 * The module in `wasm` (a Buffer) as its sections, with its imports (`module`, `field`,
 * `desc`) and exports (`name`, `desc`) read; `write()` gives the module back with whatever
 * imports and exports were set on it.
 */
export function readModule(wasm, fail) {
  if (wasm.length < 8 || wasm.readUInt32BE(0) !== 0x0061736d || wasm.readUInt32LE(4) !== 1) {
    fail("not a wasm module");
  }
  const sections = [];
  for (const r = reader(wasm, fail, 8); !r.done(); ) {
    const id = r.byte();
    const size = r.uleb();
    sections.push({ id, body: r.bytes(size) });
  }
  const importSection = sections.find((s) => s.id === 2);
  const exportSection = sections.find((s) => s.id === 7);
  if (!importSection || !exportSection) fail("the module has no import or no export section");

  const imports = [];
  for (let r = reader(importSection.body, fail), n = r.uleb(); n > 0; n--) {
    const module = r.name(), field = r.name(), start = r.at, kind = r.byte();
    skipImportDesc(r, kind, fail);
    imports.push({ module, field, desc: importSection.body.subarray(start, r.at) });
  }
  const exports = [];
  for (let r = reader(exportSection.body, fail), n = r.uleb(); n > 0; n--) {
    const name = r.name(), start = r.at;
    r.byte(); r.uleb();
    exports.push({ name, desc: exportSection.body.subarray(start, r.at) });
  }

  return {
    imports,
    exports,
    write() {
      importSection.body = Buffer.concat([
        uleb(this.imports.length),
        ...this.imports.flatMap((i) => [encodeName(i.module), encodeName(i.field), i.desc]),
      ]);
      exportSection.body = Buffer.concat([
        uleb(this.exports.length),
        ...this.exports.flatMap((e) => [encodeName(e.name), e.desc]),
      ]);
      return Buffer.concat([
        wasm.subarray(0, 8),
        ...sections.flatMap((s) => [Buffer.from([s.id]), uleb(s.body.length), s.body]),
      ]);
    },
  };
}

/** A whole identifier in JS text: an old name inside a longer one is not that name. */
export const identifier = (name) =>
  new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
