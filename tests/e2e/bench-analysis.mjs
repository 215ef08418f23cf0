// The whole-window analysis benchmark, in headless Chromium (run by scripts/bench-analysis.sh):
//
// 1. Aggregating 100,000 instances (1,000 pages of 100) in the browser's wasm engine, with
//    the module examples/bench_analysis.rs: folding every page and finishing, next to the
//    baseline of decoding the same pages' JSON (which any client must do), measured in the
//    same run. Budgets: no single step (one page's fold, or the finish) longer than a
//    16.7 ms frame, and aggregating costs less than decoding.
// 2. The longest main-thread task during a real analysis of a 20,000-instance window (200
//    requests) against the reference server, next to the longest task while the same page
//    runs a plain query (the baseline). Budget: under 50 ms, the browsers' long-task line.
//
// Prints the figures; exits non-zero when a budget is missed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NOW, checkPrerequisites, launchBrowser, startServer } from "./harness.mjs";

const FRAME_MS = 1000 / 60;
const LONG_TASK_MS = 50;
const RUNS = Number(process.env.BENCH_RUNS || 7);
const moduleDir = process.argv[2];
if (!moduleDir) throw new Error("usage: node bench-analysis.mjs <dir of the wasm-bindgen output of bench_analysis>");

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;
let failures = 0;
const budget = (ok, what) => {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures++;
};

checkPrerequisites();
const browser = await launchBrowser();
let server;
const dir = mkdtempSync(join(tmpdir(), "ca-bench-analysis-"));
try {
  // ---- 1. aggregation of 100,000 instances ----
  const page = await browser.context.newPage();
  const files = {
    "/index.html": ["text/html", "<!doctype html><title>bench</title>"],
    "/bench_analysis.js": ["text/javascript", readFileSync(join(moduleDir, "bench_analysis.js"))],
    "/bench_analysis_bg.wasm": ["application/wasm", readFileSync(join(moduleDir, "bench_analysis_bg.wasm"))],
  };
  await page.route("http://bench.invalid/**", (route) => {
    const f = files[new URL(route.request().url()).pathname];
    return f ? route.fulfill({ status: 200, contentType: f[0], body: f[1] }) : route.fulfill({ status: 404, body: "" });
  });
  await page.goto("http://bench.invalid/index.html");
  const runs = await page.evaluate(async (runs) => {
    const m = await import("/bench_analysis.js");
    await m.default();
    m.generate(100_000, 5_000);
    JSON.parse(m.run()); // warm-up
    const out = [];
    for (let i = 0; i < runs; i++) out.push(JSON.parse(m.run()));
    return out;
  }, RUNS);
  await page.close();
  const decode = median(runs.map((r) => r.decode_ms));
  const aggregate = median(runs.map((r) => r.fold_ms + r.finish_ms));
  const longestFold = median(runs.map((r) => r.longest_fold_ms));
  const finish = median(runs.map((r) => r.finish_ms));
  console.log(`aggregating ${runs[0].instances.toLocaleString("en-US")} instances (${runs[0].insiders} insiders), median of ${RUNS} runs`);
  console.log(`  baseline: decoding the 1,000 pages' JSON  ${ms(decode)}`);
  console.log(`  folding the pages + finishing             ${ms(aggregate)}  (${(aggregate / decode).toFixed(2)}× the baseline)`);
  console.log(`  longest page fold ${ms(longestFold)}, finish over the whole window ${ms(finish)}`);
  budget(aggregate < decode, "aggregating costs less than decoding the same pages");
  budget(Math.max(longestFold, finish) <= FRAME_MS, `no aggregation step longer than a frame (${ms(FRAME_MS)})`);

  // ---- 2. the longest main-thread task during a real analysis ----
  const start = Date.parse(NOW) - 20 * 86_400_000;
  const big = {
    partners: [{ id: "a0000000-0000-4000-8000-0000000000b1", name: "Bench", keys: ["sk_test_" + "BenchKey".padEnd(32, "0")] }],
    campaigns: [{ id: "c0000000-0000-4000-8000-0000000000b1", partner_id: "a0000000-0000-4000-8000-0000000000b1", name: "Big", status: "active" }],
    instances: Array.from({ length: 20_000 }, (_, n) => {
      const purchase = n % 3 === 0;
      return {
        instance_id: `12000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
        campaign_id: "c0000000-0000-4000-8000-0000000000b1",
        insider_id: `22000000-0000-4000-8000-${((n * 7919) % 1500).toString(16).padStart(12, "0")}`,
        is_purchase: purchase,
        purchased_insider_id: purchase ? `22000000-0000-4000-8000-${((n * 104729) % 3000).toString(16).padStart(12, "0")}` : null,
        timestamp: new Date(start + n * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
        revenue: purchase ? ((n % 9000) + 100) / 100 : 0,
      };
    }),
  };
  const fixture = join(dir, "big.json");
  writeFileSync(fixture, JSON.stringify(big));
  server = await startServer({ extraArgs: ["--fixture", fixture, "--rate-limit", "0"] });
  const dash = await browser.context.newPage();
  // A task-gap probe: a message loop that records the longest time the main thread was
  // away between two of its turns, i.e. the longest task in between.
  await dash.addInitScript(() => {
    const probe = { max: 0, on: false };
    window.__probe = probe;
    const channel = new MessageChannel();
    let last = performance.now();
    channel.port1.onmessage = () => {
      const t = performance.now();
      if (probe.on) probe.max = Math.max(probe.max, t - last);
      last = t;
      channel.port2.postMessage(0);
    };
    channel.port2.postMessage(0);
  });
  await dash.goto(server.url + "/");
  await dash.fill('[data-testid="api-key"]', big.partners[0].keys[0]);
  await dash.fill('[data-testid="campaign-id"]', big.campaigns[0].id);
  await dash.waitForTimeout(300);
  await dash.evaluate(() => { window.__probe.max = 0; window.__probe.on = true; });
  await dash.click('[data-testid="run-query"]');
  await dash.waitForSelector('[data-testid="instance-row"]');
  await dash.waitForTimeout(300);
  const baseline = await dash.evaluate(() => { window.__probe.on = false; return window.__probe.max; });
  await dash.waitForSelector('[data-testid="analyze-window"]:not([disabled])');
  await dash.evaluate(() => { window.__probe.max = 0; window.__probe.on = true; });
  const t0 = Date.now();
  await dash.click('[data-testid="analyze-window"]');
  await dash.waitForSelector('[data-testid="insider-row"]', { timeout: 120_000 });
  await dash.waitForTimeout(300);
  const elapsed = Date.now() - t0 - 300;
  const during = await dash.evaluate(() => { window.__probe.on = false; return window.__probe.max; });
  const progress = await dash.textContent('[data-testid="analysis-cost"]');
  console.log(`a real analysis of 20,000 instances (200 requests, ${(elapsed / 1000).toFixed(1)} s against the local server)`);
  console.log(`  baseline: longest task while a plain query renders  ${ms(baseline)}`);
  console.log(`  longest task during the analysis                  ${ms(during)}  (${(during / baseline).toFixed(2)}× the baseline)`);
  console.log(`  (after it: ${progress.trim()})`);
  budget(during < LONG_TASK_MS, `no long task during the analysis (< ${LONG_TASK_MS} ms)`);
} finally {
  await browser.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (failures) {
  console.log(`${failures} budget(s) missed`);
  process.exit(1);
}
