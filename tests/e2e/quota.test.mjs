// The request discipline of contract §5, counted in the browser: every analytics request the
// page sends is seen by playwright's request events, so each action's cost is checked
// against what the page actually spent. Then the layout that keeps what a partner reads on
// screen: no horizontal scrolling of the table at 1280 px, no cut card number at 360 px.
//
//   cargo build -p campaign-analytics-server
//   scripts/build-dashboard.sh
//   cd tests/e2e && npm ci && node --test quota.test.mjs
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ACME } from "./make-fixture.mjs";
import { by, checkPrerequisites, launchBrowser, resultsSettled, serveAndBrowse, startServer } from "./harness.mjs";

const LINK = `/?campaign_id=${ACME.spring}&time_frame=per_day&limit=10`;

/** A page whose analytics requests are counted (and whose page errors are kept). */
async function countedPage(context) {
  const page = await context.newPage();
  const sent = [];
  const errors = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/partner/")) sent.push(r.url());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, sent, errors };
}

async function text(page, id) {
  return (await page.locator(by(id)).first().textContent())?.trim();
}

/** Waits until the answer on screen is page `n` and says where it came from (`Live`/`Cached`). */
async function shows(page, n, source) {
  await page.waitForFunction(
    ([status, sourceSel, pageNo, want]) =>
      new URLSearchParams(location.search).get("page") === (pageNo === 1 ? null : String(pageNo)) &&
      document.querySelector(status)?.textContent.trim().startsWith(`Page ${pageNo} of`) &&
      document.querySelector(sourceSel)?.textContent.trim().startsWith(want),
    [by("page-status"), by("response-source"), n, source],
  );
}

/** Every analytics request has been answered (nothing in flight, nothing queued by a timer). */
async function idle(page) {
  await page.waitForLoadState("networkidle");
  await resultsSettled(page);
}

describe("what each action costs, counted in the browser", () => {
  const live = serveAndBrowse();

  test("paging back and the chart metric are free, refresh and compare cost one each, a link in a fresh tab none", async () => {
    const { page, sent, errors } = await countedPage(live.browser.context);
    await page.goto(live.server.url + "/");
    await page.fill(by("api-key"), ACME.key);
    // Remembered on this device, so a fresh tab has the key: the link must still send nothing.
    await page.click(by("remember-key"));
    await page.fill(by("campaign-id"), ACME.spring);
    await page.selectOption(by("page-size"), "10");
    await page.click(by("run-query"));
    await shows(page, 1, "Live");
    assert.equal(sent.length, 1, "Run: one request");

    await page.click(by("page-next"));
    await shows(page, 2, "Live");
    assert.equal(sent.length, 2, "a new page: one request");
    await page.click(by("page-prev"));
    await shows(page, 1, "Cached");
    await idle(page);
    assert.equal(sent.length, 2, "paging back: no request");
    assert.match(await text(page, "response-source"), /cached/i);

    assert.match(await text(page, "refresh"), /1 request/, "refresh says its cost first");
    await page.click(by("refresh"));
    await shows(page, 1, "Live");
    assert.equal(sent.length, 3, "refresh: one request");

    // The chart metric redraws the answer on screen.
    const bars = async () => page.locator(by("series-chart")).first().innerHTML();
    const before = await bars();
    for (const metric of ["revenue", "conversion_rate", "purchases", "instances"]) {
      await page.selectOption(by("chart-metric"), metric);
      if (metric === "revenue") await page.waitForFunction(([sel, html]) => document.querySelector(sel)?.innerHTML !== html, [by("series-chart"), before]);
    }
    await idle(page);
    assert.equal(sent.length, 3, "the chart metric: no request");

    // Compare: said first, then exactly one more request.
    assert.match(await text(page, "compare-note"), /1 request/);
    await page.check(by("compare-previous"));
    await page.waitForSelector(by("summary-total-instances-change"));
    await idle(page);
    assert.equal(sent.length, 4, "compare: one request more");
    assert.ok(sent[3].includes("time_frame=custom_range"), sent[3]);
    assert.deepEqual(errors, []);

    // The same link in a fresh tab of the same browser (the key remembered): nothing is
    // sent until Run, which then sends exactly one request.
    const fresh = await countedPage(live.browser.context);
    await fresh.page.goto(live.server.url + LINK);
    await fresh.page.waitForSelector(by("link-pending"));
    assert.equal(await fresh.page.inputValue(by("campaign-id")), ACME.spring);
    assert.match(await text(fresh.page, "request-cost"), /^1 request/);
    await fresh.page.waitForLoadState("networkidle");
    assert.equal(fresh.sent.length, 0, "a link alone spends nothing");
    await fresh.page.click(by("run-query"));
    await shows(fresh.page, 1, "Live");
    await idle(fresh.page);
    assert.equal(fresh.sent.length, 1, "Run on the link: one request, and nothing before it");
    assert.deepEqual(fresh.errors, []);
    await fresh.page.click(by("forget-key"));
    await fresh.page.close();
    await page.close();
  });
});

