// Runs before `npm pack` and `npm publish`. The package's files (dist/, LICENSE) are built
// from the repository and not committed, so a clean clone has none: build them here, or
// stop with a message that says why, rather than pack a package without code.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const build = join(root, "scripts", "build-js.sh");
const built = ["core.mjs", "core.cjs", "glue.mjs", "glue.cjs", "node.mjs", "node.cjs", "web.mjs",
  "index.d.ts", "index.d.cts", "validator_bg.wasm"].map((name) => join(here, "dist", name)).concat(join(here, "LICENSE"));

function fail(message) {
  console.error(`error: cannot pack campaign-analytics-validator: ${message}`);
  process.exit(1);
}

/** The newest modification time under `path` (files whose name passes `keep`). */
function newest(path, keep = () => true) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return keep(path) ? stat.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name), keep)));
}

if (!existsSync(build)) {
  // Packing a copy outside the repository: only what is already built can go in.
  const absent = built.filter((file) => !existsSync(file));
  if (absent.length > 0) fail(`${absent.join(", ")} missing, and the build (scripts/build-js.sh of the repository) is not here to make them`);
  process.exit(0);
}

const sources = Math.max(
  newest(join(root, "src"), (file) => file.endsWith(".rs")),
  newest(join(here, "src")),
  ...["Cargo.toml", "Cargo.lock", "LICENSE", join("scripts", "build-js.sh")].map((file) => newest(join(root, file))),
);
const oldestBuilt = Math.min(...built.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
if (oldestBuilt > sources) process.exit(0); // built after its last change

console.error("campaign-analytics-validator: building (scripts/build-js.sh) before packing");
const run = spawnSync(build, { cwd: root, stdio: ["ignore", 2, 2] });
if (run.error) fail(`scripts/build-js.sh could not run (${run.error.message})`);
if (run.status !== 0) fail("scripts/build-js.sh failed (see above); scripts/setup.sh installs the toolchain it needs");
const absent = built.filter((file) => !existsSync(file));
if (absent.length > 0) fail(`the build did not make ${absent.join(", ")}`);
