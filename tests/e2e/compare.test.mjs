// End-to-end tests of the campaign comparison (`campaign-compare`): the release build served
// by the reference server, started with the shared fixture plus two more of Acme's campaigns
// (written here), driven in headless Chromium. Every request the page makes is recorded, so
// the tests count what a comparison spends and check that nicknames never leave the browser.
//
//   cargo build -p campaign-analytics-server
//   scripts/build-dashboard.sh
//   cd tests/e2e && npm ci && npm test
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ACME, fixture } from "./make-fixture.mjs";
import { NOW, by, checkPrerequisites, launchBrowser, startServer } from "./harness.mjs";

const panel = by("campaign-compare");
const hex = (n) => n.toString(16).padStart(12, "0");
const SUMMER = `c0000000-0000-4000-8000-${hex(5)}`;
const AUTUMN = `c0000000-0000-4000-8000-${hex(6)}`;
const now = Date.parse(NOW);
const DAY = 86_400_000;

// Two more active campaigns of Acme, with activity inside the last 30 days (and one
// instance of Summer 35 days ago, outside per_day, so the window matters).
function extraInstances() {
  const out = [];
  const add = (campaign, n, at, purchase, revenue) =>
    out.push({
      instance_id: `10000000-0000-4000-8000-${hex(n)}`,
      campaign_id: campaign,
      insider_id: `20000000-0000-4000-8000-${hex(n)}`,
      is_purchase: purchase,
      purchased_insider_id: purchase ? `30000000-0000-4000-8000-${hex(n)}` : null,
      timestamp: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
      revenue: purchase ? revenue : 0,
    });
  // Summer: 40 instances over 20 days, every fourth a purchase of 24.99–27.99.
  for (let i = 0; i < 40; i++) add(SUMMER, 1000 + i, now - (i * 12 * 3600 + 301) * 1000, i % 4 === 0, 24.99 + (i % 3));
  add(SUMMER, 1100, now - 35 * DAY, true, 999.99);
  // Autumn: 15 instances, two thirds of them purchases of 5.25.
  for (let i = 0; i < 15; i++) add(AUTUMN, 1200 + i, now - (i * 30 * 3600 + 77) * 1000, i % 3 !== 2, 5.25);
  return out;
}

const EXTRA = {
  partners: fixture.partners,
  campaigns: [
    ...fixture.campaigns,
    { id: SUMMER, partner_id: ACME.partner, name: "Summer", status: "active" },
    { id: AUTUMN, partner_id: ACME.partner, name: "Autumn", status: "active" },
  ],
  instances: [...fixture.instances, ...extraInstances()],
};

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const count = new Intl.NumberFormat("en-US");

/** A campaign's figures over per_day's window (contract §3), computed from the instances. */
function figures(campaign) {
  const start = now - (now % DAY) - 29 * DAY;
  const rows = EXTRA.instances.filter((i) => {
    const t = Date.parse(i.timestamp);
    return i.campaign_id === campaign && t >= start && t <= now;
  });
  const purchases = rows.filter((i) => i.is_purchase).length;
  const cents = rows.reduce((s, i) => s + Math.round(i.revenue * 100), 0);
  return {
    values: {
      instances: rows.length,
      purchases,
      revenue: cents,
      conversion_rate: rows.length ? purchases / rows.length : null,
      revenue_per_purchase: purchases ? cents / purchases : null,
    },
    text: {
      instances: count.format(rows.length),
      purchases: count.format(purchases),
      revenue: money.format(cents / 100),
      conversion_rate: `${((purchases / rows.length) * 100).toFixed(1)}%`,
      revenue_per_purchase: purchases ? money.format(cents / 100 / purchases) : "—",
    },
  };
}

/** The campaigns holding the highest value of each column (none when all share it). */
function bestsOf(campaigns) {
  const out = {};
  for (const column of ["instances", "purchases", "revenue", "conversion_rate", "revenue_per_purchase"]) {
    const values = campaigns.map((c) => [c, figures(c).values[column]]).filter(([, v]) => v !== null);
    const top = Math.max(...values.map(([, v]) => v));
    const at = values.filter(([, v]) => Math.abs(v - top) < 1e-12).map(([c]) => c);
    out[column] = at.length === values.length ? [] : at.sort();
  }
  return out;
}

/** A page whose every request is recorded (URL, headers, body), with the page's errors. */
async function openPage(context) {
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && /panicked/.test(m.text())) problems.push(`panic: ${m.text()}`);
  });
  // allHeaders(): headers() leaves out cookies and other security-related headers.
  page.on("request", (r) => requests.push({ url: r.url(), headers: r.allHeaders(), body: r.postData() ?? "" }));
  const api = () => requests.filter((r) => new URL(r.url).pathname.startsWith("/api/partner/"));
  return { page, problems, requests, api };
}

async function showSpring(page, url) {
  await page.goto(url + "/");
  await page.fill(by("api-key"), ACME.key);
  await page.fill(by("campaign-id"), ACME.spring);
  await page.click(by("run-query"));
  await page.waitForSelector(by("summary-total-instances"));
  await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() !== "", by("summary-total-instances"));
}