describe("the layout keeps the numbers on screen", () => {
  let server;
  before(async () => {
    checkPrerequisites();
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  async function answered(width) {
    const browser = await launchBrowser({ viewport: { width, height: 900 } });
    const page = await browser.context.newPage();
    await page.goto(server.url + "/");
    await page.fill(by("api-key"), ACME.key);
    await page.fill(by("campaign-id"), ACME.spring);
    await page.selectOption(by("time-frame"), "per_month");
    await page.click(by("run-query"));
    await page.waitForSelector(by("instance-row"));
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim().length > 1, by("summary-total-revenue"));
    return { browser, page };
  }

  test("at 1280 px the table fits its panel: no horizontal scrolling, time and revenue in view", async () => {
    const { browser, page } = await answered(1280);
    try {
      const m = await page.evaluate(() => {
        const table = document.querySelector(".instances table");
        const wrap = table.closest(".table-wrap") || table.parentElement;
        const panel = table.closest(".results");
        const row = document.querySelector('[data-testid="instance-row"]');
        const cells = [...row.children].map((td) => td.getBoundingClientRect());
        return {
          table: table.getBoundingClientRect().width,
          wrap: wrap.clientWidth,
          wrapScroll: wrap.scrollWidth,
          panelRight: panel.getBoundingClientRect().right,
          page: document.documentElement.scrollWidth,
          cellsRight: Math.max(...cells.map((c) => c.right)),
        };
      });
      assert.ok(m.table <= m.wrap + 0.5, `table ${m.table} px in a ${m.wrap} px panel`);
      assert.ok(m.wrapScroll <= m.wrap, `the table scrolls sideways: ${m.wrapScroll} > ${m.wrap}`);
      assert.ok(m.cellsRight <= m.panelRight + 0.5, `a cell ends at ${m.cellsRight}, the panel at ${m.panelRight}`);
      assert.ok(m.page <= 1280, `the page is ${m.page} px wide`);
    } finally {
      await browser.close();
    }
  });

  test("at 360 px no card number is cut, and the page does not scroll sideways", async () => {
    const { browser, page } = await answered(360);
    try {
      const cut = await page.evaluate(() =>
        [...document.querySelectorAll(".cards .card-value")]
          .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
          .map((el) => {
            const card = el.closest(".card").getBoundingClientRect();
            const box = el.getBoundingClientRect();
            return { text: el.textContent.trim(), scroll: el.scrollWidth, client: el.clientWidth, outside: box.right > card.right + 0.5 || box.right > innerWidth };
          })
          .filter((v) => v.scroll > v.client || v.outside),
      );
      assert.deepEqual(cut, [], "card values cut or outside their card");
      const exact = await page.locator(by("summary-total-revenue")).textContent();
      assert.match(exact.trim(), /^\$[\d,]+\.\d\d$/, "the exact revenue is on the card");
      assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 360);
    } finally {
      await browser.close();
    }
  });
});
