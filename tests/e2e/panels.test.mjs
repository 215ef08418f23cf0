// End-to-end: the panels (whole-window analysis, campaign comparison) are a module and a
// stylesheet of their own that the release build's page loads once an answer is on screen —
// not part of the first load — once per page, under the content-hashed names its own build
// gave them.
//
//   cargo build -p campaign-analytics-server
//   scripts/build-dashboard.sh
//   cd tests/e2e && npm ci && npm test
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ACME } from "./make-fixture.mjs";
import { by, distDir, serveAndBrowse } from "./harness.mjs";

const PANELS = /\/campaign-analytics-panels[^/]*(_bg\.wasm|\.js|\.css)$/;

describe("the panels' module against the reference server", () => {
  const live = serveAndBrowse();

  test("is fetched after the first answer, once, under the names of the page's own build, and works", async () => {
    const stem = readFileSync(join(distDir(), "index.html"), "utf8").match(/<meta name=panels content=(campaign-analytics-panels-[0-9a-f]{16})>/)?.[1];
    assert.ok(stem, "index.html names the panels' files");
    const page = await live.browser.context.newPage();
    const problems = [];
    const panels = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (PANELS.test(r.url())) panels.push(new URL(r.url()));
    });
    await page.goto(live.server.url + "/");
    await page.waitForSelector(by("run-query"));
    // The page is usable and nothing of the panels was asked for.
    await page.waitForTimeout(500);
    assert.deepEqual(panels, [], "the first load does not fetch the panels");
    assert.equal(await page.locator(by("analyze-window")).count(), 0);

    await page.fill(by("api-key"), ACME.key);
    await page.fill(by("campaign-id"), ACME.spring);
    await page.click(by("run-query"));
    await page.waitForSelector(by("instance-row"));
    await page.waitForSelector(by("analyze-window"));
    await page.waitForSelector(by("campaign-compare"));
    assert.deepEqual(panels.map((u) => u.pathname).sort(), [`/${stem}.css`, `/${stem}.js`, `/${stem}_bg.wasm`]);
    // Their stylesheet applies (the page's own has no rule for them).
    const border = await page.locator(".analysis").evaluate((e) => getComputedStyle(e).borderTopWidth);
    assert.equal(border, "1px");
    // Another answer (page 2) loads nothing again; the panels follow the page.
    await page.click(by("page-next"));
    await page.waitForFunction(() => new URLSearchParams(location.search).get("page") === "2");
    await page.waitForFunction((sel) => /requests? for/.test(document.querySelector(sel)?.textContent ?? ""), by("analysis-cost"));
    assert.equal(panels.length, 3);
    assert.deepEqual(problems, []);
    await page.close();
  });

  /** A page whose requests for `blocked` fail, after a query is run; its page errors collected. */
  async function queriedWithout(blocked) {
    const page = await live.browser.context.newPage();
    const problems = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.route(blocked, (route) => route.abort());
    await page.goto(live.server.url + "/");
    await page.fill(by("api-key"), ACME.key);
    await page.fill(by("campaign-id"), ACME.spring);
    await page.click(by("run-query"));
    return { page, problems };
  }

  test("without their stylesheet the panels still come, unstyled", async () => {
    const { page, problems } = await queriedWithout(/\/campaign-analytics-panels[^/]*\.css$/);
    await page.waitForSelector(by("analyze-window"));
    await page.waitForSelector(by("campaign-compare"));
    assert.equal(await page.locator(by("panels-unavailable") + ":not([hidden])").count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("when it cannot be fetched, the answer stays usable and the page says how to get the panels", async () => {
    const { page, problems } = await queriedWithout(PANELS);
    await page.waitForSelector(by("instance-row"));
    await page.waitForSelector(by("panels-unavailable") + ":not([hidden])");
    assert.match(await page.textContent(by("panels-unavailable")), /could not be loaded\. Reload the page/);
    // The page itself goes on: the next page of the answer.
    await page.click(by("page-next"));
    await page.waitForFunction(() => new URLSearchParams(location.search).get("page") === "2");
    await page.waitForSelector(by("instance-row"));
    assert.deepEqual(problems, []);
    await page.close();
  });
});