async function openCompare(page) {
  await page.click(`${panel} ${by("compare-toggle")}`);
  await page.waitForSelector(`${panel} ${by("compare-pick-1")}`);
}

async function pick(page, ...campaigns) {
  for (let i = 0; i < 4; i++) await page.fill(`${panel} ${by(`compare-pick-${i + 1}`)}`, campaigns[i] ?? "");
}

const costText = (page) => page.locator(`${panel} ${by("request-cost")}`).textContent();

async function waitForCost(page, pattern) {
  await page.waitForFunction(
    ([sel, source]) => new RegExp(source).test(document.querySelector(sel)?.textContent ?? ""),
    [`${panel} ${by("request-cost")}`, pattern.source],
  );
}

/** Waits until every row has its numbers (or its failure), and returns them by campaign. */
async function rows(page, n) {
  await page.waitForFunction(
    ([sel, n]) => {
      const rows = [...document.querySelectorAll(sel)];
      return rows.length === n && rows.every((r) => !/Loading/.test(r.textContent));
    },
    [`${panel} ${by("compare-campaign-row")}`, n],
  );
  return page.$$eval(`${panel} ${by("compare-campaign-row")}`, (trs) =>
    Object.fromEntries(
      trs.map((tr) => [
        tr.dataset.campaignId,
        Object.fromEntries(
          [...tr.querySelectorAll("td[data-column]")].map((td) => [
            td.dataset.column,
            {
              // The value without the best mark (its star and its words for screen readers).
              text: (() => {
                const c = td.cloneNode(true);
                c.querySelector(".best-mark")?.remove();
                return c.textContent.trim();
              })(),
              best: td.dataset.best === "true",
            },
          ]),
        ),
      ]),
    ),
  );
}

function assertRow(got, campaign) {
  const want = figures(campaign).text;
  for (const [column, text] of Object.entries(want)) {
    assert.equal(got[campaign]?.[column]?.text, text, `${campaign} ${column}`);
  }
}

function marked(got) {
  const out = {};
  for (const column of ["instances", "purchases", "revenue", "conversion_rate", "revenue_per_purchase"]) {
    out[column] = Object.entries(got)
      .filter(([, cells]) => cells[column]?.best)
      .map(([c]) => c)
      .sort();
  }
  return out;
}

