// Shared by the end-to-end tests and the dashboard benchmark: starts the reference server
// on a free loopback port with the fixture and a pinned clock, and launches headless
// Chromium (the system's, never a downloaded one) with a fresh profile.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import { after, before } from "node:test";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "..", "..");
export const FIXTURE = join(HERE, "fixture.json");
export const NOW = "2026-11-20T12:00:00Z";

/** The server binary: $CAMPAIGN_ANALYTICS_SERVER, else the workspace's debug build. */
export function serverBinary() {
  return process.env.CAMPAIGN_ANALYTICS_SERVER || join(ROOT, "target", "debug", "campaign-analytics-server");
}

/** The built dashboard: $DASHBOARD_DIST, else dist/ at the repository root. */
export function distDir() {
  return process.env.DASHBOARD_DIST || join(ROOT, "dist");
}

/** Fails early, with the command that fixes it, when a prerequisite is missing. */
export function checkPrerequisites() {
  const problems = [];
  if (!existsSync(serverBinary())) {
    problems.push(`no server binary at ${serverBinary()}: run \`cargo build -p campaign-analytics-server\` (or set CAMPAIGN_ANALYTICS_SERVER)`);
  }
  if (!existsSync(join(distDir(), "index.html"))) {
    problems.push(`no built dashboard in ${distDir()}: run \`scripts/build-dashboard.sh\` (or set DASHBOARD_DIST)`);
  }
  if (!existsSync(chromiumPath())) {
    problems.push(`no Chromium at ${chromiumPath()}: run scripts/setup.sh (or set CHROMIUM)`);
  }
  if (problems.length) throw new Error(problems.join("\n"));
}

export function chromiumPath() {
  return process.env.CHROMIUM || "/usr/bin/chromium";
}

/**
 * Starts `campaign-analytics-server serve` and resolves when it prints its address (with
 * fixture.json unless `fixture: false`, e.g. for `--demo`, which fills an empty database).
 * Returns { url, stop, log } where log() is everything it wrote so far.
 */
export async function startServer({ rateLimit, extraArgs = [], fixture = true } = {}) {
  const args = ["serve", "--db", ":memory:", ...(fixture ? ["--fixture", FIXTURE] : []), "--now", NOW, "--addr", "127.0.0.1:0", "--static-dir", distDir()];
  if (rateLimit !== undefined) args.push("--rate-limit", String(rateLimit));
  args.push(...extraArgs);
  const child = spawn(serverBinary(), args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  child.stderr.on("data", (chunk) => lines.push(String(chunk)));
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${lines.join("")}`)), 20_000);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${lines.join("")}`)));
    const rl = createInterface({ input: child.stdout });
    rl.on("line", (line) => {
      lines.push(line + "\n");
      const m = /^listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1].replace(/\/$/, ""));
      }
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(timer);
  };
  return { url, stop, log: () => lines.join("") };
}

/** Headless Chromium with a fresh profile, US English and UTC, so numbers and times are stable. */
export async function launchBrowser({ viewport = { width: 1280, height: 1000 } } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "ca-e2e-profile-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    locale: "en-US",
    timezoneId: "UTC",
    viewport,
    acceptDownloads: true,
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** The selector of a `data-testid` hook (contract §4). */
export const by = (id) => `[data-testid="${id}"]`;

/** Waits until the results are no longer busy: every answer asked for is on screen. */
export async function resultsSettled(page) {
  await page.waitForFunction(() => document.querySelector(".results")?.getAttribute("aria-busy") === "false");
}

/**
 * Runs the query the form holds, turns on the comparison with the previous period, and
 * waits until the answer, the previous period's changes and the chart have settled.
 */
export async function runAndCompare(page) {
  await page.click(by("run-query"));
  await page.waitForSelector(by("instance-row"));
  await page.check(by("compare-previous"));
  await page.waitForSelector(by("summary-total-instances-change"));
  await resultsSettled(page);
}

/**
 * Registers, in the calling `describe`, a server (`startServer(serverOptions)`) and a browser
 * started before its tests and closed after them, browser first. Returns a handle whose
 * `server` and `browser` are set once the tests run:
 *
 *   describe("…", () => {
 *     const live = serveAndBrowse({ rateLimit: 2 });
 *     test("…", async () => { const page = await live.browser.context.newPage(); … });
 *   });
 */
export function serveAndBrowse(serverOptions) {
  const live = { server: undefined, browser: undefined };
  before(async () => {
    checkPrerequisites();
    live.server = await startServer(serverOptions);
    live.browser = await launchBrowser();
  });
  after(async () => {
    await live.browser?.close();
    await live.server?.stop();
  });
  return live;
}
