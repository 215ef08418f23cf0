// The package as it would be published: `npm pack` (whose prepack builds the package or
// refuses), then arethetypeswrong and publint on the tarball, its file list, and the
// tarball installed into an empty app and used from ESM and CommonJS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const packageDir = join(here, "..", "..", "js");
const bin = (name) => join(here, "node_modules", ".bin", name);
const work = mkdtempSync(join(tmpdir(), "validator-pack-"));
test.after(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command; its output (stdout and stderr), and throws with it on failure. */
function run(command, args, options = {}) {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, ...options });
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${error.stdout}\n${error.stderr}`);
  }
}

let tarball;
test.before(() => {
  run("npm", ["pack", "--silent", "--pack-destination", work], { cwd: packageDir });
  tarball = join(work, readdirSync(work).find((name) => name.endsWith(".tgz")));
});

test("the tarball holds the code, the types for ESM and CommonJS, the wasm, README and LICENSE", () => {
  const files = run("tar", ["-tzf", tarball]).trim().split("\n").map((f) => f.replace(/^package\//, "")).sort();
  assert.deepEqual(files, [
    "LICENSE", "README.md",
    "dist/core.cjs", "dist/core.mjs", "dist/glue.cjs", "dist/glue.mjs", "dist/index.d.cts", "dist/index.d.ts",
    "dist/node.cjs", "dist/node.mjs", "dist/validator_bg.wasm", "dist/web.mjs",
    "package.json",
  ]);
  const manifest = JSON.parse(run("tar", ["-xzOf", tarball, "package/package.json"]));
  assert.equal(manifest.license, "MIT");
  assert.match(run("tar", ["-xzOf", tarball, "package/LICENSE"]), /^MIT License/);
  assert.ok(manifest.version && manifest.repository && manifest.keywords.length > 0);
});

test("arethetypeswrong (node16 profile) finds no problem", () => {
  const out = run(bin("attw"), [tarball, "--profile", "node16", "--exclude-entrypoints", "./validator_bg.wasm", "--no-color", "--no-emoji"]);
  assert.match(out, /No problems found/, out);
});

test("publint finds nothing, not even a suggestion", () => {
  const out = run(bin("publint"), ["run", tarball, "--strict", "--level", "suggestion"]);
  assert.match(out, /All good!/, out);
});

test("installed from the tarball, it works from ESM and from CommonJS", () => {
  const app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  run("npm", ["install", "--silent", "--no-audit", "--no-fund", "--offline", tarball], { cwd: app });
  const id = "123e4567-e89b-12d3-a456-426614174000";
  const script = (load) => `${load}\nconst r = v.validateAnalyticsRequest("${id}", "time_frame=per_day&limit=7");\nconsole.log(JSON.stringify([r.query.path, v.validateSecretKey("x").fields[0].code]));`;
  const expected = JSON.stringify([`/api/partner/v1/campaigns/${id}/analytics?time_frame=per_day&limit=7`, "invalid_key"]);
  writeFileSync(join(app, "esm.mjs"), script('import * as v from "campaign-analytics-validator";'));
  writeFileSync(join(app, "cjs.cjs"), script('const v = require("campaign-analytics-validator");'));
  assert.equal(run(process.execPath, ["esm.mjs"], { cwd: app }).trim(), expected);
  assert.equal(run(process.execPath, ["cjs.cjs"], { cwd: app }).trim(), expected);
  assert.deepEqual(readdirSync(join(app, "node_modules", "campaign-analytics-validator")).sort(), ["LICENSE", "README.md", "dist", "package.json"]);
  assert.ok(readFileSync(join(app, "node_modules", "campaign-analytics-validator", "dist", "validator_bg.wasm")).length > 0);
});

test("outside the repository, npm pack refuses a package that was never built", () => {
  // A copy of the package's own files without dist/ and without the repository's build.
  const copy = join(work, "unbuilt");
  mkdirSync(copy);
  for (const file of ["package.json", "prepack.mjs", "README.md"]) writeFileSync(join(copy, file), readFileSync(join(packageDir, file)));
  let failure;
  try {
    execFileSync("npm", ["pack", "--pack-destination", copy], { cwd: copy, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    failure = error;
  }
  assert.ok(failure, "npm pack must fail");
  assert.match(failure.stderr, /error: cannot pack campaign-analytics-validator: .*dist\/validator_bg\.wasm.* missing, and the build \(scripts\/build-js\.sh of the repository\) is not here/);
  assert.deepEqual(readdirSync(copy).filter((f) => f.endsWith(".tgz")), []);
});
