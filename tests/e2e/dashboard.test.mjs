// End-to-end tests of the dashboard: the release build served by the reference server
// (started here with fixture.json and a pinned clock), driven in headless Chromium through
// the data-testid hooks of contract §4.
//
//   cargo build -p campaign-analytics-server
//   scripts/build-dashboard.sh
//   cd tests/e2e && npm ci && npm test
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ACME, OTHER, fixture } from "./make-fixture.mjs";
import { NOW, ROOT, by, serveAndBrowse } from "./harness.mjs";

const WRONG_KEY = "sk_test_" + "X".repeat(32);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const count = new Intl.NumberFormat("en-US");

/** What the cards must show for `campaign` over [start, end] (contract §3), from the fixture. */
function expected(campaign, start, end) {
  const inWindow = fixture.instances.filter((i) => {
    const t = Date.parse(i.timestamp);
    return i.campaign_id === campaign && t >= start && t <= end;
  });
  const purchases = inWindow.filter((i) => i.is_purchase).length;
  const cents = inWindow.reduce((sum, i) => sum + Math.round(i.revenue * 100), 0);
  const newestFirst = [...inWindow].sort(
    (a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp) || a.instance_id.localeCompare(b.instance_id),
  );
  return {
    total: count.format(inWindow.length),
    purchases: count.format(purchases),
    nonPurchases: count.format(inWindow.length - purchases),
    revenue: money.format(cents / 100),
    rate: `${((purchases / inWindow.length) * 100).toFixed(1)}%`,
    average: purchases ? money.format(cents / 100 / purchases) : "—",
    n: inWindow.length,
    ids: newestFirst.map((i) => i.instance_id),
  };
}

const now = Date.parse(NOW);
const dayStart = (t) => t - (t % 86_400_000);
// per_day: from 00:00 of the day 29 days before today, to now.
const PER_DAY = expected(ACME.spring, dayStart(now) - 29 * 86_400_000, now);

/** A page that records what must never happen: uncaught errors, the key in a URL or the console. */
async function openPage(context, key) {
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.text().includes("sk_test_") || m.text().includes("sk_live_")) problems.push(`key in the console: ${m.text()}`);
    if (m.type() === "error" && /panicked/.test(m.text())) problems.push(`panic: ${m.text()}`);
  });
  page.on("request", (r) => {
    if (/sk_(test|live)_/.test(r.url())) problems.push(`key in a URL: ${r.url()}`);
    const auth = r.headers()["authorization"];
    if (auth && key && auth !== `Bearer ${key}`) problems.push(`unexpected Authorization header`);
  });
  return { page, problems };
}

async function text(page, id) {
  return (await page.locator(by(id)).first().textContent())?.trim();
}

async function runQuery(page, { key, campaign, timeFrame }) {
  if (key !== undefined) await page.fill(by("api-key"), key);
  if (campaign !== undefined) await page.fill(by("campaign-id"), campaign);
  if (timeFrame !== undefined) await page.selectOption(by("time-frame"), timeFrame);
  await page.click(by("run-query"));
}

async function expectCards(page, want) {
  await page.waitForFunction(
    ([sel, total]) => document.querySelector(sel)?.textContent.trim() === total,
    [by("summary-total-instances"), want.total],
  );
  assert.equal(await text(page, "summary-total-instances"), want.total);
  assert.equal(await text(page, "summary-purchase-instances"), want.purchases);
  assert.equal(await text(page, "summary-non-purchase-instances"), want.nonPurchases);
  assert.equal(await text(page, "summary-total-revenue"), want.revenue);
  assert.equal(await text(page, "summary-conversion-rate"), want.rate);
  assert.equal(await text(page, "summary-average-revenue"), want.average);
}

async function waitForText(page, id, wanted) {
  await page.waitForFunction(
    ([sel, want]) => {
      const el = document.querySelector(sel);
      return el && (want instanceof RegExp ? false : el.textContent.includes(want));
    },
    [by(id), wanted],
  );
}

async function firstRowId(page) {
  // The table shows ids short; the full id is what the copy button copies.
  return page.locator(`${by("instance-row")} .id`).first().getAttribute("data-copy");
}