describe("campaign comparison against the reference server", () => {
  let server;
  let browser;
  let dir;
  before(async () => {
    checkPrerequisites();
    dir = mkdtempSync(join(tmpdir(), "ca-e2e-compare-"));
    const extra = join(dir, "fixture-compare.json");
    writeFileSync(extra, JSON.stringify(EXTRA));
    server = await startServer({ extraArgs: ["--fixture", extra] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("two campaigns cost two requests, said first; again they cost none; the numbers are the fixture's", async () => {
    const { page, problems, api } = await openPage(browser.context);
    await showSpring(page, server.url);
    assert.equal(api().length, 1);

    await openCompare(page);
    // Opened from the campaign on screen.
    assert.equal(await page.inputValue(`${panel} ${by("compare-pick-1")}`), ACME.spring);
    await pick(page, SUMMER, AUTUMN);
    await waitForCost(page, /^2 requests/);
    assert.match(await costText(page), /^2 requests: one per campaign not cached · 149 of 150 left$/);
    assert.equal(api().length, 1, "saying the cost spends nothing");

    await page.click(`${panel} ${by("compare-run")}`);
    let got = await rows(page, 2);
    assert.deepEqual(Object.keys(got).sort(), [AUTUMN, SUMMER].sort());
    assert.equal(api().length, 3, "one request per campaign");
    const asked = api().slice(1).map((r) => new URL(r.url).pathname);
    assert.deepEqual(asked.sort(), [`/api/partner/v1/campaigns/${AUTUMN}/analytics`, `/api/partner/v1/campaigns/${SUMMER}/analytics`].sort());
    assertRow(got, SUMMER);
    assertRow(got, AUTUMN);
    assert.deepEqual(marked(got), bestsOf([SUMMER, AUTUMN]));
    assert.equal(await page.locator(`${panel} ${by("compare-chart")} polyline`).count(), 2);
    assert.equal(await page.locator(by("rate-limit-remaining")).textContent(), "147 of 150 requests left");

    // The same comparison again: from the cache, and said so first.
    await waitForCost(page, /^0 requests/);
    await page.click(`${panel} ${by("compare-run")}`);
    got = await rows(page, 2);
    assertRow(got, SUMMER);
    assert.equal(api().length, 3, "a repeated comparison spends nothing");

    // With the campaign on screen too: its answer is cached already.
    await pick(page, SUMMER, AUTUMN, ACME.spring);
    await waitForCost(page, /^0 requests: all 3 campaigns are cached/);
    await page.click(`${panel} ${by("compare-run")}`);
    got = await rows(page, 3);
    assert.equal(api().length, 3);
    assertRow(got, ACME.spring);
    assert.deepEqual(marked(got), bestsOf([SUMMER, AUTUMN, ACME.spring]));
    assert.equal(await page.locator(`${panel} ${by("compare-chart")} polyline`).count(), 3);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("nicknames pick campaigns, survive a reload, and never appear in any request", async () => {
    const { page, problems, requests, api } = await openPage(browser.context);
    const names = { [SUMMER]: "Sunny Days", [AUTUMN]: "Fall ☕ leaves" };
    await showSpring(page, server.url);
    await openCompare(page);
    await pick(page, SUMMER, AUTUMN);
    await page.click(`${panel} ${by("compare-run")}`);
    await rows(page, 2);
    for (const [id, name] of Object.entries(names)) {
      const input = page.locator(`${panel} ${by("compare-campaign-row")}[data-campaign-id="${id}"] ${by("compare-nickname")}`);
      await input.fill(name);
      await input.press("Tab");
    }
    // A nickname that is taken (ignoring case) is refused, with a reason.
    const spring = page.locator(`${panel} ${by("compare-pick-3")}`);
    await spring.fill(ACME.spring);
    await page.click(`${panel} ${by("compare-run")}`);
    await rows(page, 3);
    const springNick = page.locator(`${panel} ${by("compare-campaign-row")}[data-campaign-id="${ACME.spring}"] ${by("compare-nickname")}`);
    await springNick.fill("sunny DAYS");
    await springNick.press("Tab");
    await page.waitForSelector(`${panel} ${by("field-error-nickname")}`);
    assert.match(await page.locator(`${panel} ${by("field-error-nickname")}`).textContent(), /already has this nickname/);

    // Kept in this browser's storage.
    const stored = await page.evaluate(() => localStorage.getItem("campaign-analytics.nicknames"));
    assert.match(stored, /Sunny Days/);
    assert.doesNotMatch(stored, /sunny DAYS/);

    // A reload empties the in-memory cache: picking by nickname costs one request each.
    await page.reload();
    await page.waitForFunction((sel) => /\d/.test(document.querySelector(sel)?.textContent ?? ""), by("summary-total-instances"));
    const before = api().length;
    await openCompare(page);
    await pick(page, "sunny days", "  FALL ☕   LEAVES ");
    await waitForCost(page, /^2 requests/);
    await page.click(`${panel} ${by("compare-run")}`);
    const got = await rows(page, 2);
    assert.deepEqual(Object.keys(got).sort(), [AUTUMN, SUMMER].sort());
    assertRow(got, AUTUMN);
    assert.equal(api().length, before + 2);
    // The rows and the chart's legend say the nicknames.
    const panelText = await page.locator(panel).textContent();
    assert.match(panelText, /Fall ☕ leaves/);
    // An unknown nickname is not a campaign, and sends nothing.
    await pick(page, "sunny days", "Winter");
    await page.waitForSelector(`${panel} ${by("field-error-compare-2")}`);
    assert.equal(await page.locator(`${panel} ${by("compare-run")}`).isDisabled(), true);

    // Nowhere in any request: URL, headers or body, in any spelling.
    const spellings = Object.values(names).flatMap((n) => [n, encodeURIComponent(n), n.replace(/ /g, "+"), "Sunny", "sunny", "☕", "%E2%98%95"]);
    assert.ok(requests.length > api().length, "the page's own loads are checked too");
    for (const r of requests) {
      const all = [r.url, JSON.stringify(await r.headers), r.body].join("\n");
      for (const s of spellings) assert.ok(!all.includes(s), `"${s}" was sent: ${r.url}`);
    }
    assert.ok(!page.url().includes("Sunny"));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a comparison the quota cannot pay for says so and sends nothing; a failing campaign fails its own row", async () => {
    const small = await startServer({ rateLimit: 3, extraArgs: ["--fixture", join(dir, "fixture-compare.json")] });
    try {
      const { page, problems, api } = await openPage(browser.context);
      await showSpring(page, small.url);
      await openCompare(page);
      // Dormant has no instance in the last 30 days (422).
      await pick(page, SUMMER, AUTUMN, ACME.dormant);
      await waitForCost(page, /^3 requests needed, 2 left/);
      assert.equal(await page.locator(`${panel} ${by("compare-run")}`).isDisabled(), true);
      await page.click(`${panel} ${by("compare-run")}`, { force: true }).catch(() => {});
      assert.equal(api().length, 1);

      await pick(page, SUMMER, ACME.dormant);
      await waitForCost(page, /^2 requests: one per campaign not cached · 2 of 3 left$/);
      await page.click(`${panel} ${by("compare-run")}`);
      const got = await rows(page, 2);
      assert.equal(api().length, 3);
      assertRow(got, SUMMER);
      const dormant = page.locator(`${panel} ${by("compare-campaign-row")}[data-campaign-id="${ACME.dormant}"]`);
      assert.match(await dormant.textContent(), /No activity in this period/);
      // One campaign with numbers: no best to mark.
      assert.deepEqual(Object.values(marked(got)).flat(), []);
      assert.deepEqual(problems, []);
      await page.close();
    } finally {
      await small.stop();
    }
  });
});
