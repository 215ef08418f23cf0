// The package as a bundled browser app uses it: app/ imports it by name, Vite builds the
// app (the browser entry, with validator_bg.wasm emitted as an asset), and headless
// Chromium (the system's, never a downloaded one) loads the build from a loopback server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { chromium } from "playwright-core";

const here = fileURLToPath(new URL(".", import.meta.url));
const { cases } = JSON.parse(readFileSync(join(here, "..", "js", "cases.json"), "utf8"));
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const ID = "123e4567-e89b-12d3-a456-426614174000";

/** Serves `dir` on a free loopback port; records what was fetched and as what type. */
async function serve(dir) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
  const fetched = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://localhost").pathname;
    const file = normalize(join(dir, path === "/" ? "index.html" : path));
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type = types[extname(file)] ?? "application/octet-stream";
    fetched.push({ path, type });
    res.writeHead(200, { "Content-Type": type }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, fetched, close: () => new Promise((r) => server.close(r)) };
}

test("a Vite-built app loads the package and validates in headless Chromium", async (t) => {
  assert.ok(existsSync(chromiumPath), `no Chromium at ${chromiumPath}: run scripts/setup.sh (or set CHROMIUM)`);
  // Cleanup in reverse order of set-up (node:test runs after-hooks in the order they are
  // registered): the browser closes before its profile is removed and before the server
  // it holds connections to is closed, and a failed assertion cannot leave them hanging.
  const cleanup = [];
  t.after(async () => {
    for (const step of cleanup.reverse()) await step();
  });
  const outDir = mkdtempSync(join(tmpdir(), "validator-bundle-"));
  cleanup.push(() => rmSync(outDir, { recursive: true, force: true }));
  await build({ root: join(here, "app"), logLevel: "warn", build: { outDir, emptyOutDir: true } });
  const assets = readdirSync(join(outDir, "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `the wasm is emitted as an asset: ${assets}`);

  const server = await serve(outDir);
  cleanup.push(server.close);
  const profile = mkdtempSync(join(tmpdir(), "validator-chromium-"));
  cleanup.push(() => rmSync(profile, { recursive: true, force: true }));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  cleanup.push(() => browser.close());
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  await page.goto(server.url);
  await page.waitForFunction(() => window.report !== undefined, null, { timeout: 30_000 });
  const report = await page.evaluate(() => window.report);

  assert.equal(report.error, undefined, report.error);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(report.beforeInit.fields.map((e) => e.code), ["invalid_input"], "before init: a result, not an exception");
  assert.equal(report.cases.length, cases.length);
  report.cases.forEach((r, i) => {
    const c = cases[i];
    assert.deepEqual(r.errors, c.errors, c.name);
    assert.deepEqual(r.warnings, c.warnings, c.name);
    if (c.path) assert.equal(r.path, c.path, c.name);
  });
  assert.deepEqual(report.query.query, {
    campaign_id: ID,
    time_frame: "custom_range",
    start_date: "2024-02-01",
    end_date: "2024-02-29",
    is_purchase: "false",
    page: 2,
    limit: 50,
    path: `/api/partner/v1/campaigns/${ID}/analytics?time_frame=custom_range&start_date=2024-02-01&end_date=2024-02-29&is_purchase=false&page=2`,
  });
  assert.deepEqual(report.key, { valid: true, mode: "live", fields: [] });
  assert.equal(report.hostile, 20_000);
  assert.ok(report.decoding.length > 2_000);
  for (const [name, ours, browsers] of report.decoding) assert.deepEqual(ours, browsers, `decoding ${JSON.stringify(name)}`);
  assert.equal(report.after, `/api/partner/v1/campaigns/${ID}/analytics?time_frame=per_hour&limit=5`);
  assert.ok(server.fetched.some((f) => f.path.endsWith(".wasm") && f.type === "application/wasm"), JSON.stringify(server.fetched));
});