describe("the dashboard against the reference server", () => {
  const live = serveAndBrowse();

  test("the cards, table, chart and quota show exactly what the fixture implies", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.goto(live.server.url + "/");
    await runQuery(page, { key: ACME.key, campaign: ACME.spring });
    await expectCards(page, PER_DAY);

    assert.equal(await page.locator(by("instance-row")).count(), 50);
    assert.equal(await firstRowId(page), PER_DAY.ids[0]);
    assert.equal(await text(page, "page-status"), "Page 1 of 3");
    assert.equal(await text(page, "page-range"), `Showing 1–50 of ${PER_DAY.total}`);
    assert.equal(await text(page, "rate-limit-remaining"), "149 of 150 requests left");
    assert.equal(await text(page, "key-mode"), "Test");
    // per_day: one bar per day of the 30-day window
    assert.equal(await page.locator(`${by("series-chart")} .chart-bar`).count(), 30);
    assert.match(page.url(), new RegExp(`campaign_id=${ACME.spring}&time_frame=per_day$`));
    assert.equal(await page.locator(by("error-banner")).count(), 0);

    // Saved on every run (git-ignored); docs/screenshot.png in the README is a copy of one.
    mkdirSync(join(ROOT, "tests", "e2e", "artifacts"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "tests", "e2e", "artifacts", "dashboard.png") });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("pages forward and back with the buttons, the arrow keys and the browser history", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.goto(live.server.url + "/");
    await runQuery(page, { key: ACME.key, campaign: ACME.spring });
    await expectCards(page, PER_DAY);

    await page.click(by("page-next"));
    await waitForText(page, "page-status", "Page 2 of 3");
    assert.match(page.url(), /&page=2$/);
    assert.equal(await firstRowId(page), PER_DAY.ids[50]);
    assert.equal(await text(page, "page-range"), `Showing 51–100 of ${PER_DAY.total}`);

    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("ArrowRight");
    await waitForText(page, "page-status", "Page 3 of 3");
    assert.equal(await page.locator(by("instance-row")).count(), PER_DAY.n - 100);
    assert.equal(await page.locator(by("page-next")).isDisabled(), true);

    await page.keyboard.press("ArrowLeft");
    await waitForText(page, "page-status", "Page 2 of 3");
    await page.click(by("page-prev"));
    await waitForText(page, "page-status", "Page 1 of 3");
    assert.equal(await page.locator(by("page-prev")).isDisabled(), true);

    await page.goBack();
    await waitForText(page, "page-status", "Page 2 of 3");
    assert.equal(await firstRowId(page), PER_DAY.ids[50]);
    await page.goBack();
    await waitForText(page, "page-status", "Page 3 of 3");
    await page.goForward();
    await waitForText(page, "page-status", "Page 2 of 3");
    // The summary covers the whole window whatever the page.
    await expectCards(page, PER_DAY);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a reload and a shared link reproduce the view", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.goto(`${live.server.url}/?campaign_id=${ACME.spring}&time_frame=per_day&is_purchase=true&page=2&limit=25`);
    // A new tab has no key yet: the form is filled from the link and waits for one.
    assert.equal(await page.inputValue(by("campaign-id")), ACME.spring);
    assert.equal(await page.inputValue(by("is-purchase")), "true");
    assert.equal(await page.inputValue(by("page-size")), "25");
    await waitForText(page, "run-query", "Run query");
    assert.equal(await page.locator(by("run-query")).isDisabled(), true);
    assert.match(await page.locator("#run-hint").textContent(), /secret key/);

    await page.fill(by("api-key"), ACME.key);
    await page.click(by("run-query"));
    await expectCards(page, PER_DAY); // the summary ignores the purchase filter
    // Run shows the linked view itself: page 2 of 40 purchases, 25 a page.
    await waitForText(page, "page-status", "Page 2 of 2");
    assert.equal(await page.locator(by("instance-row")).count(), 15);
    assert.equal(await page.locator(`${by("instance-row")} .badge-no`).count(), 0);
    await page.click(by("page-prev"));
    await waitForText(page, "page-status", "Page 1 of 2");
    await page.click(by("page-next"));
    await waitForText(page, "page-status", "Page 2 of 2");

    await page.reload();
    await waitForText(page, "page-status", "Page 2 of 2");
    await expectCards(page, PER_DAY);
    assert.equal(await page.locator(by("instance-row")).count(), 15);
    assert.equal(await page.inputValue(by("api-key")), ACME.key, "the key survives a reload of the tab");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a wrong key gives the 401 message, with the request id, and focuses the key", async () => {
    const { page, problems } = await openPage(live.browser.context, WRONG_KEY);
    await page.goto(live.server.url + "/");
    await runQuery(page, { key: WRONG_KEY, campaign: ACME.spring });
    await waitForText(page, "error-banner", "Secret key not accepted");
    assert.match(await text(page, "request-id"), UUID);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "api-key");
    assert.match(await text(page, "field-error-key"), /did not accept this key/);
    const banner = await text(page, "error-banner");
    assert.ok(!banner.includes("XXXXXXXX"), "the key never appears in a message");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("each campaign state has its own message", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.goto(live.server.url + "/");
    await page.fill(by("api-key"), ACME.key);
    const cases = [
      ["ffffffff-0000-4000-8000-000000000000", "Campaign not found"],
      [OTHER.campaign, "No access to this campaign"],
      [ACME.draft, "This campaign has no analytics yet"],
      [ACME.dormant, "No activity in this period"],
    ];
    for (const [campaign, title] of cases) {
      await runQuery(page, { campaign });
      await waitForText(page, "error-banner", title);
      assert.match(await text(page, "request-id"), UUID);
    }
    assert.equal(await page.locator(by("empty-period")).isVisible(), true);
    await runQuery(page, { campaign: "ffffffff-0000-4000-8000-000000000000" });
    await waitForText(page, "field-error-campaign_id", "No campaign with this id");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a custom range is validated as typed and answered", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.goto(live.server.url + "/");
    await page.fill(by("api-key"), ACME.key);
    await page.fill(by("campaign-id"), ACME.spring);
    assert.equal(await page.locator(by("start-date")).isVisible(), false);
    await page.selectOption(by("time-frame"), "custom_range");
    assert.equal(await page.locator(by("start-date")).isVisible(), true);
    await page.fill(by("start-date"), "2026-11-10");
    await page.fill(by("end-date"), "2026-11-01");
    await waitForText(page, "field-error-end_date", "end_date must be after start_date");
    assert.equal(await page.locator(by("run-query")).isDisabled(), true);
    await page.fill(by("start-date"), "2026-11-01");
    await page.fill(by("end-date"), "2026-11-10");
    assert.equal(await page.locator(by("field-error-end_date")).count(), 0);
    await page.click(by("run-query"));
    const want = expected(ACME.spring, Date.parse("2026-11-01T00:00:00Z"), Date.parse("2026-11-10T23:59:59.999Z"));
    await expectCards(page, want);
    assert.match(page.url(), /start_date=2026-11-01&end_date=2026-11-10/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("a hand-edited link shows inline errors, never a blank page", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.goto(`${live.server.url}/?campaign_id=nope&time_frame=per_week&limit=1000&page=0`);
    await waitForText(page, "field-error-campaign_id", "campaign_id must be");
    assert.match(await text(page, "field-error-time_frame"), /time_frame must be one of/);
    assert.match(await text(page, "field-error-limit"), /from 1 to 100/);
    assert.match(await text(page, "field-error-page"), /page must be/);
    assert.equal(await page.locator(by("error-banner")).count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("works with the keyboard alone", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.goto(live.server.url + "/");
    const focusedId = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.id ?? "");
    const tabTo = async (testid) => {
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press("Tab");
        if ((await focusedId()) === testid) return;
      }
      assert.fail(`Tab never reached ${testid}`);
    };
    await tabTo("api-key");
    await page.keyboard.type(ACME.key);
    await tabTo("campaign-id");
    await page.keyboard.type(ACME.spring);
    await page.keyboard.press("Enter");
    await expectCards(page, PER_DAY);
    // Arrow keys page once the focus is off the text fields (here on the Run button),
    // and Enter there runs the form's query again, from page 1.
    await tabTo("run-query");
    await page.keyboard.press("ArrowRight");
    await waitForText(page, "page-status", "Page 2 of 3");
    await page.keyboard.press("ArrowRight");
    await waitForText(page, "page-status", "Page 3 of 3");
    await page.keyboard.press("ArrowLeft");
    await waitForText(page, "page-status", "Page 2 of 3");
    await page.keyboard.press("Enter");
    await waitForText(page, "page-status", "Page 1 of 3");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the ? overlay lists the shortcuts, and single keys act only outside the fields", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.goto(live.server.url + "/");
    await runQuery(page, { key: ACME.key, campaign: ACME.spring });
    await expectCards(page, PER_DAY);
    const help = page.locator(by("shortcuts-help"));
    assert.equal(await help.isVisible(), false);
    // Typed into a field, "?" and "m" are text, not shortcuts.
    await page.locator(by("campaign-id")).focus();
    await page.keyboard.type("?m");
    assert.equal(await help.isVisible(), false);
    assert.equal(await page.locator(by("chart-metric")).inputValue(), "instances");
    await page.locator(by("campaign-id")).fill(ACME.spring);
    // Outside the fields: "?" opens the list as a modal dialog that takes the focus.
    await page.locator(by("run-query")).focus();
    await page.keyboard.press("?");
    await help.waitFor({ state: "visible" });
    assert.equal(await help.getAttribute("role"), "dialog");
    assert.equal(await help.getAttribute("aria-modal"), "true");
    const keys = await help.locator("kbd").allTextContents();
    for (const key of ["?", "Esc", "/", "[ / ]", "c", "m", "t", "Shift+R"]) assert.ok(keys.includes(key), `${key} is listed: ${keys}`);
    assert.equal(await page.evaluate(() => document.activeElement?.closest("[data-testid=shortcuts-help]") !== null), true, "the dialog has the focus");
    // Esc closes it and gives the focus back to where it was.
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "run-query");
    // "m" moves the chart to the next metric (no request), "t" switches the theme.
    await page.keyboard.press("m");
    await page.waitForFunction((sel) => document.querySelector(sel)?.value === "purchases", by("chart-metric"));
    const dark = () => page.evaluate(() => document.documentElement.dataset.theme ?? "");
    const before = await dark();
    await page.keyboard.press("t");
    await page.waitForFunction((b) => (document.documentElement.dataset.theme ?? "") !== b, before);
    assert.notEqual(await dark(), before);
    // Back to the system's theme: the choice is remembered for the pages after this one.
    await page.selectOption(by("theme"), "");
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("is readable on a 360 px wide screen", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto(live.server.url + "/");
    await runQuery(page, { key: ACME.key, campaign: ACME.spring });
    await expectCards(page, PER_DAY);
    // Nothing makes the page wider than the screen: no sideways scrolling of the page.
    const widest = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(widest <= 360, `the page is ${widest}px wide`);
    // Every card and every row of the table lies within the screen, ids whole and legible.
    for (const id of ["summary-total-revenue", "summary-conversion-rate", "instance-row", "page-status", "run-query"]) {
      const box = await page.locator(by(id)).first().boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `${id} fits: ${JSON.stringify(box)}`);
    }
    const row = page.locator(by("instance-row")).first();
    assert.equal(await row.locator(".id").first().getAttribute("data-copy"), PER_DAY.ids[0]);
    assert.equal((await row.locator(".id").first().textContent()).trim(), PER_DAY.ids[0].slice(0, 8) + "…");
    const font = await row.locator(".id").first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(font >= 11, `ids are ${font}px`);
    mkdirSync(join(ROOT, "tests", "e2e", "artifacts"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "tests", "e2e", "artifacts", "dashboard-360.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 1000 });
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("the CSV export holds the rows on screen", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    await page.goto(live.server.url + "/");
    await runQuery(page, { key: ACME.key, campaign: ACME.spring });
    await expectCards(page, PER_DAY);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(by("export-csv"))]);
    assert.equal(download.suggestedFilename(), `campaign-${ACME.spring}-page-1.csv`);
    const csv = readFileSync(await download.path(), "utf8").split("\r\n");
    assert.equal(csv[0], "instance_id,insider_id,is_purchase,purchased_insider_id,timestamp,revenue");
    assert.equal(csv.length, 52); // header, 50 rows, final line end
    const first = fixture.instances.find((i) => i.instance_id === PER_DAY.ids[0]);
    assert.equal(
      csv[1],
      [first.instance_id, first.insider_id, first.is_purchase, first.purchased_insider_id ?? "", first.timestamp, first.revenue.toFixed(2)].join(","),
    );
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe("the dashboard when the quota is spent", () => {
  const live = serveAndBrowse({ rateLimit: 2 });

  test("a small --rate-limit gives the 429 message with when the quota frees up", async () => {
    const { page, problems } = await openPage(live.browser.context, ACME.key);
    const sent = [];
    page.on("request", (r) => r.url().includes("/analytics") && sent.push(r.url()));
    await page.goto(live.server.url + "/");
    await runQuery(page, { key: ACME.key, campaign: ACME.spring });
    await expectCards(page, PER_DAY);
    assert.equal(await text(page, "rate-limit-remaining"), "1 of 2 requests left");
    // Another client of the same partner spends the last request: the page's reading of
    // the quota is now stale, so its next request meets the server's 429.
    const elsewhere = await fetch(`${live.server.url}/api/partner/v1/campaigns/${ACME.spring}/analytics?time_frame=per_month`, {
      headers: { Authorization: `Bearer ${ACME.key}` },
    });
    assert.equal(elsewhere.status, 200);
    await page.click(by("page-next"));
    await waitForText(page, "error-banner", "Request quota used up");
    const banner = await text(page, "error-banner");
    assert.match(banner, /all 2 requests of this hour/);
    assert.match(banner, /Queries work again at .+ \(in \d+ (min|h)\b/);
    assert.match(await text(page, "request-id"), UUID);
    assert.match(await text(page, "rate-limit-reset"), /resets at/);
    assert.equal(sent.length, 2, "a 429 is never retried on its own");

    // Run would show the cached first page for free. The banner offers to wait for the
    // reset: the page then counts down (cancellable) and sends nothing meanwhile.
    assert.equal(await text(page, "request-cost"), "0 requests: the answer is cached");
    await page.click(by("wait-quota"));
    await waitForText(page, "quota-wait", "No requests left until");
    assert.equal(await page.locator(by("quota-wait-cancel")).isVisible(), true);
    assert.equal(sent.length, 2, "nothing is sent while the quota is spent");
    await page.click(by("quota-wait-cancel"));
    assert.equal(await page.locator(by("quota-wait")).count(), 0);
    assert.equal(sent.length, 2);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
