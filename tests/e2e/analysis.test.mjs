// End-to-end tests of the whole-window analysis (contract §4 hooks, §5 "Whole-window
// analysis"): the release build served by the reference server, started with the shared
// fixture plus a fixture of this file's own (a campaign of several 100-instance pages whose
// insiders sell repeatedly), driven in headless Chromium.
//
//   cargo build -p campaign-analytics-server
//   scripts/build-dashboard.sh
//   cd tests/e2e && npm ci && npm test
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NOW, by, checkPrerequisites, launchBrowser, startServer } from "./harness.mjs";

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const hex = (n, width = 12) => n.toString(16).padStart(width, "0");
const id = (prefix, n) => `${prefix}-0000-4000-8000-${hex(n)}`;

const LOOP = {
  partner: id("a0000000", 10),
  key: "sk_test_" + "LoopE2eKey".padEnd(32, "0"),
  campaign: id("c0000000", 10),
};
const now = Date.parse(NOW);
const DAY = 86_400_000;

/** 345 instances over the last 25 days (4 pages of 100): 23 insiders sharing unevenly,
 *  buyers drawn from the insiders and from others, revenue in whole cents. Deterministic. */
function loopFixture() {
  let seed = 12345;
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const instances = [];
  for (let n = 1; n <= 345; n++) {
    const insider = id("21000000", 1 + (next(23) * next(23)) % 23); // skewed: some share a lot
    const purchase = next(3) === 0;
    const buyer = next(2) === 0 ? id("21000000", 1 + next(23)) : id("31000000", 1 + next(60));
    const cents = purchase ? 500 + next(9000) : 0;
    instances.push({
      instance_id: id("11000000", n),
      campaign_id: LOOP.campaign,
      insider_id: insider,
      is_purchase: purchase,
      purchased_insider_id: purchase ? buyer : null,
      timestamp: new Date(now - (next(25 * 24 * 60) * 60 + 30) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      revenue: cents / 100,
    });
  }
  return {
    partners: [{ id: LOOP.partner, name: "Loop", keys: [LOOP.key] }],
    campaigns: [{ id: LOOP.campaign, partner_id: LOOP.partner, name: "Word of mouth", status: "active" }],
    instances,
  };
}

const FIXTURE = loopFixture();

/** The leaderboard's top row as the fixture implies it, computed here (contract §3 window
 *  of per_day; revenue desc, then instances desc, then id asc). */
function expectedTop() {
  const start = now - (now % DAY) - 29 * DAY;
  const per = new Map();
  let count = 0;
  for (const i of FIXTURE.instances) {
    const t = Date.parse(i.timestamp);
    if (t < start || t > now) continue;
    count++;
    const e = per.get(i.insider_id) ?? { id: i.insider_id, instances: 0, cents: 0 };
    e.instances++;
    if (i.is_purchase) e.cents += Math.round(i.revenue * 100);
    per.set(i.insider_id, e);
  }
  const rows = [...per.values()].sort(
    (a, b) => b.cents - a.cents || b.instances - a.instances || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { top: rows[0], insiders: rows.length, count };
}

async function openPage(context) {
  const page = await context.newPage();
  const problems = [];
  const analytics = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /panicked/.test(m.text())) problems.push(`panic: ${m.text()}`);
  });
  page.on("request", (r) => {
    if (/sk_(test|live)_/.test(r.url())) problems.push(`key in a URL: ${r.url()}`);
    if (r.url().includes("/analytics?")) analytics.push(new URL(r.url()).search);
  });
  await page.goto(server.url + "/");
  await page.fill(by("api-key"), LOOP.key);
  await page.fill(by("campaign-id"), LOOP.campaign);
  await page.click(by("run-query"));
  await page.waitForSelector(by("analyze-window") + ":not([disabled])");
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes("requests for"), by("analysis-cost"));
  return { page, problems, analytics };
}

async function downloadText(page, click) {
  const [download] = await Promise.all([page.waitForEvent("download"), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, "utf8") };
}

let server;
let browser;
let dir;

