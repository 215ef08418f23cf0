// End-to-end: what a new answer redraws in the release bundle. The next page of the same
// window has the same summary and series, so the cards and the chart are left exactly as
// they are — no element or attribute touched — while the table shows the new rows. (The bundle's type-erased views rebuild an element by removing
// and setting each of its attributes again, which cost a 100-row answer a third of its
// rendering time.)
//
//   cargo build -p campaign-analytics-server
//   scripts/build-dashboard.sh
//   cd tests/e2e && npm ci && npm test
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ACME } from "./make-fixture.mjs";
import { by, serveAndBrowse } from "./harness.mjs";

/** Starts recording every change inside the cards and the chart. */
const watch = (page) =>
  page.evaluate(() => {
    window.__touched = [];
    window.__watch = new MutationObserver((records) => {
      for (const r of records) window.__touched.push(`${r.type} ${r.attributeName ?? ""} on ${r.target.nodeName}`);
    });
    for (const e of document.querySelectorAll('.card, [data-testid="series-chart"]')) {
      window.__watch.observe(e, { subtree: true, childList: true, attributes: true, characterData: true });
    }
  });
const touched = (page) =>
  page.evaluate(() => {
    for (const r of window.__watch.takeRecords()) window.__touched.push(`${r.type} ${r.attributeName ?? ""} on ${r.target.nodeName}`);
    window.__watch.disconnect();
    return window.__touched;
  });

describe("redrawing against the reference server", () => {
  const live = serveAndBrowse();

  test("the next page of the same window leaves the cards and the chart untouched", async () => {
    const page = await live.browser.context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(live.server.url + "/");
    await page.fill(by("api-key"), ACME.key);
    await page.fill(by("campaign-id"), ACME.spring);
    await page.selectOption(by("time-frame"), "per_day");
    await page.click(by("run-query"));
    await page.waitForSelector(by("instance-row"));
    await page.waitForSelector(`${by("series-chart")} .chart-bar`);
    const firstRow = await page.textContent(by("instance-row"));
    const revenue = await page.textContent(by("summary-total-revenue"));

    await watch(page);
    await page.click(by("page-next"));
    await page.waitForFunction(() => new URLSearchParams(location.search).get("page") === "2");
    await page.waitForFunction(([sel, before]) => document.querySelector(sel)?.textContent !== before, [by("instance-row"), firstRow]);
    await page.waitForSelector(`${by("refresh")}:not([disabled])`);
    assert.deepEqual(await touched(page), [], "nothing in the cards or the chart changed");
    assert.equal(await page.textContent(by("summary-total-revenue")), revenue);

    // The watch sees a change when there is one: another metric redraws the chart.
    await watch(page);
    await page.selectOption(by("chart-metric"), "revenue");
    await page.waitForFunction((sel) => /^Revenue/.test(document.querySelector(sel)?.textContent ?? ""), by("chart-title"));
    assert.ok((await touched(page)).length > 0, "a new metric redraws the chart");
    assert.deepEqual(problems, []);
    await page.close();
  });
});
