// A query in flight is aborted, in the browser, when a newer one starts: the release
// dashboard against the reference server, with the first analytics request held in the
// browser (route interception) so it is still in flight when the partner asks again.
//
//   cargo build -p campaign-analytics-server
//   scripts/build-dashboard.sh
//   cd tests/e2e && npm ci && node --test abort.test.mjs
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ACME, fixture } from "./make-fixture.mjs";
import { by, serveAndBrowse } from "./harness.mjs";

const ANALYTICS = "**/api/partner/v1/campaigns/**";
// per_month at the pinned clock (2026-11-20): from 2025-12-01 (contract §3), from the fixture.
const PER_MONTH_TOTAL = String(
  fixture.instances.filter((i) => i.campaign_id === ACME.spring && Date.parse(i.timestamp) >= Date.parse("2025-12-01T00:00:00Z")).length,
);

describe("a newer query aborts the one in flight", () => {
  const live = serveAndBrowse();

  test("the held request ends as aborted in the browser, and the newer answer shows", async () => {
    const page = await live.browser.context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    // The first analytics request is held (never forwarded); later ones go to the live.server.
    let held = null;
    const heldSeen = new Promise((resolve) => {
      page.route(ANALYTICS, (route) => {
        if (held === null) {
          held = route.request();
          resolve();
          return;
        }
        route.continue();
      });
    });
    const failed = new Promise((resolve) =>
      page.on("requestfailed", (request) => {
        if (request === held) resolve(request.failure()?.errorText);
      }),
    );
    const finished = [];
    page.on("requestfinished", (request) => finished.push(request));

    await page.goto(live.server.url + "/");
    await page.fill(by("api-key"), ACME.key);
    await page.fill(by("campaign-id"), ACME.spring);
    await page.selectOption(by("time-frame"), "per_day");
    await page.click(by("run-query"));
    await heldSeen;
    assert.match(held.url(), /time_frame=per_day/);

    // The partner changes the period and runs again while the first is in flight.
    await page.selectOption(by("time-frame"), "per_month");
    await page.click(by("run-query"));
    await page.waitForFunction(([sel, want]) => /per_month/.test(location.search) && document.querySelector(sel)?.textContent.trim() === want, [by("summary-total-instances"), PER_MONTH_TOTAL]);
    // The abort comes before the newer request is sent; its event may trail the page a
    // little, so it gets a bounded grace instead of a wait that never ends if it breaks.
    const errorText = await Promise.race([failed, page.waitForTimeout(5_000).then(() => "still in flight after the newer answer")]);
    assert.equal(errorText, "net::ERR_ABORTED", "the browser aborted the held request");
    assert.ok(!finished.includes(held), "the held request never finished");
    assert.equal(await page.locator(by("error-banner")).count(), 0, "an abort shows no error");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