describe("whole-window analysis against the reference server", () => {
  before(async () => {
    checkPrerequisites();
    dir = mkdtempSync(join(tmpdir(), "ca-e2e-analysis-"));
    const file = join(dir, "loop.json");
    writeFileSync(file, JSON.stringify(FIXTURE));
    server = await startServer({ extraArgs: ["--fixture", file] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("one request per page, the top insider the fixture implies, and every instance exported", async () => {
    const want = expectedTop();
    const pages = Math.ceil(want.count / 100);
    assert.ok(pages >= 4, "the fixture spans several pages");
    const { page, problems, analytics } = await openPage(browser.context);
    assert.equal(analytics.length, 1, "the query itself");
    // Cost first: every page of 100, none cached (the query shown asked 50 a page).
    assert.match(await page.textContent(by("analysis-cost")), new RegExp(`^${pages} requests for ${pages} pages`));

    await page.click(by("analyze-window"));
    await page.waitForSelector(by("insider-row"));
    const asked = analytics.slice(1);
    assert.equal(asked.length, pages, "one request per page");
    assert.equal(new Set(asked).size, pages, "no page twice");
    for (const q of asked) assert.match(q, /limit=100/);

    const first = page.locator(by("insider-row")).first();
    assert.equal(await first.getAttribute("data-insider-id"), want.top.id);
    assert.equal((await first.locator(by("insider-revenue")).textContent()).trim(), money.format(want.top.cents / 100));
    assert.equal(await page.locator(by("insider-row")).count(), Math.min(20, want.insiders));
    if (want.insiders > 20) {
      await page.click(by("insiders-show-all"));
      assert.equal(await page.locator(by("insider-row")).count(), want.insiders);
    }
    // Analysing again costs nothing: every page is cached.
    assert.match(await page.textContent(by("analysis-cost")), /^0 requests/);

    const { name, text } = await downloadText(page, () => page.click(by("export-all-csv")));
    assert.ok(name.includes(LOOP.campaign) && name.endsWith("-instances.csv"), name);
    const lines = text.split("\r\n");
    assert.equal(lines.pop(), "", "CRLF after the last record");
    assert.equal(lines[0], "instance_id,insider_id,is_purchase,purchased_insider_id,timestamp,revenue");
    assert.equal(lines.length - 1, want.count, "one row per instance of the window");
    assert.equal(new Set(lines.slice(1).map((l) => l.split(",")[0])).size, want.count);
    assert.equal(analytics.length, 1 + pages, "the export spent nothing");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("export-all with no analysis runs one first, its cost stated", async () => {
    const want = expectedTop();
    const pages = Math.ceil(want.count / 100);
    const { page, problems, analytics } = await openPage(browser.context);
    assert.match(await page.textContent(by("export-all-csv")), new RegExp(`analyses the window first: ${pages} requests`));
    const { text } = await downloadText(page, () => page.click(by("export-all-csv")));
    assert.equal(text.split("\r\n").length - 2, want.count);
    assert.equal(analytics.length, 1 + pages);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("cancel stops the requests at once", async () => {
    const { page, problems, analytics } = await openPage(browser.context);
    // Slow answers, so the analysis is caught mid-way.
    await page.route(/limit=100/, async (route) => {
      await new Promise((r) => setTimeout(r, 1_500));
      await route.continue().catch(() => {});
    });
    await page.click(by("analyze-window"));
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes("pages fetched"), by("analysis-progress"));
    while (analytics.length < 2) await page.waitForTimeout(50);
    await page.click(by("analysis-cancel"));
    const sentAtCancel = analytics.length;
    await page.waitForSelector(by("analysis-stopped"));
    assert.match(await page.textContent(by("analysis-stopped")), /Cancelled after/);
    await page.waitForTimeout(3_000);
    assert.equal(analytics.length, sentAtCancel, "nothing sent after the cancel");
    assert.equal(sentAtCancel, 2, "the query and one page");
    assert.equal(await page.locator(by("insider-row")).count(), 0);
    assert.equal(await page.locator(by("analysis-cancel")).count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
